import { PassThrough, type Readable, type Writable } from 'node:stream';
import type { V1Status } from '@kubernetes/client-node';
import type { ClusterConnection } from './cluster-connection.js';

export interface PodExecResult {
  /** The command's exit status, from the Status the API server sends when it ends. */
  exitStatus: number;
  /** What the command wrote on stderr, its last 4 KiB. */
  stderr: string;
}

const STDERR_KEPT = 4096;

/**
 * Runs a command in a running container through the API server's exec (a WebSocket with the
 * v5.channel.k8s.io protocol, which can close stdin: v4 servers cannot, so a command reading
 * stdin to its end would wait forever). Resolves once the server sent the exit status (the
 * client has ended `stdout` by then; a caller writing it somewhere waits for that itself);
 * aborting closes the connection.
 */
export async function execInPod(
  connection: ClusterConnection,
  target: { namespace: string; pod: string; container: string },
  command: string[],
  io: { stdin?: Readable; stdout?: Writable; signal: AbortSignal },
): Promise<PodExecResult> {
  const stderr = new PassThrough();
  let kept = '';
  stderr.on('data', (chunk: Buffer) => {
    kept = (kept + chunk.toString('utf8')).slice(-STDERR_KEPT);
  });
  const stdout = io.stdout ?? new PassThrough().resume();
  let settle: (status: V1Status | Error) => void = () => undefined;
  const ended = new Promise<V1Status | Error>((resolve) => (settle = resolve));
  const socket = await connection.exec.exec(target.namespace, target.pod, target.container, command, stdout, stderr, io.stdin ?? null, false, (status) => settle(status));
  const onAbort = (): void => settle(io.signal.reason as Error);
  io.signal.addEventListener('abort', onAbort, { once: true });
  socket.on('close', () => settle(new Error(`the exec connection to ${target.pod}/${target.container} closed before the command's status arrived`)));
  socket.on('error', (error: Error) => settle(error));
  try {
    const outcome = await ended;
    if (outcome instanceof Error) throw outcome;
    return { exitStatus: exitStatusOf(outcome), stderr: kept };
  } finally {
    io.signal.removeEventListener('abort', onAbort);
    socket.close();
  }
}

/** `Success`, or `NonZeroExitCode` with the code in `details.causes` as the kubelet reports it. */
function exitStatusOf(status: V1Status): number {
  if (status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((entry) => entry.reason === 'ExitCode');
  const code = Number(cause?.message);
  return Number.isInteger(code) ? code : 1;
}
