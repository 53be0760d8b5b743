import { describe, expect, it } from 'vitest';
import { prepareTaskRun, WeirError, type PrepareTaskRunInput, type TaskConfig } from '../../src/index.js';

const artifacts: Record<string, string> = { repo: '/builds/1/repo', tools: '/builds/1/tools', version: '/builds/1/version' };

function prepare(config: Partial<TaskConfig>, overrides: Partial<PrepareTaskRunInput> = {}): ReturnType<typeof prepareTaskRun> {
  return prepareTaskRun({
    config: { platform: 'linux', run: { path: 'make' }, ...config },
    params: {},
    inputMapping: {},
    outputMapping: {},
    artifact: (name) => artifacts[name],
    artifactNames: () => Object.keys(artifacts),
    cacheStore: (path) => `/caches/job-7/unit/${path}`,
    workDir: '/work/build-1/task',
    baseEnv: { PATH: '/usr/bin:/bin', HOME: '/home/weir', BUILD_ID: '42', BUILD_NAME: '3', ATC_EXTERNAL_URL: 'http://weir.example', WEIR_BUILD_URL: 'http://weir.example/builds/42' },
    location: 'jobs.unit.plan[1].task(test)',
    ...overrides,
  });
}

function errorOf(action: () => unknown): WeirError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(WeirError);
    return error as WeirError;
  }
  return expect.fail('expected a WeirError');
}

describe('prepareTaskRun', () => {
  it('mounts each input from its artifact, input_mapping applied, at its path', () => {
    const { run } = prepare(
      { inputs: [{ name: 'src', path: './code/' }, { name: 'tools' }] },
      { inputMapping: { src: 'repo' } },
    );
    expect(run.inputs).toEqual([
      { name: 'src', path: 'code', source: '/builds/1/repo' },
      { name: 'tools', path: 'tools', source: '/builds/1/tools' },
    ]);
    expect(run.workDir).toBe('/work/build-1/task');
  });

  it('leaves out a missing optional input', () => {
    expect(prepare({ inputs: [{ name: 'repo' }, { name: 'cache-seed', optional: true }] }).run.inputs.map((i) => i.name)).toEqual(['repo']);
  });

  it('refuses a missing input with task-input-missing, a location and a did-you-mean hint', () => {
    const error = errorOf(() => prepare({ inputs: [{ name: 'rpeo' }] }));
    expect(error.code).toBe('task-input-missing');
    expect(error.location).toBe('jobs.unit.plan[1].task(test)');
    expect(error.hint).toContain('"repo"');
    const unmapped = errorOf(() => prepare({ inputs: [{ name: 'src' }] }, { inputMapping: { src: 'source-code' } }));
    expect(unmapped.code).toBe('task-input-missing');
    expect(unmapped.message).toContain('source-code');
    expect(unmapped.hint).toContain('repo, tools, version');
  });

  it('names the outputs with output_mapping applied', () => {
    const prepared = prepare({ outputs: [{ name: 'built', path: 'out/' }, { name: 'report' }] }, { outputMapping: { built: 'binary' } });
    expect(prepared.run.outputs).toEqual([
      { name: 'built', path: 'out' },
      { name: 'report', path: 'report' },
    ]);
    expect(prepared.artifactNames).toEqual({ built: 'binary', report: 'report' });
  });

  it('gives each cache its persistent store', () => {
    expect(prepare({ caches: [{ path: 'repo/.gradle/' }] }).run.caches).toEqual([{ path: 'repo/.gradle', store: '/caches/job-7/unit/repo/.gradle' }]);
  });

  it('turns params into environment variables, step params over config params over the base environment', () => {
    const { env } = prepare(
      { params: { LEVEL: 'config', COUNT: 3, FLAG: true, LIST: [1, 'a'], MAP: { k: 'v' }, UNSET: null, HOME: '/tmp/home' } },
      { params: { LEVEL: 'step', RATIO: 0.5 } },
    ).run;
    expect(env).toMatchObject({ LEVEL: 'step', COUNT: '3', FLAG: 'true', LIST: '[1,"a"]', MAP: '{"k":"v"}', UNSET: '', RATIO: '0.5', HOME: '/tmp/home', PATH: '/usr/bin:/bin' });
  });

  it('keeps the build metadata when params try to set it', () => {
    const { env } = prepare({ params: { BUILD_ID: 'fake', ATC_EXTERNAL_URL: 'http://evil', WEIR_BUILD_URL: 'x', BUILD_MESSAGE: 'allowed: not supplied by the runner' } }).run;
    expect(env).toMatchObject({ BUILD_ID: '42', ATC_EXTERNAL_URL: 'http://weir.example', WEIR_BUILD_URL: 'http://weir.example/builds/42', BUILD_MESSAGE: 'allowed: not supplied by the runner' });
  });

  it('passes run through, with args defaulted and run.dir normalised', () => {
    expect(prepare({ run: { path: './ci/test.sh', dir: 'repo/', user: 'root' } }).run.run).toEqual({ path: './ci/test.sh', args: [], dir: 'repo', user: 'root' });
  });

  it.each([
    ['an absolute input path', { inputs: [{ name: 'repo', path: '/repo' }] }],
    ['an input path climbing out', { inputs: [{ name: 'repo', path: 'a/../../repo' }] }],
    ['an output path climbing out', { outputs: [{ name: 'out', path: '..' }] }],
    ['an absolute cache path', { caches: [{ path: '/var/cache' }] }],
    ['a run.dir climbing out', { run: { path: 'make', dir: '../elsewhere' } }],
  ] as Array<[string, Partial<TaskConfig>]>)('refuses %s with task-path-outside', (_what, config) => {
    expect(errorOf(() => prepare(config)).code).toBe('task-path-outside');
  });

  it('accepts "." and paths that only wander inside', () => {
    const { run } = prepare({ inputs: [{ name: 'repo', path: '.' }], outputs: [{ name: 'out', path: 'a/../out' }] });
    expect(run.inputs[0]?.path).toBe('.');
    expect(run.outputs[0]?.path).toBe('out');
  });

  it.each([
    ['two inputs', { inputs: [{ name: 'repo', path: 'src' }, { name: 'tools', path: './src' }] }],
    ['two outputs', { outputs: [{ name: 'a', path: 'out' }, { name: 'b', path: 'out/' }] }],
    ['a cache and an input', { inputs: [{ name: 'repo' }], caches: [{ path: 'repo' }] }],
    ['a cache at the working directory', { caches: [{ path: '.' }] }],
  ] as Array<[string, Partial<TaskConfig>]>)('refuses %s on the same path with task-path-conflict', (_what, config) => {
    expect(errorOf(() => prepare(config)).code).toBe('task-path-conflict');
  });

  it('lets an output share an input\'s path, as Concourse does', () => {
    const { run } = prepare({ inputs: [{ name: 'repo' }], outputs: [{ name: 'bumped', path: 'repo' }] });
    expect(run.outputs).toEqual([{ name: 'bumped', path: 'repo' }]);
  });

  it('refuses a param name that cannot be an environment variable', () => {
    expect(errorOf(() => prepare({ params: { 'A=B': 'x' } })).code).toBe('task-param-invalid');
  });
});
