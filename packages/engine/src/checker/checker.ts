import { timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { ResourceError, type AnyResourceType, type LocalPathPolicy, type Version } from '@weir/resources';
import type { Logger } from 'pino';
import { WeirError } from '../errors.js';
import type { EngineSecrets } from '../secrets/engine-secrets.js';
import { Redactor } from '../secrets/redactor.js';
import { hasSecretReferences } from '../secrets/substitute-vars.js';
import type { PipelineResourceTypes } from '../resource-types/pipeline-types.js';
import type { ResourceTypeRegistry } from '../resource-types/registry.js';
import type { Store } from '../store/index.js';
import type { ResourceRecord } from '../store/records.js';
import { firstCheckAt, nextCheckAt, nextCheckForDueVersion, scopeTiming, type ScopeTiming } from './check-schedule.js';
import { runCheck } from './run-check.js';

export interface CheckerOptions {
  store: Store;
  registry: ResourceTypeRegistry;
  logger: Logger;
  /** Where resource types keep state between checks, one folder per history. */
  cacheDir: string;
  /** Where pipelines may name paths on this machine. */
  localPaths: LocalPathPolicy;
  /** Looks up the secrets a resource's source refers to, at each check. */
  secrets: EngineSecrets;
  /** Checks running at once, across all pipelines. */
  concurrency?: number;
  /** How often due checks are looked for; finished checks start the next one at once. */
  tickMs?: number;
  defaultIntervalMs?: number;
  now?: () => number;
  random?: () => number;
  /**
   * Called in the same tick as a check that saved new versions, after their commit: the
   * engine runs the scheduling pass right then, so a webhook or a poll that finds a commit
   * starts its build without waiting for another turn of the event loop.
   */
  scheduleNow?: () => void;
}

export interface CheckOutcome {
  scopeId: number;
  ok: boolean;
  newVersions: number;
  error?: string;
}

interface ScopeState {
  scopeId: number;
  type: string;
  /** A representative resource: all resources of a history have the same type and source. */
  resource: { id: number; pipelineId: number; name: string; config: Record<string, unknown> };
  timing: ScopeTiming;
  nextAt: number | null;
  failures: number;
  running: Promise<CheckOutcome> | null;
}

/** setTimeout's longest delay; a later wake-up is re-armed when this one fires. */
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

interface ManualRequest {
  scopeId: number;
  from: Version | undefined;
  resolve: (outcome: CheckOutcome) => void;
}

/**
 * Finds new versions (habit 9: a named periodic component with a "run now" path). One schedule
 * per shared history; a global cap on concurrent checks; manual and webhook checks go first; a
 * failing check records its error and backs off without holding up the others.
 */
export class Checker {
  private readonly scopes = new Map<number, ScopeState>();
  private readonly manual: ManualRequest[] = [];
  /** Each pipeline's resource types, read from its config once until a pipeline changes. */
  private readonly pipelineTypes = new Map<number, PipelineResourceTypes>();
  private readonly stopping = new AbortController();
  private readonly concurrency: number;
  private readonly now: () => number;
  private readonly random: () => number;
  private scopesStale = true;
  private active = 0;
  private timer: NodeJS.Timeout | undefined;
  private wake: { at: number; timer: NodeJS.Timeout } | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly options: CheckerOptions) {
    this.concurrency = Math.max(1, options.concurrency ?? 8);
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  start(): void {
    this.unsubscribe = this.options.store.subscribe((event) => {
      if (event.kind === 'pipelines-changed') {
        this.scopesStale = true;
        this.pipelineTypes.clear();
        setImmediate(() => this.tick());
      }
    });
    this.timer = setInterval(() => this.tick(), this.options.tickMs ?? 1000);
    this.timer.unref();
    this.tick();
  }

  /** Stops scheduling, aborts running checks and waits for them to settle. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    clearTimeout(this.wake?.timer);
    this.unsubscribe?.();
    this.stopping.abort();
    for (const request of this.manual.splice(0)) request.resolve({ scopeId: request.scopeId, ok: false, newVersions: 0, error: 'the engine stopped' });
    await Promise.allSettled([...this.scopes.values()].map((scope) => scope.running));
  }

  /** Starts every check that is due, up to the concurrency cap. */
  tick(): void {
    if (this.stopping.signal.aborted) return;
    if (this.scopesStale) this.refreshScopes();
    this.launchAvailable();
  }

  /**
   * Checks a resource now (`weir check-resource`), optionally from a given version. Resolves
   * when the check has run; a check already running for the history is shared.
   */
  checkResource(resourceId: number, from?: Version): Promise<CheckOutcome> {
    const resource = this.options.store.resources.byId(resourceId);
    if (!resource || !resource.active) {
      return Promise.reject(new WeirError('resource-not-found', `no resource with id ${resourceId}`, { hint: 'list the pipeline\'s resources to see their ids' }));
    }
    let state = this.scopes.get(resource.scopeId);
    if (!state) {
      state = this.newScopeState(resource.scopeId, resource.type, resource, [resource.config]);
      // Periodic checks are for active pipelines only; the next refresh schedules this one if it is.
      state.nextAt = null;
      this.scopes.set(resource.scopeId, state);
    }
    if (state.running && from === undefined) return state.running;
    return new Promise((resolve) => {
      this.manual.push({ scopeId: resource.scopeId, from, resolve });
      this.launchAvailable();
    });
  }

  /** A webhook call for a resource: the token must match the resource's `webhook_token`. */
  checkByWebhook(pipelineId: number, resourceName: string, token: string): Promise<CheckOutcome> {
    const resource = this.webhookTarget(pipelineId, resourceName, token);
    if (!resource) {
      // One answer for every failure, so the endpoint tells nothing about which resources exist.
      return Promise.reject(
        new WeirError('webhook-token-invalid', `no resource ${resourceName} accepts this webhook token`, {
          location: resourceName,
          hint: 'use the webhook_token set on the resource in the pipeline',
        }),
      );
    }
    return this.checkResource(resource.id);
  }

  /** The resource a webhook with `token` may check, if its `webhook_token` is that token. */
  webhookTarget(pipelineId: number, resourceName: string, token: string): ResourceRecord | undefined {
    const resource = this.options.store.resources.get(pipelineId, resourceName);
    const expected = typeof resource?.config.webhook_token === 'string' ? resource.config.webhook_token : undefined;
    // A token still holding a ((reference)) would accept whoever sends the reference's text.
    if (expected === undefined || hasSecretReferences(expected)) return undefined;
    return resource && sameSecret(expected, token) ? resource : undefined;
  }

  private refreshScopes(): void {
    this.scopesStale = false;
    const seen = new Set<number>();
    for (const scope of this.options.store.resources.checkableScopes()) {
      seen.add(scope.scopeId);
      const first = scope.resources[0]!;
      const existing = this.scopes.get(scope.scopeId);
      const timing = scopeTiming(
        scope.resources.map((r) => r.config),
        this.options.defaultIntervalMs === undefined ? {} : { intervalMs: this.options.defaultIntervalMs },
      );
      if (existing) {
        existing.resource = first;
        existing.timing = timing;
        if (existing.nextAt === null && !existing.running) existing.nextAt = firstCheckAt(this.now(), timing, this.random);
      } else {
        this.scopes.set(scope.scopeId, this.newScopeState(scope.scopeId, scope.type, first, [], timing));
      }
    }
    for (const [scopeId, state] of this.scopes) {
      if (!seen.has(scopeId)) state.nextAt = null;
    }
  }

  private newScopeState(
    scopeId: number,
    type: string,
    resource: ScopeState['resource'],
    configs: Array<Record<string, unknown>>,
    timing: ScopeTiming = scopeTiming(configs),
  ): ScopeState {
    return { scopeId, type, resource, timing, nextAt: firstCheckAt(this.now(), timing, this.random), failures: 0, running: null };
  }

  private launchAvailable(): void {
    while (this.active < this.concurrency && !this.stopping.signal.aborted) {
      const manualIndex = this.manual.findIndex((request) => !this.scopes.get(request.scopeId)?.running);
      if (manualIndex >= 0) {
        const [request] = this.manual.splice(manualIndex, 1);
        const state = this.scopes.get(request!.scopeId)!;
        void this.launch(state, request!.from).then(request!.resolve);
        continue;
      }
      const due = this.mostOverdue();
      if (!due) break;
      void this.launch(due, undefined);
    }
    this.armWake();
  }

  /**
   * The tick finds due checks only every `tickMs`; a check due at a known instant (a cron slot)
   * should start right then, so once started a timer also wakes the checker for the earliest.
   */
  private armWake(): void {
    if (this.timer === undefined || this.stopping.signal.aborted) return;
    const now = this.now();
    let earliest: number | undefined;
    for (const state of this.scopes.values()) {
      // A check already due waits for room under the concurrency cap; a finishing check makes room and starts it.
      if (state.running || state.nextAt === null || state.nextAt <= now) continue;
      if (earliest === undefined || state.nextAt < earliest) earliest = state.nextAt;
    }
    if (earliest === this.wake?.at) return;
    clearTimeout(this.wake?.timer);
    this.wake = undefined;
    if (earliest === undefined) return;
    const timer = setTimeout(() => {
      this.wake = undefined;
      this.tick();
    }, Math.min(earliest - now, MAX_TIMER_DELAY_MS));
    timer.unref();
    this.wake = { at: earliest, timer };
  }

  private mostOverdue(): ScopeState | undefined {
    const now = this.now();
    let best: ScopeState | undefined;
    for (const state of this.scopes.values()) {
      if (state.running || state.nextAt === null || state.nextAt > now) continue;
      if (!best || state.nextAt < best.nextAt!) best = state;
    }
    return best;
  }

  private launch(state: ScopeState, from: Version | undefined): Promise<CheckOutcome> {
    this.active += 1;
    const running = this.check(state, from).finally(() => {
      this.active -= 1;
      state.running = null;
      this.launchAvailable();
    });
    state.running = running;
    return running;
  }

  private async check(state: ScopeState, from: Version | undefined): Promise<CheckOutcome> {
    const { store, logger } = this.options;
    const location = `${this.pipelineName(state.resource.pipelineId)}/${state.resource.name}`;
    // Check errors often quote the source (a URL with credentials); they are stored and shown.
    const redactor = new Redactor();
    const redact = (text: string) => redactor.redact(text);
    try {
      const type = this.typesOf(state.resource.pipelineId).require(state.type, location);
      const pipeline = store.pipelines.sharedById(state.resource.pipelineId);
      const written = state.resource.config.source ?? {};
      const secrets = pipeline && this.options.secrets.forPipeline(pipeline, redactor, this.stopping.signal);
      // Without references the check starts in this tick, as the check scheduling relies on.
      const source = secrets && hasSecretReferences(written) ? await secrets.resolve(written, location) : written;
      // A check that reports every version says which ones are gone; one given `from` by hand does not.
      const complete = type.checkReportsAll === true && from === undefined;
      const versions = await runCheck({
        type,
        source,
        from: complete ? undefined : (from ?? store.resources.latestVersion(state.scopeId)?.version),
        timeoutMs: state.timing.timeoutMs,
        location,
        logger: logger.child({ check: location }),
        cacheDir: join(this.options.cacheDir, String(state.scopeId)),
        localPaths: this.options.localPaths,
        redact,
        signal: this.stopping.signal,
        now: () => this.now(),
        ...(secrets && { resolveSecrets: <T>(value: T, at: string) => secrets.resolve(value, at) }),
      });
      const redacted = versions.map((versioned) => (versioned.metadata ? { ...versioned, metadata: redactor.redactValue(versioned.metadata) } : versioned));
      const saved = complete ? store.resources.saveCompleteCheck(state.scopeId, redacted) : store.resources.saveCheckedVersions(state.scopeId, redacted);
      store.resources.clearCheckFailure(state.scopeId);
      state.failures = 0;
      const endedAt = this.now();
      state.nextAt = nextCheckForDueVersion(nextCheckAt(endedAt, state.timing, 0, this.random), endedAt, this.versionDueAt(type, source, endedAt, location, join(this.options.cacheDir, String(state.scopeId))));
      if (saved.newVersions > 0) {
        logger.info({ resource: location, newVersions: saved.newVersions }, 'found new versions');
        this.options.scheduleNow?.();
      }
      return { scopeId: state.scopeId, ok: true, newVersions: saved.newVersions };
    } catch (error) {
      const message = redact(describeCheckError(error));
      if (this.stopping.signal.aborted) return { scopeId: state.scopeId, ok: false, newVersions: 0, error: message };
      state.failures = store.resources.recordCheckFailure(state.scopeId, message);
      state.nextAt = nextCheckAt(this.now(), state.timing, state.failures, this.random);
      logger.warn({ resource: location, failures: state.failures, err: message }, 'check failed');
      return { scopeId: state.scopeId, ok: false, newVersions: 0, error: message };
    }
  }

  /** When the type says its next version appears (cron); failing to say is logged, not a failed check. */
  private versionDueAt(type: AnyResourceType, source: unknown, now: number, location: string, cacheDir: string): number | undefined {
    if (!type.nextVersionAt) return undefined;
    try {
      return type.nextVersionAt(source, new Date(now), cacheDir)?.getTime();
    } catch (error) {
      this.options.logger.warn({ resource: location, err: describeCheckError(error) }, 'could not tell when the next version is due');
      return undefined;
    }
  }

  private typesOf(pipelineId: number): PipelineResourceTypes {
    let types = this.pipelineTypes.get(pipelineId);
    if (!types) {
      types = this.options.registry.forPipeline(this.options.store.pipelines.byId(pipelineId)?.config);
      this.pipelineTypes.set(pipelineId, types);
    }
    return types;
  }

  private pipelineName(pipelineId: number): string {
    return this.options.store.pipelines.nameOf(pipelineId) ?? `pipeline ${pipelineId}`;
  }
}

function describeCheckError(error: unknown): string {
  if (error instanceof WeirError || error instanceof ResourceError) {
    return error.hint ? `${error.message} (${error.hint})` : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

function sameSecret(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
