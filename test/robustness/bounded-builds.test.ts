import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { Engine } from '@weir/engine';
import { openEngine, scratchDir } from '../support/engine-runs.js';

/**
 * Probe 6 of the hardening issue (its builds): unpausing a pipeline whose every job triggers
 * started them all at once, and 20,000 at once took the engine's memory. Builds now queue
 * behind a bound on running ones, pending and saying why, and start as slots free up.
 */

function gatedJobs(count: number, gate: string): string {
  const lines = ['jobs:'];
  for (let i = 0; i < count; i++) {
    lines.push(
      `- name: job-${i}`,
      '  plan:',
      '  - task: wait',
      `    config: {platform: linux, run: {path: sh, args: ['-c', 'while [ ! -e ${gate} ]; do sleep 0.05; done']}}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(20);
  }
}

function statuses(engine: Engine, buildIds: readonly number[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const id of buildIds) {
    const status = engine.store.builds.byId(id)!.status;
    counts[status] = (counts[status] ?? 0) + 1;
  }
  return counts;
}

describe('bounded running builds', () => {
  it('starts at most the bound at once; the rest wait pending, say why, and all end', async () => {
    const gate = join(scratchDir(), 'open');
    const engine = openEngine({ maxRunningBuilds: 3 });
    engine.setPipeline({ name: 'many', text: gatedJobs(10, gate) });
    engine.start();
    const pipelineId = engine.store.pipelines.get({ name: 'many' })!.id;
    const jobs = engine.store.jobs.list(pipelineId);
    const buildIds = jobs.map((job) => engine.triggerJob(job.id).id);

    await until('three builds run', () => (statuses(engine, buildIds).started === 3 ? true : undefined));
    let mostRunning = 0;
    const watch = setInterval(() => (mostRunning = Math.max(mostRunning, engine.store.builds.countStarted())), 5);
    try {
      expect(statuses(engine, buildIds)).toEqual({ started: 3, pending: 7 });
      const waiting = jobs.find((job) => engine.store.builds.byId(buildIds[jobs.indexOf(job)]!)!.status === 'pending')!;
      const explanation = engine.scheduler.explain(waiting.id)!;
      expect(explanation.summary).toBe('1 build waiting: waiting for a build slot (3 running, limit 3)');
      expect(explanation.blockers.map((b) => b.code)).toEqual(['build-slots-full']);

      writeFileSync(gate, '');
      await until('every build has ended', () => (statuses(engine, buildIds).succeeded === 10 ? true : undefined));
    } finally {
      clearInterval(watch);
    }
    expect(mostRunning).toBeLessThanOrEqual(3);
  });

  it('starts the oldest pending builds first as slots free up', async () => {
    const gate = join(scratchDir(), 'open');
    const engine = openEngine({ maxRunningBuilds: 1 });
    engine.setPipeline({ name: 'order', text: gatedJobs(4, gate) });
    engine.start();
    const pipelineId = engine.store.pipelines.get({ name: 'order' })!.id;
    const jobs = engine.store.jobs.list(pipelineId);
    // Triggered newest job first, so the queue order differs from the jobs' order.
    const buildIds = [...jobs].reverse().map((job) => engine.triggerJob(job.id).id);
    writeFileSync(gate, '');
    await until('every build has ended', () => (statuses(engine, buildIds).succeeded === 4 ? true : undefined));
    const startedAt = buildIds.map((id) => engine.store.builds.byId(id)!.startedAt!);
    expect([...startedAt].sort((a, b) => a - b)).toEqual(startedAt);
  });
});
