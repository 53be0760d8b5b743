import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { builtinResourceTypeNames } from '@weir/resources';
import { loadPipeline, type JobConfig, type StepConfig } from '../../src/config/index.js';
import { allJobSteps } from '../../src/config/step-tree.js';
import { compilePlan, type Plan, type PlanKind } from '../../src/runner/plan/index.js';
import { corpusFiles, requireCorpus } from '../../../../test/support/corpus.js';

function job(plan: StepConfig[], hooks: Partial<JobConfig> = {}): JobConfig {
  return { name: 'build', plan, ...hooks };
}

/** The plan of a job with one step, without the job's implicit `do`. */
function planOfStep(step: StepConfig): Plan {
  const root = compilePlan(job([step]));
  if (root.kind !== 'do' || root.steps.length !== 1) throw new Error(`unexpected root ${root.kind}`);
  return root.steps[0] as Plan;
}

function childrenOf(plan: Plan): Plan[] {
  switch (plan.kind) {
    case 'get':
    case 'put':
    case 'task':
    case 'set_pipeline':
    case 'load_var':
    case 'run':
      return [];
    case 'in_parallel':
    case 'do':
      return plan.steps;
    case 'try':
    case 'across':
    case 'timeout':
    case 'attempts':
      return [plan.step];
    case 'on_success':
    case 'on_failure':
    case 'on_error':
    case 'on_abort':
    case 'ensure':
      return [plan.step, plan.hook];
    default: {
      const unhandled: never = plan;
      throw new Error(`unhandled plan ${JSON.stringify(unhandled)}`);
    }
  }
}

/** Every node, depth first, parents before children. */
function nodesOf(plan: Plan): Plan[] {
  return [plan, ...childrenOf(plan).flatMap(nodesOf)];
}

/** The chain of kinds from a node down through single-child wrappers (`step`, never `hook`). */
function wrapperChain(plan: Plan): string[] {
  return 'step' in plan ? [plan.kind, ...wrapperChain(plan.step)] : [plan.kind];
}

describe('compilePlan: step kinds', () => {
  it('wraps the job plan in a do and gives a get every field the runner needs, defaults applied', () => {
    expect(compilePlan(job([{ get: 'repo' }]))).toStrictEqual({
      kind: 'do',
      id: '1',
      steps: [
        { kind: 'get', id: '2', name: 'repo', resource: 'repo', params: {}, version: 'latest', passed: [], trigger: false, tags: [] },
      ],
    });
    expect(
      planOfStep({
        get: 'src',
        resource: 'repo',
        params: { depth: 1 },
        version: { ref: 'abc' },
        passed: ['unit'],
        trigger: true,
        tags: ['linux'],
      }),
    ).toStrictEqual({
      kind: 'get',
      id: '2',
      name: 'src',
      resource: 'repo',
      params: { depth: 1 },
      version: { ref: 'abc' },
      passed: ['unit'],
      trigger: true,
      tags: ['linux'],
    });
  });

  it('follows a put with a get of the version it produced, as an on_success pair', () => {
    const plan = planOfStep({
      put: 'image',
      resource: 'registry',
      inputs: 'detect',
      params: { build: 'src' },
      get_params: { skip_download: true },
      tags: ['big'],
    });
    expect(plan).toStrictEqual({
      kind: 'on_success',
      id: '2',
      step: {
        kind: 'put',
        id: '3',
        name: 'image',
        resource: 'registry',
        params: { build: 'src' },
        inputs: 'detect',
        tags: ['big'],
      },
      hook: {
        kind: 'get',
        id: '4',
        name: 'image',
        resource: 'registry',
        params: { skip_download: true },
        version: 'latest',
        passed: [],
        trigger: false,
        tags: ['big'],
        version_from: '3',
      },
    });
  });

  it('leaves a put alone with no_get, and keeps inputs as all by default or the names given', () => {
    expect(planOfStep({ put: 'repo', no_get: true })).toStrictEqual({
      kind: 'put',
      id: '2',
      name: 'repo',
      resource: 'repo',
      params: {},
      inputs: 'all',
      tags: [],
    });
    const named = planOfStep({ put: 'repo', inputs: ['src', 'out'], no_get: true });
    expect(named.kind === 'put' && named.inputs).toEqual(['src', 'out']);
  });

  it('compiles a task from a file with every step option', () => {
    expect(
      planOfStep({
        task: 'unit',
        file: 'src/ci/unit.yml',
        image: 'builder',
        privileged: true,
        hermetic: true,
        params: { CI: 'true' },
        vars: { go: '1.22' },
        input_mapping: { code: 'src' },
        output_mapping: { out: 'built' },
        container_limits: { cpu: 512 },
        tags: ['linux'],
      }),
    ).toStrictEqual({
      kind: 'task',
      id: '2',
      name: 'unit',
      file: 'src/ci/unit.yml',
      image: 'builder',
      params: { CI: 'true' },
      vars: { go: '1.22' },
      input_mapping: { code: 'src' },
      output_mapping: { out: 'built' },
      privileged: true,
      hermetic: true,
      container_limits: { cpu: 512 },
      tags: ['linux'],
    });
  });

  it('keeps an inline task config whole, image_resource included', () => {
    const config = {
      platform: 'linux',
      image_resource: { type: 'registry-image', source: { repository: 'alpine' } },
      inputs: [{ name: 'src' }],
      outputs: [{ name: 'out' }],
      caches: [{ path: '.cache' }],
      run: { path: 'sh', args: ['-c', 'make'], dir: 'src' },
    };
    expect(planOfStep({ task: 'make', config })).toStrictEqual({
      kind: 'task',
      id: '2',
      name: 'make',
      config,
      params: {},
      vars: {},
      input_mapping: {},
      output_mapping: {},
      privileged: false,
      hermetic: false,
      tags: [],
    });
  });

  it('compiles set_pipeline, self included, and load_var', () => {
    expect(
      planOfStep({
        set_pipeline: 'self',
        file: 'src/ci/pipeline.yml',
        vars: { env: 'prod' },
        var_files: ['src/ci/vars.yml'],
        instance_vars: { branch: 'main' },
        team: 'main',
      }),
    ).toStrictEqual({
      kind: 'set_pipeline',
      id: '2',
      name: 'self',
      file: 'src/ci/pipeline.yml',
      vars: { env: 'prod' },
      var_files: ['src/ci/vars.yml'],
      instance_vars: { branch: 'main' },
      team: 'main',
    });
    expect(planOfStep({ load_var: 'version', file: 'out/version', format: 'trim', reveal: true })).toStrictEqual({
      kind: 'load_var',
      id: '2',
      name: 'version',
      file: 'out/version',
      format: 'trim',
      reveal: true,
    });
    expect(planOfStep({ load_var: 'meta', file: 'out/meta.json' })).toStrictEqual({
      kind: 'load_var',
      id: '2',
      name: 'meta',
      file: 'out/meta.json',
      reveal: false,
    });
  });

  it('compiles a run step', () => {
    expect(planOfStep({ run: 'build', type: 'go', params: { pkg: './...' } })).toStrictEqual({
      kind: 'run',
      id: '2',
      message: 'build',
      type: 'go',
      params: { pkg: './...' },
      privileged: false,
      tags: [],
    });
  });

  it('accepts in_parallel as a list or as {steps, limit, fail_fast}', () => {
    const list = planOfStep({ in_parallel: [{ get: 'a' }, { get: 'b' }] });
    expect(list).toMatchObject({ kind: 'in_parallel', id: '2', fail_fast: false, steps: [{ id: '3', name: 'a' }, { id: '4', name: 'b' }] });
    expect(list).not.toHaveProperty('limit');
    expect(planOfStep({ in_parallel: { steps: [{ get: 'a' }, { get: 'b' }], limit: 1, fail_fast: true } })).toMatchObject({
      kind: 'in_parallel',
      limit: 1,
      fail_fast: true,
      steps: [{ name: 'a' }, { name: 'b' }],
    });
  });

  it('compiles do and try around their steps', () => {
    expect(planOfStep({ do: [{ get: 'a' }, { try: { get: 'b' } }] })).toMatchObject({
      kind: 'do',
      id: '2',
      steps: [
        { kind: 'get', id: '3', name: 'a' },
        { kind: 'try', id: '4', step: { kind: 'get', id: '5', name: 'b' } },
      ],
    });
  });

  it('keeps across as one node with its vars and the step as a template', () => {
    expect(
      planOfStep({
        task: 'test-((.:os))',
        file: 'src/test.yml',
        across: [
          { var: 'os', values: ['linux', 'darwin'], max_in_flight: 'all' },
          { var: 'go', values: ['1.21', '1.22'] },
        ],
        fail_fast: true,
      }),
    ).toMatchObject({
      kind: 'across',
      id: '2',
      vars: [
        { name: 'os', values: ['linux', 'darwin'], max_in_flight: 'all' },
        { name: 'go', values: ['1.21', '1.22'], max_in_flight: 1 },
      ],
      fail_fast: true,
      step: { kind: 'task', id: '3', name: 'test-((.:os))' },
    });
  });
});

describe('compilePlan: hooks and modifiers', () => {
  it('nests step hooks as Concourse does: ensure, on_error, on_abort, on_failure, on_success, outermost first', () => {
    const plan = planOfStep({
      task: 'unit',
      file: 'src/unit.yml',
      on_success: { task: 'ok', file: 'f' },
      on_failure: { task: 'failed', file: 'f' },
      on_error: { task: 'errored', file: 'f' },
      on_abort: { task: 'aborted', file: 'f' },
      ensure: { task: 'always', file: 'f' },
    });
    expect(wrapperChain(plan)).toEqual(['ensure', 'on_error', 'on_abort', 'on_failure', 'on_success', 'task']);
    const hookNames = nodesOf(plan).flatMap((node) => ('hook' in node && node.hook.kind === 'task' ? [`${node.kind}:${node.hook.name}`] : []));
    expect(hookNames).toEqual(['ensure:always', 'on_error:errored', 'on_abort:aborted', 'on_failure:failed', 'on_success:ok']);
  });

  it('puts hooks outside across, across outside attempts, and attempts outside timeout', () => {
    const plan = planOfStep({
      task: 'flaky',
      file: 'src/flaky.yml',
      timeout: '10m',
      attempts: 3,
      across: [{ var: 'n', values: [1, 2] }],
      on_failure: { task: 'report', file: 'src/report.yml' },
      ensure: { task: 'cleanup', file: 'src/cleanup.yml' },
    });
    expect(wrapperChain(plan)).toEqual(['ensure', 'on_failure', 'across', 'attempts', 'timeout', 'task']);
    const attempts = nodesOf(plan).find((node) => node.kind === 'attempts');
    expect(attempts).toMatchObject({ attempts: 3, step: { kind: 'timeout', duration: '10m', step: { kind: 'task', name: 'flaky' } } });
  });

  it('retries a put together with its implicit get, and wraps hooks around both', () => {
    const plan = planOfStep({ put: 'repo', attempts: 2, on_success: { task: 'notify', file: 'f' } });
    expect(wrapperChain(plan)).toEqual(['on_success', 'attempts', 'on_success', 'put']);
    expect(plan).toMatchObject({ hook: { kind: 'task', name: 'notify' }, step: { step: { step: { kind: 'put', id: '5' }, hook: { kind: 'get', version_from: '5' } } } });
  });

  it('compiles hooks inside hooks and inside nested steps', () => {
    const plan = planOfStep({
      do: [{ get: 'a', ensure: { task: 'inner', file: 'f', on_failure: { task: 'deeper', file: 'f' } } }],
    });
    const names = nodesOf(plan).flatMap((node) => (node.kind === 'task' ? [node.name] : []));
    expect(names).toEqual(['inner', 'deeper']);
  });

  it('wraps the job plan in the job hooks, in the same order as step hooks', () => {
    const plan = compilePlan(
      job([{ get: 'repo' }], {
        on_success: { task: 'ok', file: 'f' },
        on_failure: { task: 'failed', file: 'f' },
        on_error: { task: 'errored', file: 'f' },
        on_abort: { task: 'aborted', file: 'f' },
        ensure: { put: 'status', no_get: true },
      }),
    );
    expect(wrapperChain(plan)).toEqual(['ensure', 'on_error', 'on_abort', 'on_failure', 'on_success', 'do']);
    expect(plan).toMatchObject({ kind: 'ensure', id: '1', hook: { kind: 'put', name: 'status' } });
  });

  it('wraps only the hooks a job has', () => {
    const plan = compilePlan(job([{ get: 'repo' }], { on_failure: { task: 'failed', file: 'f' } }));
    expect(wrapperChain(plan)).toEqual(['on_failure', 'do']);
  });
});

describe('compilePlan: ids', () => {
  const busy = job(
    [
      { in_parallel: { steps: [{ get: 'a', trigger: true }, { get: 'b' }], limit: 1 } },
      { task: 't', file: 'a/t.yml', timeout: '1h', attempts: 2, on_failure: { put: 'alert' } },
      { put: 'b', across: [{ var: 'x', values: [1, 2] }] },
      { try: { do: [{ load_var: 'v', file: 'a/v' }, { set_pipeline: 'self', file: 'a/p.yml' }] } },
    ],
    { ensure: { task: 'cleanup', file: 'a/c.yml' } },
  );

  it('numbers every node depth first, a node before its children and a step before its hook', () => {
    const ids = nodesOf(compilePlan(busy)).map((node) => node.id);
    expect(ids).toEqual(ids.map((_, i) => String(i + 1)));
  });

  it('gives the same config the same plan, ids included', () => {
    const first = compilePlan(busy);
    expect(compilePlan(structuredClone(busy))).toStrictEqual(first);
    expect(JSON.parse(JSON.stringify(first))).toStrictEqual(first);
  });

  it('refuses a step that was not validated: no kind, or two', () => {
    expect(() => compilePlan(job([{} as StepConfig]))).toThrow(/exactly one kind, found none/);
    expect(() => compilePlan(job([{ get: 'a', put: 'b' } as StepConfig]))).toThrow(/found get, put/);
  });
});

const corpus = requireCorpus();

describe.skipIf(corpus === undefined)('compilePlan on the compatibility corpus', () => {
  it('compiles every job of every valid pipeline to plain JSON with unique ids and one node per step', () => {
    const resourceTypes = { builtin: builtinResourceTypeNames() };
    const failures: string[] = [];
    let jobs = 0;
    for (const file of corpusFiles('pipelines')) {
      const name = path.basename(file);
      const { config } = loadPipeline(readFileSync(file, 'utf8'), { file: name, missingVars: 'warning', resourceTypes });
      // Files that do not validate are listed in test/corpus/unsupported.md; the corpus test covers them.
      if (config === undefined) continue;
      for (const jobConfig of config.jobs ?? []) {
        jobs++;
        const where = `${name} job ${jobConfig.name}`;
        try {
          const plan = compilePlan(jobConfig);
          const nodes = nodesOf(plan);
          const ids = nodes.map((node) => node.id);
          if (new Set(ids).size !== ids.length) failures.push(`${where}: duplicate ids`);
          if (!isDeepStrictEqual(JSON.parse(JSON.stringify(plan)), plan)) failures.push(`${where}: not plain JSON`);
          const configKinds = countKinds(allJobSteps(jobConfig, []).map((visit) => visit.kinds[0] as string));
          // The job's implicit do and each put's implicit get are the only nodes no config step wrote.
          configKinds.set('do', (configKinds.get('do') ?? 0) + 1);
          const planKinds = countKinds(
            nodes.filter((node) => !(node.kind === 'get' && node.version_from !== undefined)).map((node) => node.kind),
          );
          for (const kind of CORE_KINDS) {
            if ((planKinds.get(kind) ?? 0) !== (configKinds.get(kind) ?? 0)) failures.push(`${where}: ${kind} count differs`);
          }
        } catch (error) {
          failures.push(`${where}: ${String(error)}`);
        }
      }
    }
    expect(jobs).toBeGreaterThan(0);
    expect(failures).toEqual([]);
  });
});

const CORE_KINDS: PlanKind[] = ['get', 'put', 'task', 'set_pipeline', 'load_var', 'run', 'in_parallel', 'do', 'try'];

function countKinds(kinds: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of kinds) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}
