import { pipelineGraph } from './pipeline-graph.js';

/** How many pipelines' graphs are kept; the least recently asked for goes first. */
const MAX_ENTRIES = 32;

/**
 * The graph route's answers, as JSON text, so a page polling a large pipeline (1,000 jobs: tens
 * of milliseconds to compute, 300 KB to serialize) is not recomputed while its config stays
 * the same. An entry is found by pipeline id and used only when the stored config text is
 * the same as the one it was computed from: a pipeline id SQLite reuses after a delete, or a
 * config set again, can never get another config's graph.
 */
export class PipelineGraphCache {
  private readonly entries = new Map<number, { configText: string; json: string }>();

  /** The graph of the config stored as `configText` (the cache's key with `pipelineId`), as JSON; the text is parsed only when it changed. */
  json(pipelineId: number, configText: string): string {
    const cached = this.entries.get(pipelineId);
    this.entries.delete(pipelineId);
    const entry = cached && cached.configText === configText ? cached : { configText, json: JSON.stringify(pipelineGraph(JSON.parse(configText))) };
    this.entries.set(pipelineId, entry);
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    return entry.json;
  }
}
