import type { PipelineGraph } from '../api.js';
import { layoutGraph } from './layout.js';

/** Lays graphs out off the main thread, so a large pipeline never freezes the page. */
self.onmessage = (event: MessageEvent<{ id: number; graph: PipelineGraph }>) => {
  const { id, graph } = event.data;
  try {
    self.postMessage({ id, layout: layoutGraph(graph) });
  } catch (error) {
    self.postMessage({ id, error: (error as Error).message });
  }
};
