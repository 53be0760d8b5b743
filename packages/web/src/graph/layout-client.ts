import type { PipelineGraph } from '../api.js';
import type { GraphLayout } from './layout.js';
import type { LayoutMessage, LayoutRequest } from './layout-worker.js';

interface Listener {
  part(part: GraphLayout): void;
  done(): void;
  error(error: Error): void;
}

let worker: Worker | undefined;
let nextId = 0;
const listeners = new Map<number, Listener>();

/** The layout worker, started on first use; a page calls it early so the worker's script loads while the graph is fetched. */
export function layoutWorker(): Worker {
  if (worker) return worker;
  worker = new Worker(new URL('./layout-worker.ts', import.meta.url), { type: 'module' });
  worker.onmessage = (event: MessageEvent<LayoutMessage>) => {
    const message = event.data;
    const listener = listeners.get(message.id);
    if (!listener) return;
    if ('part' in message) listener.part(message.part);
    else {
      listeners.delete(message.id);
      if ('done' in message) listener.done();
      else listener.error(new Error(`the graph could not be laid out: ${message.error}`));
    }
  };
  return worker;
}

/** Lays `graph` out in the worker, handing over each batch of parts as it is done; returns a function that cancels it. */
export function layoutInWorker(graph: PipelineGraph, listener: Listener): () => void {
  const id = nextId++;
  listeners.set(id, listener);
  const send = (request: LayoutRequest) => layoutWorker().postMessage(request);
  send({ id, graph });
  return () => {
    if (listeners.delete(id)) send({ id, cancel: true });
  };
}
