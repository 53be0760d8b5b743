import type { ResourceType } from '@weir/resources';
import { describe, expect, it } from 'vitest';
import type { BuildEvent } from '../../src/index.js';
import { testEngine } from '../support/engine.js';
import { outcomes, runJob, type FinishedBuild } from '../support/builds.js';
import { mockPipeline } from '../support/mock-pipeline.js';

/** The plan, then a task that would run after it: a step that errors must stop the build there. */
function pipeline(plan: string): string {
  return mockPipeline(`${plan}
  - task: after
    config:
      platform: linux
      run: {path: sh, args: [-c, 'echo after']}`);
}

type ErrorEvent = Extract<BuildEvent, { type: 'error' }>;

function errorEvent(result: FinishedBuild): ErrorEvent['data'] | undefined {
  return result.events.find((e): e is ErrorEvent => e.type === 'error')?.data;
}

function latestVersion(engine: ReturnType<typeof testEngine>, resource: string): string | undefined {
  const pipelineId = engine.store.pipelines.get({ name: 'p' })!.id;
  return engine.store.resources.latestVersion(engine.store.resources.get(pipelineId, resource)!.scopeId)?.version.version;
}

describe('runner: get and put params are checked against the type', () => {
  it('errors a get with an unknown param, naming the step, the field and the params the type takes', async () => {
    const result = await runJob(testEngine(), pipeline(`  - get: app
    params: {create_file_via_params: {a.txt: a}}`));
    expect(result.build.status).toBe('errored');
    expect(outcomes(result)).toEqual({ app: 'errored' });
    expect(errorEvent(result)).toEqual({
      code: 'get-params-invalid',
      message: 'the params of get app are not valid for resource app of type mock: params has an unknown field create_file_via_params',
      hint: 'fix params of get app in the pipeline; mock takes these get params: create_files_via_params',
    });
    expect(result.build.error).toMatch(/unknown field create_file_via_params/);
  });

  it('errors a get whose param has the wrong type', async () => {
    const result = await runJob(testEngine(), pipeline(`  - get: app
    params: {create_files_via_params: "a.txt"}`));
    expect(outcomes(result)).toEqual({ app: 'errored' });
    expect(errorEvent(result)).toMatchObject({
      code: 'get-params-invalid',
      message: expect.stringContaining('params.create_files_via_params must be object, not a string'),
    });
  });

  it('hands valid get params to the type', async () => {
    const result = await runJob(testEngine(), pipeline(`  - get: app
    params: {create_files_via_params: {extra.txt: from-params}}
  - task: read
    config:
      platform: linux
      inputs: [{name: app}]
      run: {path: cat, args: [app/extra.txt]}`));
    expect(result.build.status).toBe('succeeded');
    expect(result.logs).toContain('3: from-params');
  });

  it('errors a put with an unknown param before pushing, and skips its implicit get', async () => {
    const engine = testEngine();
    const result = await runJob(engine, pipeline(`  - put: out
    params: {verison: "2.0"}`));
    expect(result.build.status).toBe('errored');
    expect(outcomes(result)).toEqual({ out: 'errored' });
    expect(errorEvent(result)).toEqual({
      code: 'put-params-invalid',
      message: 'the params of put out are not valid for resource out of type mock: params has an unknown field verison',
      hint: 'fix params of put out in the pipeline; mock takes these put params: version, file',
    });
    expect(latestVersion(engine, 'out')).toBeUndefined();
  });

  it('checks put params as the type receives them, after ((vars)) are filled in, reading text and numbers as Concourse scripts do', async () => {
    const engine = testEngine();
    const result = await runJob(engine, pipeline(`  - get: app
  - load_var: cfg
    file: app/config.json
  - put: out
    params: {version: ((.:cfg))}`));
    expect(outcomes(result)).toMatchObject({ out: 'errored' });
    expect(errorEvent(result)).toMatchObject({
      code: 'put-params-invalid',
      message: expect.stringContaining('params.version must be string, not an object'),
    });
    expect(latestVersion(engine, 'out')).toBeUndefined();

    const numeric = await runJob(testEngine(), pipeline(`  - get: app
  - load_var: cfg
    file: app/config.json
  - put: out
    params: {version: ((.:cfg.count))}`));
    expect(numeric.build.status).toBe('succeeded');
  });

  it('hands valid put params to the type, vars filled in', async () => {
    const engine = testEngine();
    const result = await runJob(engine, pipeline(`  - get: app
  - load_var: cfg
    file: app/config.json
  - put: out
    params: {version: ((.:cfg.name))}`));
    expect(result.build.status).toBe('succeeded');
    expect(latestVersion(engine, 'out')).toBe('json-value');
  });

  it("checks a put's get_params against the get params of the type, naming the put", async () => {
    const engine = testEngine();
    const result = await runJob(engine, pipeline(`  - put: out
    params: {version: "2.0"}
    get_params: {version: "2.0"}`));
    expect(result.build.status).toBe('errored');
    expect(errorEvent(result)).toEqual({
      code: 'get-params-invalid',
      message: 'the get_params of put out are not valid for resource out of type mock: get_params has an unknown field version',
      hint: 'fix get_params of put out in the pipeline; mock takes these get params: create_files_via_params',
    });
    // The put itself went through: only the fetch that follows it errored.
    expect(latestVersion(engine, 'out')).toBe('2.0');
    const finished = result.events.flatMap((e) => (e.type === 'step-finished' ? [e.data.outcome] : []));
    expect(finished).toEqual(['succeeded', 'errored']);
  });

  it('hands any params to a type that declares no params schema', async () => {
    const received: unknown[] = [];
    const lenient: ResourceType = {
      name: 'lenient',
      description: 'A test type without params schemas.',
      sourceSchema: { type: 'object' },
      check: async () => [{ version: { v: '1' } }],
      get: async (_ctx, _source, version, params) => {
        received.push(params);
        return { version };
      },
      put: async (_ctx, _source, params) => {
        received.push(params);
        return { version: { v: '2' } };
      },
    };
    const result = await runJob(
      testEngine({ extraTypes: [lenient] }),
      `
resources:
- name: l
  type: lenient
jobs:
- name: job
  plan:
  - get: l
    params: {anything: "yes"}
  - put: l
    params: {skip_download: "false"}
    get_params: {depth: [1]}
`,
    );
    expect(result.build.status).toBe('succeeded');
    expect(received).toEqual([{ anything: 'yes' }, { skip_download: 'false' }, { depth: [1] }]);
  });
});
