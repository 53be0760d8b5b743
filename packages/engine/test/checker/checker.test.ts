import { describe, expect, it } from 'vitest';
import { firstCheckAt, nextCheckAt, scopeTiming } from '../../src/checker/check-schedule.js';
import { createLogger, type Engine } from '../../src/index.js';
import { testEngine } from '../support/engine.js';
import { ControlledType, hangingType, nonsenseType } from '../support/test-resource-types.js';

/** pino's number for the warn level. */
const PINO_WARN = 40;

function pipelineWith(resources: string): string {
  const names = [...resources.matchAll(/- name: (\S+)/g)].map((m) => m[1]);
  return `resources:\n${resources}\njobs:\n- name: job\n  plan:\n${names.map((n) => `  - get: ${n}`).join('\n')}\n`;
}

function resourceId(engine: Engine, pipeline: string, name: string): number {
  const p = engine.store.pipelines.get({ name: pipeline })!;
  return engine.store.resources.get(p.id, name)!.id;
}

describe('checker', () => {
  it('runs at most `concurrency` checks at once and finishes them all', async () => {
    const controlled = new ControlledType();
    const engine = testEngine({ extraTypes: [controlled.type], checker: { concurrency: 3 } });
    const resources = Array.from({ length: 10 }, (_, i) => `- name: r${i}\n  type: controlled\n  source: {key: k${i}}`).join('\n');
    engine.setPipeline({ name: 'p', text: pipelineWith(resources) });
    controlled.hold = true;
    const checks = Array.from({ length: 10 }, (_, i) => engine.checker.checkResource(resourceId(engine, 'p', `r${i}`)));
    await controlled.waitForRunning(3);
    expect(controlled.running).toBe(3);
    controlled.release();
    const outcomes = await Promise.all(checks);
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(controlled.maxRunning).toBe(3);
    expect(controlled.calls).toBe(10);
  });

  it('shares one history between identical resources in different pipelines', async () => {
    const controlled = new ControlledType();
    controlled.versions.set('same', [{ version: { ref: 'a' } }]);
    const engine = testEngine({ extraTypes: [controlled.type] });
    const text = pipelineWith('- name: repo\n  type: controlled\n  source: {key: same}');
    engine.setPipeline({ name: 'one', text });
    engine.setPipeline({ name: 'two', text: text.replace('repo', 'code').replace('get: repo', 'get: code') });
    expect(engine.store.resources.checkableScopes()).toHaveLength(1);
    await engine.checker.checkResource(resourceId(engine, 'one', 'repo'));
    expect(controlled.calls).toBe(1);
    expect(engine.store.resources.listVersions(resourceId(engine, 'two', 'code')).map((v) => v.version)).toEqual([{ ref: 'a' }]);
  });

  it('writes nothing when a check finds nothing new', async () => {
    const engine = testEngine();
    engine.setPipeline({ name: 'p', text: pipelineWith('- name: m\n  type: mock\n  source: {initial_version: "1"}') });
    const id = resourceId(engine, 'p', 'm');
    expect((await engine.checker.checkResource(id)).newVersions).toBe(1);
    const before = engine.store.totalChanges();
    expect(await engine.checker.checkResource(id)).toMatchObject({ ok: true, newVersions: 0 });
    expect(engine.store.totalChanges()).toBe(before);
  });

  it('checks from a given version when asked', async () => {
    const engine = testEngine();
    engine.setPipeline({ name: 'p', text: pipelineWith('- name: m\n  type: mock\n  source: {}') });
    const id = resourceId(engine, 'p', 'm');
    await engine.checker.checkResource(id);
    await engine.checker.checkResource(id, { version: 'older' });
    expect(engine.store.resources.listVersions(id).map((v) => v.version.version)).toEqual(['older', 'mock']);
  });

  it('records a failing check on the resource, backs off, and clears the error once it works', async () => {
    const controlled = new ControlledType();
    const logged: Array<{ level: number; msg?: string; resource?: string }> = [];
    const logger = createLogger({ level: 'debug', destination: { write: (line: string) => logged.push(JSON.parse(line)) } });
    const engine = testEngine({ extraTypes: [controlled.type], logger });
    engine.setPipeline({ name: 'p', text: pipelineWith('- name: r\n  type: controlled\n  source: {key: k}') });
    const id = resourceId(engine, 'p', 'r');
    controlled.fail = 'connection refused';
    expect(await engine.checker.checkResource(id)).toMatchObject({ ok: false, error: 'connection refused' });
    // A failing check is the resource's problem, shown on it: a warning in the engine log, not an error.
    expect(logged.filter((entry) => entry.msg === 'check failed')).toMatchObject([{ level: PINO_WARN, resource: 'p/r' }]);
    expect(logged.filter((entry) => entry.level > PINO_WARN)).toEqual([]);
    await engine.checker.checkResource(id);
    const failing = engine.store.resources.byId(id)!;
    expect(failing.checkError).toBe('connection refused');
    expect(engine.store.resources.scope(failing.scopeId)!.failedChecks).toBe(2);
    controlled.fail = null;
    expect((await engine.checker.checkResource(id)).ok).toBe(true);
    expect(engine.store.resources.byId(id)!.checkError).toBeNull();
  });

  it('stops a check at check_timeout even if the type ignores its abort signal, and others still run', async () => {
    const controlled = new ControlledType();
    controlled.versions.set('k', [{ version: { ref: 'x' } }]);
    const engine = testEngine({ extraTypes: [hangingType, controlled.type], checker: { concurrency: 1 } });
    engine.setPipeline({
      name: 'p',
      text: pipelineWith('- name: slow\n  type: hanging\n  check_timeout: 50ms\n  source: {}\n- name: fast\n  type: controlled\n  source: {key: k}'),
    });
    const slow = engine.checker.checkResource(resourceId(engine, 'p', 'slow'));
    const fast = engine.checker.checkResource(resourceId(engine, 'p', 'fast'));
    expect(await slow).toMatchObject({ ok: false, error: expect.stringContaining('took longer than 50ms') });
    expect(await fast).toMatchObject({ ok: true, newVersions: 1 });
    expect(engine.store.resources.byId(resourceId(engine, 'p', 'slow'))!.checkError).toMatch(/took longer/);
  });

  it('names the field when a source does not fit the type, and the type when it returns nonsense', async () => {
    const engine = testEngine({ extraTypes: [nonsenseType] });
    engine.setPipeline({ name: 'p', text: pipelineWith('- name: m\n  type: mock\n  source: {initial_versoin: "1"}\n- name: odd\n  type: nonsense\n  source: {}') });
    expect((await engine.checker.checkResource(resourceId(engine, 'p', 'm'))).error).toMatch(/source has an unknown field initial_versoin/);
    expect((await engine.checker.checkResource(resourceId(engine, 'p', 'odd'))).error).toMatch(/resource type nonsense: check versions\[0\]\.version\.ref is number 42, not a string/);
  });

  it('runs a check for a webhook with the right token only', async () => {
    const engine = testEngine();
    engine.setPipeline({ name: 'p', text: pipelineWith('- name: m\n  type: mock\n  webhook_token: s3cret\n  check_every: never\n  source: {}') });
    const pipelineId = engine.store.pipelines.get({ name: 'p' })!.id;
    await expect(engine.checker.checkByWebhook(pipelineId, 'm', 'wrong')).rejects.toMatchObject({ code: 'webhook-token-invalid' });
    await expect(engine.checker.checkByWebhook(pipelineId, 'nope', 's3cret')).rejects.toMatchObject({ code: 'webhook-token-invalid' });
    expect(await engine.checker.checkByWebhook(pipelineId, 'm', 's3cret')).toMatchObject({ ok: true, newVersions: 1 });
  });

  it('checks on its own schedule once started, and schedules the builds that follow', async () => {
    const engine = testEngine({ checker: { tickMs: 10, defaultIntervalMs: 20, random: () => 0 }, schedulerFallbackIntervalMs: 50 });
    engine.setPipeline({
      name: 'p',
      text: 'resources:\n- name: m\n  type: mock\n  source: {}\njobs:\n- name: job\n  plan:\n  - get: m\n    trigger: true\n',
    });
    engine.start();
    const jobId = engine.store.jobs.idsByName(engine.store.pipelines.get({ name: 'p' })!.id).get('job')!;
    for (let i = 0; i < 100 && engine.store.builds.listForJob(jobId).length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(engine.store.builds.listForJob(jobId)).toMatchObject([{ name: '1', status: 'started' }]);
  });
});

describe('check schedule', () => {
  it('takes the most eager interval of resources sharing a history, and `never` only when all say never', () => {
    expect(scopeTiming([{ check_every: '10m' }, { check_every: '30s' }])).toEqual({ intervalMs: 30_000, timeoutMs: 3_600_000 });
    expect(scopeTiming([{}])).toEqual({ intervalMs: 60_000, timeoutMs: 3_600_000 });
    expect(scopeTiming([{ check_every: 'never' }]).intervalMs).toBeNull();
    expect(scopeTiming([{ check_every: 'never' }, { check_every: '5m', check_timeout: '2m' }])).toEqual({ intervalMs: 300_000, timeoutMs: 120_000 });
  });

  it('never schedules `never`, jitters within bounds, and backs off failures up to a cap', () => {
    const minute = { intervalMs: 60_000, timeoutMs: 1 };
    expect(firstCheckAt(0, { intervalMs: null, timeoutMs: 1 }, () => 0.5)).toBeNull();
    expect(firstCheckAt(1000, minute, () => 0.999)).toBeLessThan(1000 + 5_000);
    expect(nextCheckAt(0, minute, 0, () => 0)).toBe(60_000);
    expect(nextCheckAt(0, minute, 0, () => 0.999)).toBeLessThan(66_000);
    const backoff = [1, 2, 3, 4, 5, 6, 7, 8].map((failures) => nextCheckAt(0, minute, failures, () => 0));
    expect(backoff).toEqual([60_000, 120_000, 240_000, 480_000, 960_000, 1_800_000, 1_800_000, 1_800_000]);
  });
});
