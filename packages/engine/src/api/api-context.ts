import type { Engine } from '../engine.js';
import type { AnswerCache } from './answer-cache.js';

/** What every route file needs. */
export interface ApiContext {
  engine: Engine;
  /** Where users reach this API (what clients should put in webhook URLs); known once listening. */
  externalUrl(): string;
  /** Aborted when the server closes, so streams that never end on their own let it close. */
  shutdown: AbortSignal;
  /** Answers of read routes many pages poll, kept while the store is unchanged. */
  answers: AnswerCache;
}
