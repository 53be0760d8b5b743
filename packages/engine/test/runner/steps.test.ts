import { describe, expect, it } from 'vitest';
import { testEngine } from '../support/engine.js';
import { outcomes, runJob } from '../support/builds.js';
import { mockPipeline as pipeline } from '../support/mock-pipeline.js';

/** An inline task config, its `config:` key indented by `indent` spaces. */
const sh = (script: string, extra = '', indent = 4) => {
  const pad = ' '.repeat(indent);
  return `
${pad}config:
${pad}  platform: linux
${pad}  ${extra}
${pad}  run: {path: sh, args: [-c, ${JSON.stringify(script)}]}`;
};

/** A task writing a task file and a pipeline file whose ((vars)) are filled only at run time. */
const WRITE_CI = `  - task: write-ci
${sh(
  [
    "o='(('; c='))'",
    `printf 'platform: linux\ninputs: [{name: app}]\nparams: {WHO: %swho%s}\nrun: {path: sh, args: [-c, "echo file task for $WHO; cat app/hello.txt"]}\n' "$o" "$c" > ci/task.yml`,
    `printf 'resources: [{name: r, type: mock, source: {initial_version: %sv%s}}]\njobs: [{name: j, plan: [{get: r}]}]\n' "$o" "$c" > ci/pipeline.yml`,
  ].join('; '),
  'outputs: [{name: ci}]',
)}`;

describe('runner: steps', () => {
  it('runs get and task: inputs, params, build metadata, and each image-less task says it ran unsandboxed', async () => {
    const engine = testEngine();
    const result = await runJob(
      engine,
      pipeline(`  - get: app
  - task: first
    params: {GREETING: hi, COUNT: 3, MAP: {a: 1}}
${sh('cat app/version; echo; echo $GREETING $COUNT $MAP; echo job=$BUILD_JOB_NAME pipeline=$BUILD_PIPELINE_NAME name=$BUILD_NAME', 'inputs: [{name: app}]')}
  - task: second
${sh('echo again')}`),
    );
    expect(result.build.status).toBe('succeeded');
    expect(result.logs.filter((l) => !l.includes('unsandboxed:'))).toEqual([
      '2: fetched version v1',
      '3: v1',
      '3: hi 3 {"a":1}',
      '3: job=job pipeline=p name=1',
      '4: again',
    ]);
    expect(result.logs.filter((l) => l.includes('unsandboxed: this task has no image')).map((l) => l.split(':')[0])).toEqual(['3', '4']);
    expect(outcomes(result)).toEqual({ app: 'succeeded', first: 'succeeded', second: 'succeeded' });
    expect(engine.store.builds.plan(result.build.id)).toMatchObject({ kind: 'do' });
  });

  it('fails on a non-zero exit, runs on_failure and ensure, and skips the rest', async () => {
    const engine = testEngine();
    const result = await runJob(
      engine,
      pipeline(`  - task: broken
${sh('echo boom >&2; exit 3')}
    on_failure:
      task: report
${sh('echo reporting', '', 6)}
    ensure:
      task: cleanup
${sh('echo cleaning', '', 6)}
  - task: never
${sh('echo should not run')}`),
    );
    expect(result.build.status).toBe('failed');
    expect(outcomes(result)).toEqual({ broken: 'failed', report: 'succeeded', cleanup: 'succeeded' });
    const finished = result.events.find((e) => e.type === 'step-finished' && e.data.exit_status !== undefined);
    expect(finished).toMatchObject({ data: { outcome: 'failed', exit_status: 3 } });
    expect(result.logs.some((l) => l.endsWith('boom'))).toBe(true);
  });

  it('errors (not fails) when a task cannot start, and runs on_error', async () => {
    const engine = testEngine();
    const result = await runJob(
      engine,
      pipeline(`  - task: missing
    config:
      platform: linux
      run: {path: ./does-not-exist}
    on_error:
      task: handle
${sh('echo handling', '', 6)}
    on_failure:
      task: not-for-errors
${sh('echo wrong hook', '', 6)}`),
    );
    expect(result.build.status).toBe('errored');
    expect(result.build.error).toMatch(/does-not-exist/);
    expect(outcomes(result)).toEqual({ missing: 'errored', handle: 'succeeded' });
    expect(result.events.find((e) => e.type === 'error')).toMatchObject({ data: { code: 'task-executable-not-found' } });
  });

  it('passes outputs to later tasks, with input_mapping and output_mapping', async () => {
    const engine = testEngine();
    const result = await runJob(
      engine,
      pipeline(`  - task: make
    output_mapping: {built: artifact}
${sh('echo made-it > built/file', 'outputs: [{name: built}]')}
  - task: use
    input_mapping: {source: artifact}
${sh('cat source/file; echo changed > source/file', 'inputs: [{name: source}]')}
  - task: again
    input_mapping: {source: artifact}
${sh('cat source/file', 'inputs: [{name: source}]')}`),
    );
    expect(result.build.status).toBe('succeeded');
    // The second reader sees the artifact as made: a task's changes to its inputs stay its own.
    expect(result.logs).toEqual(expect.arrayContaining(['3: made-it', '4: made-it']));
  });

  it('runs a task file from an artifact with its vars', async () => {
    const engine = testEngine();
    const result = await runJob(
      engine,
      pipeline(`  - get: app
${WRITE_CI}
  - task: from-file
    file: ci/task.yml
    vars: {who: weir}`),
    );
    expect(result.build.status).toBe('succeeded');
    expect(result.logs).toEqual(expect.arrayContaining(['4: file task for weir', '4: hello from app']));
  });

  it('records a put as the newest version and fetches it with the implicit get', async () => {
    const engine = testEngine();
    const result = await runJob(engine, pipeline(`  - put: out
    params: {version: "2.0"}`));
    expect(result.build.status).toBe('succeeded');
    const out = engine.store.resources.get(engine.store.pipelines.get({ name: 'p' })!.id, 'out')!;
    const latest = engine.store.resources.latestVersion(out.scopeId)!;
    expect(latest.version).toEqual({ version: '2.0' });
    expect(engine.store.builds.outputs(result.build.id)).toEqual([{ resourceId: out.id, versionId: latest.id }]);
    const gets = result.events.filter((e) => e.type === 'step-started' && e.data.kind === 'get');
    expect(gets).toHaveLength(1);
    expect(result.events.filter((e) => e.type === 'step-finished').map((e) => e.type === 'step-finished' && e.data.version)).toEqual([
      { version: '2.0' },
      { version: '2.0' },
    ]);
  });

  it('loads vars and redacts them unless revealed; static pipeline vars are shown', async () => {
    const engine = testEngine();
    const result = await runJob(
      engine,
      pipeline(`  - get: app
  - load_var: cfg
    file: app/config.json
  - load_var: shown
    file: app/hello.txt
    reveal: true
  - task: echo
    params: {NAME: ((.:cfg.name)), SECRET: ((password)), SHOWN: ((.:shown))}
${sh('echo $NAME; echo $SECRET; echo $SHOWN')}`),
      'job',
      { vars: { password: 'hunter22' } },
    );
    expect(result.build.status).toBe('succeeded');
    expect(result.logs.slice(-3)).toEqual(['5: ((redacted))', '5: hunter22', '5: hello from app']);
  });

  it('runs across values with their own local vars, and in_parallel', async () => {
    const engine = testEngine();
    const result = await runJob(
      engine,
      pipeline(`  - in_parallel:
      limit: 2
      steps:
      - task: a
${sh('echo a', '', 8)}
      - task: b
${sh('echo b', '', 8)}
  - task: each
    across:
    - var: color
      values: [red, green]
      max_in_flight: all
    - var: size
      values: [s, l]
${sh('echo ((.:color))-((.:size))')}`),
    );
    expect(result.build.status).toBe('succeeded');
    const lines = result.logs.filter((l) => l.includes('-') && !l.includes('host')).map((l) => l.split(': ')[1]).sort();
    expect(lines).toEqual(['green-l', 'green-s', 'red-l', 'red-s']);
    const origins = new Set(result.events.filter((e) => e.type === 'step-started' && e.data.name === 'each').map((e) => 'origin' in e && e.origin));
    expect(origins.size).toBe(4);
  });

  it('fails fast in parallel: the failure aborts its sibling', async () => {
    const engine = testEngine();
    const result = await runJob(
      engine,
      pipeline(`  - in_parallel:
      fail_fast: true
      steps:
      - task: quick-fail
${sh('exit 1', '', 8)}
      - task: slow
${sh('sleep 30', '', 8)}
        on_abort:
          task: slow-aborted
${sh('echo interrupted by fail_fast', '', 10)}`),
    );
    expect(result.build.status).toBe('failed');
    expect(outcomes(result)).toEqual({ 'quick-fail': 'failed', slow: 'aborted', 'slow-aborted': 'succeeded' });
  });

  it('fails a step that times out, retries with attempts, and masks with try', async () => {
    const engine = testEngine();
    const counter = `/tmp/weir-attempts-${process.pid}-${Date.now()}`;
    const result = await runJob(
      engine,
      pipeline(`  - try:
      task: slow
      timeout: 300ms
${sh('sleep 30', '', 6)}
  - task: flaky
    attempts: 3
${sh(`n=$(cat ${counter} 2>/dev/null || echo 0); n=$((n+1)); echo $n > ${counter}; echo attempt $n; test $n -ge 3`)}
  - task: late
    timeout: 300ms
${sh('sleep 30')}`),
    );
    expect(result.build.status).toBe('failed');
    expect(outcomes(result)).toMatchObject({ slow: 'failed', flaky: 'succeeded', late: 'failed' });
    expect(result.logs.filter((l) => l.includes('attempt')).map((l) => l.split(': ')[1])).toEqual(['attempt 1', 'attempt 2', 'attempt 3']);
  });

  it('sets pipelines from artifacts, with var_files and instance vars', async () => {
    const engine = testEngine();
    const result = await runJob(
      engine,
      pipeline(`  - get: app
${WRITE_CI}
  - set_pipeline: child
    file: ci/pipeline.yml
    var_files: [app/vars.yml]
    instance_vars: {pr: 7}`),
    );
    expect(result.build.status).toBe('succeeded');
    const child = engine.store.pipelines.get({ name: 'child', instanceVars: { pr: 7 } })!;
    expect(child).toBeDefined();
    expect(engine.store.resources.get(child.id, 'r')!.config.source).toEqual({ initial_version: 'from-var-file' });
  });
});
