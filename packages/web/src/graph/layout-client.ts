import type { PipelineGraph } from '../api.js';
import type { GraphLayout } from './layout.js';

let worker: Worker | undefined;
let nextId = 0;
const waiting = new Map<number, { resolve(layout: GraphLayout): void; reject(error: Error): void }>();

/** The layout of `graph`, computed in a worker. */
export function layoutInWorker(graph: PipelineGraph): Promise<GraphLayout> {
  if (!worker) {
    worker = new Worker(new URL('./layout-worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (event: MessageEvent<{ id: number; layout?: GraphLayout; error?: string }>) => {
      const pending = waiting.get(event.data.id);
      waiting.delete(event.data.id);
      if (event.data.layout) pending?.resolve(event.data.layout);
      else pending?.reject(new Error(`the graph could not be laid out: ${event.data.error}`));
    };
  }
  const id = nextId++;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    worker!.postMessage({ id, graph });
  });
}
