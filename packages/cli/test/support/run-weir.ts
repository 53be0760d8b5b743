import { runCli, type CliIo } from '@weir/cli';

export interface WeirRun {
  status: number;
  out: string;
  err: string;
}

export interface WeirRunOptions {
  env?: Record<string, string>;
  /** Answers to confirmation questions, as a user at a terminal would type them. */
  answers?: string[];
  /** Or a stand-in for the user at the terminal, to act while the question is open. */
  ask?: (question: string) => Promise<string>;
  terminal?: boolean;
  color?: boolean;
  /** Sees stderr as it is written, to act while a command still runs. */
  onErr?: (text: string) => void;
}

/** Runs `weir ...argv` in-process and collects what it printed; stdin is not a terminal unless answers are given. */
export async function weir(argv: string[], options: WeirRunOptions = {}): Promise<WeirRun & { questions: string[] }> {
  let out = '';
  let err = '';
  const questions: string[] = [];
  const answers = [...(options.answers ?? [])];
  const io: CliIo = {
    out: (text) => (out += text),
    err: (text) => {
      err += text;
      options.onErr?.(err);
    },
    color: options.color ?? false,
    terminal: options.terminal ?? false,
    env: options.env ?? {},
    ...((options.answers || options.ask) && {
      ask: async (question: string) => {
        questions.push(question);
        return options.ask ? options.ask(question) : (answers.shift() ?? '');
      },
    }),
  };
  const status = await runCli(argv, io);
  return { status, out, err, questions };
}
