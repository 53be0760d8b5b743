import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngineServer } from './support/engine-server.js';
import { at } from './support/pipelines.js';
import { weir } from './support/run-weir.js';

const PIPELINE = `resources:
- name: tick
  type: mock
  source: {initial_version: "((start))"}
jobs:
- name: unit
  plan:
  - get: tick
    trigger: true
  - task: test
    config:
      platform: linux
      run: {path: sh, args: [-c, "echo testing"]}
`;

let dir: string;
const file = (name: string, text: string): string => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'weir-cli-set-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));


describe('weir set-pipeline', () => {
  it('shows a new pipeline as all added, applies it with -n, and says how to run it', async () => {
    const server = await startEngineServer({ start: false });
    const result = await weir(['set-pipeline', ...at(server), '-p', 'my-app', '-c', file('p.yml', PIPELINE), '-v', 'start=1', '-n']);
    expect(result.status).toBe(0);
    expect(result.out).toContain('resource tick has been added:\n+ name: tick\n+ type: mock\n');
    expect(result.out).toContain('job unit has been added:\n+ name: unit\n');
    expect(result.out).toContain('2 added, 0 changed, 0 removed\npipeline created: my-app\n');
    expect(result.out).toContain('it is unpaused');
    expect(result.out).toContain('`weir trigger-job -j my-app/unit`');
    expect(result.questions).toEqual([]);
    expect(server.engine.store.pipelines.get({ name: 'my-app' })?.configVersion).toBe(1);
  });

  it('shows only what changed when set again, and says so when nothing did', async () => {
    const server = await startEngineServer({ start: false });
    const p = file('p.yml', PIPELINE.replace('((start))', '1'));
    await weir(['set-pipeline', ...at(server), '-p', 'my-app', '-c', p, '-n']);
    const again = await weir(['set-pipeline', ...at(server), '-p', 'my-app', '-c', p, '-n']);
    expect(again).toMatchObject({ status: 0, out: 'no changes to apply to pipeline my-app\n' });

    const changed = await weir(['set-pipeline', ...at(server), '-p', 'my-app', '-c', file('p2.yml', PIPELINE.replace('((start))', '1').replace('echo testing', 'echo testing hard')), '-n']);
    expect(changed.status).toBe(0);
    expect(changed.out).toContain('job unit has changed:\n');
    expect(changed.out).toContain('            - -c\n-           - echo testing\n+           - echo testing hard\n');
    expect(changed.out).not.toContain('resource tick');
    expect(changed.out).toContain('0 added, 1 changed, 0 removed\npipeline updated: my-app\n');
    expect(server.engine.store.pipelines.get({ name: 'my-app' })?.configVersion).toBe(2);
  });

  it('prints the problems of an invalid file like weir validate, sets nothing and exits 1', async () => {
    const server = await startEngineServer({ start: false });
    const p = file('bad.yml', PIPELINE.replace('trigger: true', 'triger: true'));
    const result = await weir(['set-pipeline', ...at(server), '-p', 'my-app', '-c', p, '-v', 'start=1', '-n']);
    expect(result.status).toBe(1);
    expect(result.err).toContain(`${p}:9:5: error unknown-key: unknown key "triger" in this get step`);
    expect(result.err).toContain('  9 |     triger: true\n');
    expect(result.err).toContain(`${p} is not a valid pipeline; nothing was set`);
    expect(server.engine.store.pipelines.list({ includeArchived: true })).toEqual([]);
  });

  it('refuses a pipeline whose vars are missing, as the engine would', async () => {
    const server = await startEngineServer({ start: false });
    const result = await weir(['set-pipeline', ...at(server), '-p', 'my-app', '-c', file('p.yml', PIPELINE), '-n']);
    expect(result.status).toBe(1);
    expect(result.err).toContain('var ((start)) is not defined');
  });

  it('refuses to apply without -n when stdin is not a terminal', async () => {
    const server = await startEngineServer({ start: false });
    const result = await weir(['set-pipeline', ...at(server), '-p', 'my-app', '-c', file('p.yml', PIPELINE), '-v', 'start=1']);
    expect(result.status).toBe(1);
    expect(result.out).toContain('2 added, 0 changed, 0 removed');
    expect(result.err).toContain('error: not applying the configuration: stdin is not a terminal, so weir cannot ask for a confirmation\n  hint: pass -n (--non-interactive) to go ahead without asking\n');
    expect(server.engine.store.pipelines.get({ name: 'my-app' })).toBeUndefined();
  });

  it('asks at a terminal and applies only on yes', async () => {
    const server = await startEngineServer({ start: false });
    const p = file('p.yml', PIPELINE);
    const no = await weir(['set-pipeline', ...at(server), '-p', 'my-app', '-c', p, '-v', 'start=1'], { answers: ['n'] });
    expect(no.questions).toEqual(['apply configuration to new pipeline my-app? [yN]: ']);
    expect(no).toMatchObject({ status: 1, err: 'bailing out; nothing was set\n' });
    expect(server.engine.store.pipelines.get({ name: 'my-app' })).toBeUndefined();

    const yes = await weir(['set-pipeline', ...at(server), '-p', 'my-app', '-c', p, '-v', 'start=1'], { answers: ['y'] });
    expect(yes.status).toBe(0);
    expect(yes.out).toContain('pipeline created: my-app');
  });

  it('turns a change made while the user looked at the diff into a conflict, not a lost update', async () => {
    const server = await startEngineServer({ start: false });
    await weir(['set-pipeline', ...at(server), '-p', 'my-app', '-c', file('p.yml', PIPELINE), '-v', 'start=1', '-n']);
    const result = await weir(['set-pipeline', ...at(server), '-p', 'my-app', '-c', file('p2.yml', PIPELINE), '-v', 'start=2'], {
      ask: async () => {
        server.engine.setPipeline({ name: 'my-app', text: PIPELINE, vars: { start: '3' } });
        return 'y';
      },
    });
    expect(result.status).toBe(1);
    expect(result.err).toContain('error: pipeline main/my-app changed since you read it (you have config version 1, it is now at 2)');
    expect(result.err).toContain('hint: someone set the pipeline while you looked at the diff: run the same `weir set-pipeline` again');
    expect(server.engine.store.pipelines.get({ name: 'my-app' })?.configVersion).toBe(2);
  });

  it('sets an instance of an instanced pipeline, with instance vars that are also vars', async () => {
    const server = await startEngineServer({ start: false });
    const p = file('pr.yml', PIPELINE.replace('((start))', 'pr-((pr))'));
    const result = await weir(['set-pipeline', ...at(server), '-p', 'my-app', '-i', 'pr=1234', '-c', p, '-n']);
    expect(result.status).toBe(0);
    expect(result.out).toContain('+   initial_version: pr-1234\n');
    expect(result.out).toContain('pipeline created: my-app/pr:1234');
    expect(result.out).toContain('`weir trigger-job -j my-app/pr:1234/unit`');
    const again = await weir(['set-pipeline', ...at(server), '-p', 'my-app/pr:1234', '-c', p, '-n']);
    expect(again.out).toBe('no changes to apply to pipeline my-app/pr:1234\n');
    const listed = await weir(['pipelines', ...at(server)]);
    expect(listed.out).toMatch(/^1 +my-app\/pr:1234 +no /m);
  });

  it('shows the values of static vars, which are not secrets, and warns about one whose name says it is', async () => {
    const server = await startEngineServer({ start: false });
    const p = file('p.yml', PIPELINE);
    const first = await weir(['set-pipeline', ...at(server), '-p', 'my-app', '-c', p, '-v', 'start=v-hunter2', '-n']);
    expect(first.out).toContain('+   initial_version: v-hunter2\n');
    const second = await weir(['set-pipeline', ...at(server), '-p', 'my-app', '-c', p, '-v', 'start=correct-horse', '-n']);
    expect(second.status).toBe(0);
    expect(second.out).toContain('correct-horse');
    expect(second.out).toContain('pipeline updated: my-app');
    expect(server.engine.store.pipelines.get({ name: 'my-app' })?.configVersion).toBe(2);
    const secretLooking = file('s.yml', PIPELINE.replaceAll('((start))', '((deploy_token))'));
    const third = await weir(['set-pipeline', ...at(server), '-p', 'my-app', '-c', secretLooking, '-v', 'deploy_token=abc', '-n']);
    expect(third.status).toBe(0);
    expect(third.err).toContain('static-var-looks-secret');
    expect(third.err).toContain('weir secrets set deploy_token');
  });

  it('hides a resource\'s webhook token as the engine does, so setting an unchanged pipeline again changes nothing', async () => {
    const server = await startEngineServer({ start: false });
    const p = file('hook.yml', PIPELINE.replace('((start))', '1').replace('  type: mock\n', '  type: mock\n  webhook_token: abcdef-hook-token\n'));
    const first = await weir(['set-pipeline', ...at(server), '-p', 'my-app', '-c', p, '-n']);
    expect(first.status).toBe(0);
    expect(first.out).toContain('+ webhook_token: ((redacted))\n');
    const again = await weir(['set-pipeline', ...at(server), '-p', 'my-app', '-c', p, '-n']);
    expect(again).toMatchObject({ status: 0, out: 'no changes to apply to pipeline my-app\n' });
    expect(first.out + first.err + again.out + again.err).not.toContain('abcdef-hook-token');
    expect(server.engine.store.pipelines.get({ name: 'my-app' })?.configVersion).toBe(1);
  });
});
