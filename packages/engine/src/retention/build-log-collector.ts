import type { Logger } from 'pino';
import type { Store } from '../store/index.js';
import { buildsWhoseLogsExpire, engineRetentionApplies, logRetentionPolicy, type EngineLogRetention } from './build-log-retention.js';

export interface BuildLogCollectorOptions {
  store: Store;
  logger: Logger;
  /** How often it runs (default: every 10 minutes, and once a minute after start). */
  intervalMs?: number;
  now?: () => number;
  /** The engine's default and maximum retention, for every job. */
  defaults?: EngineLogRetention;
}

export interface CollectionRound {
  jobs: number;
  builds: number;
  lines: number;
}

/**
 * Deletes the log lines of old builds as each job's `build_log_retention` and the engine's
 * default and maximum say, so a store does not grow forever (Concourse's build log collector). A periodic component (habit 9): it runs
 * on a timer, and `runOnce` runs it now. It yields to the event loop between jobs, so a large
 * installation's round never holds the API up for long.
 */
export class BuildLogCollector {
  private firstRound: NodeJS.Timeout | undefined;
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<CollectionRound> | undefined;
  private stopped = false;

  constructor(private readonly options: BuildLogCollectorOptions) {}

  start(): void {
    this.stopped = false;
    const every = this.options.intervalMs ?? 10 * 60_000;
    const tick = (): void => {
      this.runOnce().catch((error: unknown) => this.options.logger.warn({ err: error }, 'deleting old build logs failed; the next round tries again'));
    };
    this.firstRound = setTimeout(tick, Math.min(every, 60_000));
    this.firstRound.unref();
    this.timer = setInterval(tick, every);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.firstRound);
    clearInterval(this.timer);
    await this.round?.catch(() => undefined);
  }

  /** One round over every job with a retention; a round already running is joined, not doubled. */
  runOnce(): Promise<CollectionRound> {
    this.round ??= this.collect().finally(() => {
      this.round = undefined;
    });
    return this.round;
  }

  private async collect(): Promise<CollectionRound> {
    const { store, logger } = this.options;
    const now = this.options.now ?? Date.now;
    const round: CollectionRound = { jobs: 0, builds: 0, lines: 0 };
    const defaults = this.options.defaults ?? {};
    for (const job of store.buildLogs.jobsWithRetention(engineRetentionApplies(defaults))) {
      if (this.stopped) break;
      const policy = logRetentionPolicy(job.config, defaults);
      if (policy === undefined) continue;
      const expired = buildsWhoseLogsExpire(store.buildLogs.buildsWithLogs(job.id), policy, now());
      for (const buildId of expired) round.lines += store.buildLogs.deleteLogs(buildId);
      round.jobs++;
      round.builds += expired.length;
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (round.builds > 0) logger.info(round, 'deleted the logs of old builds, as their jobs\' build_log_retention says');
    return round;
  }
}
