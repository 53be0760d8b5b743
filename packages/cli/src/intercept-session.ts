import WebSocket, { type RawData } from 'ws';
import { CliError } from './cli-error.js';
import type { InterceptStreams } from './commands/intercept.js';

/** Binary frames from the engine start with the stream they belong to. */
const STDOUT = 1;
const STDERR = 2;

type Control = { type: 'exit'; status: number } | { type: 'error'; error: { code: string; message: string; hint?: string } };

/**
 * Joins an intercept session the engine granted (see the engine's intercept-sessions.ts):
 * stdin goes to the program, its output comes back on stdout and stderr, and the program's exit
 * status becomes the command's. At a terminal, the terminal is put in raw mode for the session
 * (the program's terminal echoes and edits), and restored after; its size follows the window.
 */
export function runInterceptSession(baseUrl: string, path: string, streams: InterceptStreams, tty: boolean): Promise<number> {
  const url = new URL(path, baseUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    let outcome: Control | undefined;
    const restore = tty && streams.stdin.isTTY ? rawMode(streams.stdin) : () => undefined;
    const onInput = (chunk: Buffer): void => {
      ws.send(chunk, { binary: true });
    };
    // Node reads the new size on SIGWINCH and says so with 'resize'; the engine sizes the program's terminal.
    const onResize = (): void => {
      const { rows, columns } = streams.stdout;
      if (ws.readyState === ws.OPEN && rows > 0 && columns > 0) ws.send(JSON.stringify({ type: 'resize', rows, cols: columns }));
    };
    const onEnd = (): void => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'stdin-end' }));
    };
    const detach = (): void => {
      streams.stdin.off('data', onInput);
      streams.stdin.off('end', onEnd);
      streams.stdout.off('resize', onResize);
      streams.stdin.pause();
      restore();
    };
    ws.once('open', () => {
      streams.stdin.on('data', onInput);
      streams.stdin.once('end', onEnd);
      if (tty) streams.stdout.on('resize', onResize);
      streams.stdin.resume();
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      if (isBinary) {
        const target = bytes[0] === STDERR ? streams.stderr : bytes[0] === STDOUT ? streams.stdout : undefined;
        target?.write(bytes.subarray(1));
        return;
      }
      try {
        outcome = JSON.parse(bytes.toString('utf8')) as Control;
      } catch {
        // Not a message of this protocol: the session still ends with the connection.
      }
    });
    ws.once('error', (cause) => {
      detach();
      reject(new CliError(`the intercept session could not be opened: ${cause.message}`, 'check that the engine is running and reachable; a session must be opened within 30 s of being granted'));
    });
    ws.once('close', () => {
      detach();
      if (outcome?.type === 'exit') resolve(outcome.status);
      else if (outcome?.type === 'error') reject(new CliError(outcome.error.message, outcome.error.hint));
      else reject(new CliError('the engine ended the intercept session without an exit status', 'the engine may have stopped; see its log'));
    });
  });
}

function rawMode(stdin: NodeJS.ReadStream): () => void {
  stdin.setRawMode(true);
  return () => stdin.setRawMode(false);
}
