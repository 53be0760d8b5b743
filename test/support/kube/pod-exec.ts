import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { SimulatedKubelet } from './kubelet.js';

/** Channels of the Kubernetes streaming protocol: the first byte of each binary message. */
const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const STATUS = 3;
/** v5.channel.k8s.io: `[255, channel]` closes that channel (stdin's end, which v4 cannot say). */
const CLOSE = 255;
const PROTOCOL = 'v5.channel.k8s.io';
const CHUNK = 64 * 1024;

/**
 * `pods/exec` as the API server serves it over WebSocket with the v5.channel.k8s.io protocol:
 * stdin arrives on channel 0 until the client closes it, the command runs in the container's
 * filesystem through the kubelet, its output goes back on channels 1 and 2 and its end as a
 * Status on channel 3. Refusals before the upgrade are plain HTTP answers, as the API server's.
 * Returns what closes every open exec.
 */
export function serveExec(
  server: Server,
  context: { token: string; kubelet: SimulatedKubelet; refusal(verb: string, resource: string, namespace: string, name: string): string | undefined; requests: string[] },
): () => void {
  const sockets = new WebSocketServer({ noServer: true, handleProtocols: (offered) => (offered.has(PROTOCOL) ? PROTOCOL : false) });
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    context.requests.push(`${request.method} ${request.url}`);
    const url = new URL(request.url ?? '/', 'http://simulator');
    const match = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/exec$/.exec(url.pathname);
    if (request.headers.authorization !== `Bearer ${context.token}`) return refuse(socket, 401, 'Unauthorized');
    if (!match) return refuse(socket, 404, 'the server could not find the requested resource');
    const namespace = decodeURIComponent(match[1]!);
    const pod = decodeURIComponent(match[2]!);
    const refused = context.refusal('create', 'pods/exec', namespace, pod);
    if (refused !== undefined) return refuse(socket, 403, refused);
    const container = url.searchParams.get('container') ?? '';
    const command = url.searchParams.getAll('command');
    if (command.length === 0) return refuse(socket, 400, 'you must specify at least 1 command');
    const target = context.kubelet.execTarget(namespace, pod, container);
    if (typeof target === 'string') return refuse(socket, 400, `unable to upgrade connection: ${target}`);
    if (!String(request.headers['sec-websocket-protocol'] ?? '').split(',').map((entry) => entry.trim()).includes(PROTOCOL)) {
      return refuse(socket, 400, `the simulator speaks only ${PROTOCOL}`);
    }
    sockets.handleUpgrade(request, socket, head, (ws) => {
      void runExec(ws, context.kubelet, { namespace, pod, container, command: command as [string, ...string[]], stdin: url.searchParams.get('stdin') === 'true' });
    });
  });
  return () => {
    for (const client of sockets.clients) client.terminate();
    sockets.close();
  };
}

async function runExec(ws: WebSocket, kubelet: SimulatedKubelet, exec: { namespace: string; pod: string; container: string; command: [string, ...string[]]; stdin: boolean }): Promise<void> {
  const abort = new AbortController();
  ws.on('close', () => abort.abort(new Error('the exec connection closed')));
  const input = exec.stdin ? await readStdin(ws) : undefined;
  if (abort.signal.aborted) return;
  try {
    const result = await kubelet.exec(exec.namespace, exec.pod, exec.container, exec.command, input, abort.signal);
    for (let at = 0; at < result.stdout.length; at += CHUNK) await send(ws, STDOUT, result.stdout.subarray(at, at + CHUNK));
    if (result.stderr !== '') await send(ws, STDERR, Buffer.from(`${result.stderr}\n`));
    const status =
      result.exitStatus === 0
        ? { metadata: {}, status: 'Success' }
        : {
            metadata: {},
            status: 'Failure',
            message: `command terminated with non-zero exit code: error executing command [${exec.command.join(' ')}], exit code ${result.exitStatus}`,
            reason: 'NonZeroExitCode',
            details: { causes: [{ reason: 'ExitCode', message: String(result.exitStatus) }] },
          };
    await send(ws, STATUS, Buffer.from(JSON.stringify(status)));
  } catch (error) {
    if (!abort.signal.aborted) await send(ws, STATUS, Buffer.from(JSON.stringify({ metadata: {}, status: 'Failure', message: (error as Error).message, reason: 'InternalError' })));
  }
  ws.close(1000);
}

/** Everything sent on stdin until the client closes it. */
function readStdin(ws: WebSocket): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const onMessage = (data: Buffer, isBinary: boolean): void => {
      const message = isBinary ? data : Buffer.from(data);
      if (message[0] === STDIN) chunks.push(message.subarray(1));
      else if (message[0] === CLOSE && message[1] === STDIN) {
        ws.off('message', onMessage);
        resolve(Buffer.concat(chunks));
      }
    };
    ws.on('message', onMessage);
    ws.on('close', () => resolve(Buffer.concat(chunks)));
  });
}

function send(ws: WebSocket, channel: number, payload: Buffer): Promise<void> {
  return new Promise((resolve, reject) => ws.send(Buffer.concat([Buffer.from([channel]), payload]), { binary: true }, (error) => (error ? reject(error) : resolve())));
}

function refuse(socket: Duplex, code: number, message: string): void {
  const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, code });
  socket.end(`HTTP/1.1 ${code} ${code === 403 ? 'Forbidden' : code === 401 ? 'Unauthorized' : code === 404 ? 'Not Found' : 'Bad Request'}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}
