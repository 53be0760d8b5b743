import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Engine } from '../engine.js';
import { WeirError } from '../errors.js';
import { MAX_TERMINAL_SIDE, startIntercept, type InterceptCommand, type TerminalSize } from '../executors/sandbox/intercept-process.js';
import type { TaskContainer } from '../executors/sandbox/task-containers.js';
import { errorReply } from './error-reply.js';

/** The path a session's WebSocket is opened at, under the API prefix. */
const INTERCEPT_SESSION_PATH = '/intercept-sessions/';

/** How long a session waits for its WebSocket once granted. */
const TICKET_TTL_MS = 30_000;

/** Output held for a slow client before the process's output is paused. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

/** Frames: binary ones carry a stream byte then data; text ones are JSON control messages. */
export const STDOUT = 1;
export const STDERR = 2;

interface Pending {
  container: TaskContainer;
  command: InterceptCommand;
  expires: number;
}

/**
 * `weir intercept` over the API. A client asks with an authenticated POST (the bearer token,
 * checked like any change: intercepting runs code as the task does), which grants a one-time
 * ticket for 30 s; it then opens a WebSocket at `<prefix>/intercept-sessions/<ticket>`. The
 * ticket is 256 random bits, compared by lookup, used once: the upgrade itself needs no token,
 * so nothing else about WebSocket authentication (cookies sent cross-site) can open a session.
 *
 * Protocol: client → server binary frames are stdin, a text `{"type":"stdin-end"}` closes it,
 * a text `{"type":"resize","rows":R,"cols":C}` gives a session with a terminal a new size;
 * server → client binary frames are `[1 stdout | 2 stderr, ...bytes]`, then a text
 * `{"type":"exit","status":N}` or `{"type":"error","error":{code,message,hint}}` ends the session.
 */
export class InterceptSessions {
  private readonly pending = new Map<string, Pending>();
  private readonly open = new Set<WebSocket>();
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });

  constructor(
    private readonly engine: Engine,
    private readonly prefix: string,
    private readonly shutdown: AbortSignal,
  ) {
    shutdown.addEventListener('abort', () => {
      for (const socket of this.open) socket.terminate();
      this.wss.close();
    });
  }

  /** Grants a ticket for running `command` in `container`. */
  grant(container: TaskContainer, command: InterceptCommand): string {
    const now = Date.now();
    for (const [ticket, entry] of this.pending) if (entry.expires < now) this.pending.delete(ticket);
    const ticket = randomBytes(32).toString('base64url');
    this.pending.set(ticket, { container, command, expires: now + TICKET_TTL_MS });
    return ticket;
  }

  /** Where the ticket's WebSocket is opened, from the server's root. */
  pathFor(ticket: string): string {
    return `${this.prefix}${INTERCEPT_SESSION_PATH}${ticket}`;
  }

  /** Takes the server's upgrade requests: sessions at their path, every other one refused. */
  attach(server: Server): void {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = (request.url ?? '').split('?')[0]!;
      const start = `${this.prefix}${INTERCEPT_SESSION_PATH}`;
      const entry = path.startsWith(start) ? this.take(path.slice(start.length)) : undefined;
      if (entry === undefined || this.shutdown.aborted) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(request, socket, head, (ws) => this.run(ws, entry));
    });
  }

  private take(ticket: string): Pending | undefined {
    const entry = this.pending.get(ticket);
    if (entry === undefined) return undefined;
    this.pending.delete(ticket);
    return entry.expires < Date.now() ? undefined : entry;
  }

  private async run(ws: WebSocket, { container, command }: Pending): Promise<void> {
    this.open.add(ws);
    const stop = new AbortController();
    const logger = this.engine.logger.child({ component: 'intercept', buildId: container.owner.buildId, step: container.owner.step });
    // Stdin that arrives while the process starts is kept for it, and the latest size.
    const early: Array<Buffer | 'end'> = [];
    let stdinTo: ((data: Buffer | 'end') => void) | undefined;
    let sizeWaiting: TerminalSize | undefined;
    let resizeTo: ((size: TerminalSize) => void) | undefined;
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const message = isBinary ? undefined : controlMessage(data);
      if (message?.type === 'resize') {
        const size = terminalSize(message);
        if (size === undefined || command.tty === undefined) return;
        if (resizeTo) resizeTo(size);
        else sizeWaiting = size;
        return;
      }
      const item = isBinary ? toBuffer(data) : message?.type === 'stdin-end' ? 'end' : undefined;
      if (item === undefined) return;
      if (stdinTo) stdinTo(item);
      else early.push(item);
    });
    let kill = (): void => undefined;
    ws.once('close', () => {
      this.open.delete(ws);
      stop.abort();
      kill();
    });
    try {
      const started = await startIntercept(container, command, { images: () => this.engine.imageStore(), signal: stop.signal });
      kill = started.kill;
      if (stop.signal.aborted) {
        kill();
        return;
      }
      logger.info({ argv: command.argv[0], running: container.sandbox !== undefined }, 'intercepting a task\'s container');
      const { child } = started;
      child.stdin!.on('error', () => undefined);
      stdinTo = (item) => (item === 'end' ? child.stdin!.end() : child.stdin!.write(item));
      for (const item of early.splice(0)) stdinTo(item);
      resizeTo = (size) => void started.resize(size).catch((error: unknown) => logger.warn({ err: error }, 'could not resize the terminal'));
      if (sizeWaiting !== undefined) resizeTo(sizeWaiting);
      const forward = (stream: typeof STDOUT | typeof STDERR) => (chunk: Buffer) => {
        const source = stream === STDOUT ? child.stdout! : child.stderr!;
        ws.send(Buffer.concat([Buffer.from([stream]), chunk]), () => {
          if (ws.bufferedAmount < MAX_BUFFERED_BYTES) source.resume();
        });
        if (ws.bufferedAmount >= MAX_BUFFERED_BYTES) source.pause();
      };
      child.stdout!.on('data', forward(STDOUT));
      child.stderr!.on('data', forward(STDERR));
      const status = await started.exited;
      ws.send(JSON.stringify({ type: 'exit', status }));
      ws.close(1000);
    } catch (error) {
      const { body, internal } = errorReply(error);
      if (internal) logger.error({ err: error }, 'intercept failed');
      if (ws.readyState === ws.OPEN) {
        ws.send(JSON.stringify({ type: 'error', ...body }));
        ws.close(1000);
      }
    }
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function controlMessage(data: RawData): ({ type: string } & Record<string, unknown>) | undefined {
  try {
    const message = JSON.parse(toBuffer(data).toString('utf8')) as unknown;
    if (typeof message !== 'object' || message === null || typeof (message as { type?: unknown }).type !== 'string') return undefined;
    return message as { type: string } & Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** A terminal size a client sent, bounded as the POST's `tty` is; anything else is ignored. */
function terminalSize(message: Record<string, unknown>): TerminalSize | undefined {
  const { rows, cols } = message;
  const valid = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= MAX_TERMINAL_SIDE;
  return valid(rows) && valid(cols) ? { rows, cols } : undefined;
}

/** A container by build and name, or the error a client can act on. */
export function requireContainer(engine: Engine, buildId: number, name: string): TaskContainer {
  const container = engine.containers.find(buildId, name);
  if (container === undefined) {
    throw new WeirError('container-not-found', `build ${buildId} has no task container ${JSON.stringify(name)} to intercept`, {
      hint: 'list them with GET /api/v1/containers?build_id=N; a failed build\'s containers are kept only for a while, and a succeeded build\'s not at all',
    });
  }
  return container;
}
