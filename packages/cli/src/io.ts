import { createInterface } from 'node:readline';
import { terminalSafe } from './render/terminal-safe.js';

/** Where a command writes, so tests can run commands in-process and read what they printed. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  color: boolean;
  /** Whether `out` is a terminal, where a progress line can be redrawn in place. */
  terminal?: boolean;
  /**
   * Asks the user a question and resolves to the answer. Absent when stdin is not a terminal,
   * so a command that needs a confirmation refuses instead of waiting forever.
   */
  ask?: (question: string) => Promise<string>;
  /** WEIR_URL, WEIR_TOKEN, WEIR_DATA; `process.env` when absent. */
  env?: Readonly<Record<string, string | undefined>>;
}

export function processIo(): CliIo {
  return {
    out: (text) => process.stdout.write(terminalSafe(text)),
    err: (text) => process.stderr.write(terminalSafe(text)),
    // no-color.org: NO_COLOR set to anything but the empty string turns color off.
    color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
    terminal: Boolean(process.stdout.isTTY),
    ...(process.stdin.isTTY && { ask: askOnTerminal }),
    env: process.env,
  };
}

/** The question goes to stderr so that it is seen even when stdout is piped; Ctrl-C answers no. */
function askOnTerminal(question: string): Promise<string> {
  return new Promise((resolve) => {
    const terminal = createInterface({ input: process.stdin, output: process.stderr });
    terminal.on('SIGINT', () => {
      process.stderr.write('\n');
      terminal.close();
      resolve('');
    });
    terminal.question(question, (answer) => {
      terminal.close();
      resolve(answer);
    });
  });
}
