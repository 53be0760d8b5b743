import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AnyResourceType } from '@weir/resources';
import { createLogger, type Logger } from './logging.js';
import { Checker, type CheckerOptions } from './checker/checker.js';
import type { StaticVars } from './config/vars.js';
import { loadPipelineForSet } from './pipelines/load-for-set.js';
import { planPipelineSave } from './pipelines/plan-pipeline-save.js';
import { ResourceTypeRegistry } from './resource-types/registry.js';
import { SchedulingLoop } from './scheduler/scheduling-loop.js';
import { Store } from './store/index.js';
import type { InstanceVars, PipelineRecord } from './store/records.js';
import type { Problem } from './config/problem.js';
import { WeirError } from './errors.js';

export interface EngineOptions {
  /** The data directory (default `./.weir`), or `:memory:` for tests. */
  dataDir: string;
  resourceTypes: Iterable<AnyResourceType>;
  logger?: Logger;
  checker?: Pick<CheckerOptions, 'concurrency' | 'tickMs' | 'defaultIntervalMs' | 'random'>;
  schedulerFallbackIntervalMs?: number;
  now?: () => number;
}

export interface SetPipelineRequest {
  name: string;
  team?: string;
  instanceVars?: InstanceVars;
  text: string;
  /** Shown in errors. */
  file?: string;
  vars?: StaticVars;
  /** The config version the caller last read; the set fails if it changed since. */
  expectedConfigVersion?: number;
  pausedIfNew?: boolean;
}

/** The checker, the scheduler and their store, as one engine on one data directory. */
export class Engine {
  readonly store: Store;
  readonly registry: ResourceTypeRegistry;
  readonly checker: Checker;
  readonly scheduler: SchedulingLoop;
  readonly logger: Logger;
  private readonly builtinTypeNames: Set<string>;
  private started = false;

  private constructor(options: EngineOptions) {
    this.logger = options.logger ?? createLogger();
    this.registry = new ResourceTypeRegistry(options.resourceTypes);
    this.builtinTypeNames = new Set([...options.resourceTypes].flatMap((t) => [t.name, ...(t.aliases ?? [])]));
    this.store = Store.open({ dataDir: options.dataDir, ...(options.now && { now: options.now }) });
    const cacheDir = options.dataDir === ':memory:' ? join(tmpdir(), `weir-cache-${process.pid}`) : join(resolve(options.dataDir), 'cache');
    this.checker = new Checker({
      store: this.store,
      registry: this.registry,
      logger: this.logger.child({ component: 'checker' }),
      cacheDir,
      ...options.checker,
      ...(options.now && { now: options.now }),
    });
    this.scheduler = new SchedulingLoop({
      store: this.store,
      logger: this.logger.child({ component: 'scheduler' }),
      ...(options.schedulerFallbackIntervalMs !== undefined && { fallbackIntervalMs: options.schedulerFallbackIntervalMs }),
    });
  }

  /** Opens the data directory; fails if another engine holds it. */
  static open(options: EngineOptions): Engine {
    return new Engine(options);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    // Requests are durable, but a pass may have been cut short; look at every job once.
    this.store.jobs.requestAll();
    this.scheduler.start();
    this.checker.start();
  }

  async stop(): Promise<void> {
    this.scheduler.stop();
    await this.checker.stop();
    this.store.close();
  }

  /** Validates and saves a pipeline; resources are checked and jobs scheduled from then on. */
  setPipeline(request: SetPipelineRequest): { pipeline: PipelineRecord; created: boolean; warnings: Problem[] } {
    if (request.name.trim() === '' || request.name.includes('/')) {
      throw new WeirError('pipeline-name-invalid', `${JSON.stringify(request.name)} cannot name a pipeline`, {
        location: request.name,
        hint: 'use a non-empty name without "/", e.g. my-app; tell instances apart with instance vars',
      });
    }
    const file = request.file ?? `${request.name}.yml`;
    // As with `fly set-pipeline -i`, instance vars are also vars of the pipeline, and win.
    const vars = request.vars || request.instanceVars ? { ...request.vars, ...request.instanceVars } : undefined;
    const loaded = loadPipelineForSet(request.text, {
      file,
      ...(vars && { vars }),
      builtinTypes: this.builtinTypeNames,
    });
    const ref = { name: request.name, ...(request.team && { team: request.team }), ...(request.instanceVars && { instanceVars: request.instanceVars }) };
    const saved = this.store.pipelines.save(
      planPipelineSave(loaded.config, ref, {
        ...(request.expectedConfigVersion !== undefined && { expectedConfigVersion: request.expectedConfigVersion }),
        ...(request.pausedIfNew !== undefined && { pausedIfNew: request.pausedIfNew }),
      }),
    );
    this.logger.info({ pipeline: request.name, configVersion: saved.pipeline.configVersion, created: saved.created }, 'pipeline set');
    return { ...saved, warnings: loaded.warnings };
  }
}
