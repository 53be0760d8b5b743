import type { Engine } from '../engine.js';

/** What every route file needs. */
export interface ApiContext {
  engine: Engine;
  /** Where users reach this API (what clients should put in webhook URLs); known once listening. */
  externalUrl(): string;
  /** Aborted when the server closes, so streams that never end on their own let it close. */
  shutdown: AbortSignal;
}
