import { describe, expect, it } from 'vitest';
import { testEngine } from '../support/engine.js';
import { runJob } from '../support/builds.js';
import { mockPipeline as pipeline } from '../support/mock-pipeline.js';

/** Log lines without their step origin. */
const lines = (logs: string[]) => logs.map((line) => line.replace(/^[^:]*: /, ''));

const task = (params: string, script: string) => `  - task: show
    params: ${params}
    config:
      platform: linux
      run: {path: sh, args: [-c, ${JSON.stringify(script)}]}`;

describe('secrets at run time', () => {
  it('looks ((name)) up in weir\'s store when the step runs, redacts the value, and shows static vars', async () => {
    const engine = testEngine();
    engine.secrets.builtin.set({ team: 'main', pipeline: '', name: 'db' }, { user: 'deployer', password: 'team-password-1' });
    engine.secrets.builtin.set({ team: 'main', pipeline: 'p', name: 'api_key' }, 'pipeline-api-key-2');
    const result = await runJob(
      engine,
      pipeline(task('{PASS: ((db.password)), KEY: "key=((api_key))", REPO: ((repo))}', 'echo $PASS; echo $KEY; echo $REPO; echo team-pass""word-1 again')),
      'job',
      { vars: { repo: 'https://git.example.com/acme/app.git' } },
    );
    expect(result.build.status).toBe('succeeded');
    expect(lines(result.logs).slice(-4)).toEqual(['((redacted))', 'key=((redacted))', 'https://git.example.com/acme/app.git', '((redacted)) again']);
    // Stored configs and plans keep the references, not the values.
    const stored = JSON.stringify([engine.store.pipelines.get({ name: 'p' })!.config, engine.store.builds.plan(result.build.id)]);
    expect(stored).toContain('((db.password))');
    expect(stored).not.toContain('team-password-1');
  });

  it('errors a step whose secret is nowhere, naming the var, the source and the paths tried', async () => {
    const engine = testEngine();
    engine.secrets.builtin.set({ team: 'main', pipeline: '', name: 'token' }, 'set-then-removed');
    engine.setPipeline({ name: 'p', text: pipeline(task('{T: ((token))}', 'echo $T')) });
    engine.secrets.builtin.remove({ team: 'main', pipeline: '', name: 'token' });
    const result = await runJob(engine, '');
    expect(result.build.status).toBe('errored');
    const error = result.events.find((event) => event.type === 'error');
    expect(error?.data).toMatchObject({
      code: 'secret-not-found',
      message: "((token)) was not found in weir's secret store; tried main/p/token, main/token",
    });
  });

  it('refuses to set a pipeline whose var is neither static nor stored, and accepts it once stored', () => {
    const engine = testEngine();
    const text = pipeline(task('{T: ((deploy_token))}', 'true'));
    expect(() => engine.setPipeline({ name: 'p', text })).toThrow(expect.objectContaining({ code: 'pipeline-invalid' }));
    engine.secrets.builtin.set({ team: 'main', pipeline: 'p', name: 'deploy_token' }, 'abc-123');
    expect(engine.setPipeline({ name: 'p', text }).created).toBe(true);
  });

  it('refuses a webhook token from the secret store, which would be stored as its reference', () => {
    const engine = testEngine();
    engine.secrets.builtin.set({ team: 'main', pipeline: '', name: 'hook' }, 'hook-token-123');
    const text = pipeline('  - get: app', '').replace('- name: app\n  type: mock\n', '- name: app\n  type: mock\n  webhook_token: ((hook))\n');
    expect(text).toContain('webhook_token: ((hook))');
    expect(() => engine.setPipeline({ name: 'p', text })).toThrow(expect.objectContaining({ code: 'webhook-token-secret-unsupported' }));
  });

  it('reads var sources (dummy), in dependency order, and redacts their values', async () => {
    const engine = testEngine();
    engine.secrets.builtin.set({ team: 'main', pipeline: '', name: 'inner' }, 'inner-secret-77');
    const text = pipeline(
      task('{A: ((outer:a)), B: ((outer:b))}', 'echo $A $B'),
      `var_sources:
- name: outer
  type: dummy
  config: {vars: {a: ((inner:x)), b: plain-dummy-value}}
- name: inner
  type: dummy
  config: {vars: {x: ((inner))}}
`,
    );
    const result = await runJob(engine, text);
    expect(result.build.status).toBe('succeeded');
    expect(lines(result.logs).at(-1)).toBe('((redacted)) ((redacted))');
  });

  it('redacts secrets from check errors, stored and shown', async () => {
    const engine = testEngine();
    engine.secrets.builtin.set({ team: 'main', pipeline: '', name: 'git_password' }, 'check-pass-31337');
    engine.setPipeline({ name: 'p', text: pipeline('  - get: broken', '- name: broken\n  type: mock\n  source: {check_failure: "https://ci:((git_password))@git.example.com"}\n') });
    const pipelineId = engine.store.pipelines.get({ name: 'p' })!.id;
    const broken = engine.store.resources.get(pipelineId, 'broken')!;
    const outcome = await engine.checker.checkResource(broken.id);
    expect(outcome.error).toContain('https://ci:((redacted))@git.example.com');
    expect(engine.store.resources.byId(broken.id)!.checkError).toContain('https://ci:((redacted))@git.example.com');
  });

  it('redacts secrets in version metadata, in events and in the versions a put stores', async () => {
    const engine = testEngine();
    engine.secrets.builtin.set({ team: 'main', pipeline: '', name: 'meta' }, 'meta-secret-4242');
    const result = await runJob(
      engine,
      pipeline('  - put: noted\n    params: {version: v9}', '- name: noted\n  type: mock\n  source:\n    no_initial_version: true\n    metadata: [{name: note, value: "token is ((meta))"}]\n'),
    );
    expect(result.build.status).toBe('succeeded');
    const finished = JSON.stringify(result.events.filter((event) => event.type === 'step-finished'));
    expect(finished).toContain('token is ((redacted))');
    expect(finished).not.toContain('meta-secret-4242');
    const noted = engine.store.resources.get(engine.store.pipelines.get({ name: 'p' })!.id, 'noted')!;
    const stored = engine.store.resources.version(engine.store.resources.latestVersion(noted.scopeId)!.id);
    expect(JSON.stringify(stored)).toContain('token is ((redacted))');
    expect(JSON.stringify(stored)).not.toContain('meta-secret-4242');
  });
});
