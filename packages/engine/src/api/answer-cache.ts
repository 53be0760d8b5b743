/** What a route answering with the cache's text says it is (as fastify says of JSON it serializes). */
export const JSON_TYPE = 'application/json; charset=utf-8';

/** How much answer text is kept, in characters; the least recently asked for goes first. */
const MAX_CHARS = 8 * 1024 * 1024;

/**
 * Answers of read routes as JSON text, kept while nothing was written to the store: the
 * version is SQLite's count of rows this connection changed, and weir's store is the only
 * writer, so an unchanged count means every table reads as it did. A list polled by many
 * pages at once (a pipeline's 100 jobs, the dashboard) is then computed and serialized once
 * per change instead of once per reader; while builds run, their logs are written every
 * 100 ms, so a kept answer lives at most that long, and readers within it share it.
 */
export class AnswerCache {
  private readonly entries = new Map<string, { version: number; json: string }>();
  private chars = 0;

  constructor(
    private readonly version: () => number,
    private readonly maxChars = MAX_CHARS,
  ) {}

  /** The answer for `key` at the store's current version, computed by `answer` if not kept. */
  json(key: string, answer: () => unknown): string {
    const version = this.version();
    const kept = this.entries.get(key);
    if (kept) {
      this.entries.delete(key);
      this.chars -= kept.json.length;
    }
    const entry = kept && kept.version === version ? kept : { version, json: JSON.stringify(answer()) };
    this.entries.set(key, entry);
    this.chars += entry.json.length;
    for (const [oldest, { json }] of this.entries) {
      if (this.chars <= this.maxChars || oldest === key) break;
      this.entries.delete(oldest);
      this.chars -= json.length;
    }
    return entry.json;
  }
}
