/**
 * Issue 22's trigger latencies, on a real engine (data directory on disk) and its HTTP API:
 *   (a) a GitHub-style webhook (a signed push delivery) → the build it triggers started;
 *   (b) a resource polled with `check_every: 1s` → the build started, from the moment the new
 *       version appeared at its source.
 * A version "appears" when the bench adds it to an in-process resource type's list, so the
 * figures measure weir, not a git server.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, Engine, startApiServer } from '@weir/engine';
import { implementedResourceTypes, type ResourceType } from '@weir/resources';

const WEBHOOK_SAMPLES = 60;
const POLL_SAMPLES = 25;
const TOKEN = 'bench-webhook-token';

/** Versions the bench adds by hand, per source key; a check returns those after `from`. */
const published = new Map<string, Array<{ n: string }>>();
const counterType: ResourceType<{ key: string }, { n: string }> = {
  name: 'counter',
  description: 'Versions the bench publishes in process.',
  sourceSchema: { type: 'object', required: ['key'], properties: { key: { type: 'string' } }, additionalProperties: false },
  check: async (_ctx, source, from) => {
    const list = published.get(source.key) ?? [];
    const after = from ? list.findIndex((v) => v.n === from.n) + 1 : Math.max(0, list.length - 1);
    return list.slice(after).map((version) => ({ version }));
  },
  get: async (_ctx, _source, version) => ({ version }),
  put: async () => {
    throw new Error('the bench never puts');
  },
};

function publish(key: string): void {
  const list = published.get(key) ?? [];
  list.push({ n: String(list.length + 1) });
  published.set(key, list);
}

const PIPELINE = `
resources:
- name: hooked
  type: counter
  check_every: never
  webhook_token: ${TOKEN}
  source: {key: hooked}
- name: polled
  type: counter
  check_every: 1s
  source: {key: polled}
jobs:
- name: on-hook
  plan:
  - get: hooked
    trigger: true
  - task: noop
    config: {platform: linux, run: {path: /bin/true}}
- name: on-poll
  plan:
  - get: polled
    trigger: true
  - task: noop
    config: {platform: linux, run: {path: /bin/true}}
`;

const dataDir = mkdtempSync(join(tmpdir(), 'weir-bench-triggers-'));
publish('hooked');
publish('polled');
const engine = Engine.open({ dataDir, resourceTypes: [...implementedResourceTypes(), counterType], logger: createLogger({ level: 'silent' }) });
const figures: string[] = [];

/** Resolves with the time (performance.now()) the next build of `jobId` is started. */
function nextStart(jobId: number): Promise<{ buildId: number; at: number }> {
  return new Promise((resolve) => {
    const off = engine.store.subscribe((event) => {
      if (event.kind !== 'builds-started') return;
      const at = performance.now();
      for (const buildId of event.buildIds) {
        if (engine.store.builds.byId(buildId)?.jobId === jobId) {
          off();
          resolve({ buildId, at });
          return;
        }
      }
    });
  });
}

async function ended(buildId: number): Promise<void> {
  for await (const batch of engine.events.followBatches(buildId)) void batch;
}

function percentile(samples: number[], p: number): string {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!.toFixed(1);
}

const api = await startApiServer({ engine, token: 'bench-api-token', port: 0 });
try {
  engine.setPipeline({ name: 'bench', text: PIPELINE });
  const pipeline = engine.store.pipelines.get({ name: 'bench' })!;
  const jobId = (name: string) => engine.store.jobs.get(pipeline.id, name)!.id;
  const hookJob = jobId('on-hook');
  const pollJob = jobId('on-poll');
  // The first version of each resource triggers a first build; those pass before measuring.
  const firstBuilds = [nextStart(hookJob), nextStart(pollJob)];
  engine.start();
  await engine.checker.checkResource(engine.store.resources.get(pipeline.id, 'hooked')!.id);
  for (const first of await Promise.all(firstBuilds)) await ended(first.buildId);

  // (a)
  const url = `${api.url}/api/v1/pipelines/bench/resources/hooked/check/webhook?webhook_token=${TOKEN}`;
  const webhook: number[] = [];
  for (let i = 0; i < WEBHOOK_SAMPLES; i++) {
    const body = JSON.stringify({ ref: 'refs/heads/main', after: String(i) });
    const signature = `sha256=${createHmac('sha256', TOKEN).update(body).digest('hex')}`;
    const start = nextStart(hookJob);
    publish('hooked');
    const sentAt = performance.now();
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': `bench-${i}`, 'x-hub-signature-256': signature },
      body,
    });
    if (!response.ok) throw new Error(`webhook answered ${response.status}: ${await response.text()}`);
    const { buildId, at } = await start;
    webhook.push(at - sentAt);
    await ended(buildId);
  }
  figures.push(`(a) webhook (signed GitHub push) → build started, ${WEBHOOK_SAMPLES} deliveries one at a time: p50 ${percentile(webhook, 50)} ms, p90 ${percentile(webhook, 90)} ms (goal p50 < 50 ms)`);

  // (b) A version appears at a random moment within the check interval, as a push would.
  const poll: number[] = [];
  for (let i = 0; i < POLL_SAMPLES; i++) {
    await new Promise((r) => setTimeout(r, Math.random() * 1000));
    const start = nextStart(pollJob);
    const publishedAt = performance.now();
    publish('polled');
    const { buildId, at } = await start;
    poll.push(at - publishedAt);
    await ended(buildId);
  }
  figures.push(`(b) poll (check_every: 1s) → build started, ${POLL_SAMPLES} versions at random moments: p50 ${percentile(poll, 50)} ms, p90 ${percentile(poll, 90)} ms (goal p50 < 600 ms; the interval alone averages 500 ms)`);
} finally {
  await api.close();
  await engine.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
for (const line of figures) console.log(line);
