import type { PipelineGraph } from '../api.js';
import { layoutInParts, type GraphLayout } from './layout.js';

export type LayoutRequest = { id: number; graph: PipelineGraph } | { id: number; cancel: true };
export type LayoutMessage = { id: number; part: GraphLayout } | { id: number; done: true } | { id: number; error: string };

let current: { id: number; parts: Generator<GraphLayout> } | undefined;

/**
 * Lays graphs out off the main thread, so a large pipeline never freezes the page. Each batch
 * of parts goes back as soon as it is laid out, and the worker reads its messages between
 * batches: a newer request (another group's tab) replaces an older one still running.
 */
self.onmessage = (event: MessageEvent<LayoutRequest>) => {
  const request = event.data;
  if ('cancel' in request) {
    if (current?.id === request.id) current = undefined;
    return;
  }
  current = { id: request.id, parts: layoutInParts(request.graph) };
  setTimeout(step);
};

function step(): void {
  const job = current;
  if (!job) return;
  try {
    const next = job.parts.next();
    if (next.done) {
      post({ id: job.id, done: true });
      current = undefined;
      return;
    }
    post({ id: job.id, part: next.value });
    setTimeout(step);
  } catch (error) {
    post({ id: job.id, error: (error as Error).message });
    current = undefined;
  }
}

function post(message: LayoutMessage): void {
  self.postMessage(message);
}
