import { Writable } from 'node:stream';
import { LineSplitter } from '../local/line-splitter.js';
import type { ClusterConnection } from './cluster-connection.js';
import { TASK_CONTAINER } from './task-pod.js';

/**
 * The task container's log, followed from its start: each line as it is written, until the
 * container ends. Kubernetes keeps one log per container, stdout and stderr interleaved, so
 * every line is reported as stdout. `done` resolves once the last line is delivered.
 */
export async function followTaskLog(connection: ClusterConnection, target: { namespace: string; pod: string }, onLine: (line: string) => void): Promise<{ done: Promise<void>; stop(): void }> {
  const splitter = new LineSplitter(onLine);
  let finished: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      splitter.push(chunk);
      callback();
    },
    final(callback) {
      splitter.end();
      finished();
      callback();
    },
  });
  sink.on('error', () => finished());
  sink.on('close', () => finished());
  const controller = await connection.log.log(target.namespace, target.pod, TASK_CONTAINER, sink, { follow: true, pretty: false, timestamps: false });
  return { done, stop: () => controller.abort() };
}
