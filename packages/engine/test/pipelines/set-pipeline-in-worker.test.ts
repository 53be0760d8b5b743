import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { PipelineInvalidError, WeirError, type Engine } from '../../src/index.js';
import { testEngine } from '../support/engine.js';

const SMALL = 'resources: [{name: r, type: mock, source: {}}]\njobs: [{name: j, plan: [{get: r, trigger: true}]}]\n';

function manyJobs(jobs: number): string {
  const lines = ['resources: [{name: r, type: mock, source: {}}]', 'jobs:'];
  for (let i = 0; i < jobs; i++) lines.push(`- {name: job-${i}, plan: [{get: r, trigger: true}, {task: t, config: {platform: linux, run: {path: "true"}}}]}`);
  return `${lines.join('\n')}\n`;
}

/** What a caller sees of a refused set: its class, code, message, location, hint and problems. */
function refusal(set: () => unknown): Promise<unknown> {
  return new Promise((resolve) => resolve(set()))
    .then(
      () => 'accepted',
      (error: unknown) => {
        if (!(error instanceof WeirError)) throw error;
        return {
          class: error.constructor.name,
          code: error.code,
          message: error.message,
          location: error.location,
          hint: error.hint,
          problems: error instanceof PipelineInvalidError ? error.problems : undefined,
        };
      },
    );
}

function jobNames(engine: Engine, name: string): string[] {
  const { config } = engine.store.pipelines.get({ name })!;
  return (config as { jobs: Array<{ name: string }> }).jobs.map((job) => job.name);
}

describe('set-pipeline compiled on a worker thread', () => {
  it('keeps the event loop turning while a pipeline of 2,000 jobs is read, validated and planned', async () => {
    const engine = testEngine();
    await engine.setPipelineAsync({ name: 'warm', text: SMALL });
    let turns = 0;
    let done = false;
    const setting = engine.setPipelineAsync({ name: 'large', text: manyJobs(2000) }).finally(() => (done = true));
    while (!done) {
      await nextTurn();
      turns++;
    }
    const saved = await setting;
    expect(saved).toMatchObject({ created: true, outcome: 'created', pipeline: { name: 'large', configVersion: 1 } });
    expect(jobNames(engine, 'large')).toHaveLength(2000);
    // Compiled on this thread, the whole set is one turn of the loop.
    expect(turns).toBeGreaterThan(10);
  });

  it('refuses what setPipeline refuses, with the same class, code, message, location, hint and problems', async () => {
    const engine = testEngine();
    engine.secrets.builtin.set({ team: 'main', pipeline: '', name: 'hook' }, 'secret-token');
    const cases = [
      { name: 'yaml', text: 'jobs: [{name: j, plan: [{get: r}]\n' },
      { name: 'schema-and-rules', text: 'resources: [{name: r, type: mock, source: {}, bogus: 1}]\njobs: [{name: j, plan: [{get: nope}, {get: r, passed: [ghost]}]}]\n' },
      { name: 'undefined-var', text: 'resources: [{name: r, type: mock, source: {tag: ((missing))}}]\njobs: [{name: j, plan: [{get: r}]}]\n' },
      { name: 'secret-webhook', text: 'resources: [{name: r, type: mock, source: {}, webhook_token: ((hook))}]\njobs: [{name: j, plan: [{get: r}]}]\n' },
      { name: 'too-many-jobs', text: manyJobs(2001) },
      { name: 'too-large', text: `# ${'x'.repeat(8 * 1024 * 1024)}\n` },
      { name: 'bad name\u0000', text: SMALL },
    ];
    // While the thread compiles a large one, the small ones queue behind it: every case crosses it.
    const busy = engine.setPipelineAsync({ name: 'busy', text: manyJobs(2000) });
    const inWorker = await Promise.all(cases.map(({ name, text }) => refusal(() => engine.setPipelineAsync({ name, text, file: `${name}.yml` }))));
    await busy;
    for (const [i, { name, text }] of cases.entries()) {
      expect(inWorker[i], name).not.toBe('accepted');
      expect(inWorker[i], name).toEqual(await refusal(() => engine.setPipeline({ name, text, file: `${name}.yml` })));
    }
  });

  it('fills in a var from the secret store at run time, as setPipeline does', async () => {
    const engine = testEngine();
    const text = 'resources: [{name: r, type: mock, source: {tag: ((tag))}}]\njobs: [{name: j, plan: [{get: r}]}]\n';
    await expect(engine.setPipelineAsync({ name: 'p', text })).rejects.toThrow(PipelineInvalidError);
    engine.secrets.builtin.set({ team: 'main', pipeline: 'p', name: 'tag' }, 'v1');
    expect((await engine.setPipelineAsync({ name: 'p', text })).created).toBe(true);
  });

  it('saves concurrent sets of one pipeline in the order they were asked, whatever each takes to compile', async () => {
    const engine = testEngine();
    // The first, small, compiles inline; the rest queue behind the large one on the thread.
    const sets = [
      engine.setPipelineAsync({ name: 'p', text: manyJobs(1) }),
      engine.setPipelineAsync({ name: 'p', text: manyJobs(2000) }),
      engine.setPipelineAsync({ name: 'p', text: SMALL }),
      engine.setPipelineAsync({ name: 'p', text: 'jobs: [{name: j, plan: [{get: nope}]}]\n' }).catch((error: unknown) => error),
      engine.setPipelineAsync({ name: 'p', text: manyJobs(3) }),
    ];
    const [first, large, small, refused, last] = await Promise.all(sets);
    expect([first, large, small, last].map((set) => (set as { pipeline: { configVersion: number } }).pipeline.configVersion)).toEqual([1, 2, 3, 4]);
    expect(refused).toBeInstanceOf(PipelineInvalidError);
    expect(jobNames(engine, 'p')).toEqual(['job-0', 'job-1', 'job-2']);
  });

  it('fails a set still compiling when the engine stops, and refuses new ones', async () => {
    const engine = testEngine();
    const setting = engine.setPipelineAsync({ name: 'p', text: manyJobs(2000) }).catch((error: unknown) => error);
    await engine.stop();
    expect(await setting).toMatchObject({ code: 'engine-stopping' });
    await expect(engine.setPipelineAsync({ name: 'q', text: SMALL })).rejects.toMatchObject({ code: 'engine-stopping' });
  });
});
