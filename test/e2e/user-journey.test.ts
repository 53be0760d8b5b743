import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runWeir, startWeirUp, stopWeir, type WeirProcess } from '../support/weir-process.js';



const MY_PIPELINE = `
jobs:
- name: greet
  plan:
  - task: hello
    config:
      platform: linux
      params: {WHO: ((who))}
      run: {path: sh, args: [-c, 'echo "hello, $WHO"']}
- name: broken
  plan:
  - task: fail
    config:
      platform: linux
      run: {path: sh, args: [-c, 'echo about to fail; exit 7']}
`;

const running: WeirProcess[] = [];
afterEach(async () => {
  for (const engine of running.splice(0)) await stopWeir(engine, 'SIGKILL');
});

describe('a user, from weir up to watching their own job', () => {
  // weir up, a dozen CLI processes and real builds: well over a minute on a loaded two-core machine.
  it('starts the engine with the examples, sets a pipeline, triggers and watches jobs with the right exit codes', async () => {
    const root = mkdtempSync(join(tmpdir(), 'weir-journey-'));
    try {
      const dataDir = join(root, 'data');
      const engine = await startWeirUp(['--data', dataDir, '--pipelines', 'examples']);
      running.push(engine);
      const env = { WEIR_URL: engine.url, WEIR_DATA: dataDir };
      // Examples that take vars are skipped in one line each, saying which vars and how to give them.
      expect(engine.stderr()).toMatch(/^skipped examples\/pipeline-as-code\/pipeline\.yml: it needs \(\(repo_uri\)\); once weir is up: weir set-pipeline -p pipeline-as-code -c examples\/pipeline-as-code\/pipeline\.yml -v NAME=VALUE/m);
      expect(engine.stderr()).not.toContain('var-undefined');

      const pipelines = await runWeir(['pipelines', '--json'], env);
      expect(pipelines.status).toBe(0);
      expect((JSON.parse(pipelines.stdout) as Array<{ name: string }>).map((p) => p.name)).toEqual(expect.arrayContaining(['hello-world', 'build-and-release']));

      const file = join(root, 'mine.yml');
      writeFileSync(file, MY_PIPELINE);
      const set = await runWeir(['set-pipeline', '-p', 'mine', '-c', file, '-v', 'who=world', '-n'], env);
      expect(set.status, set.stderr).toBe(0);
      expect(set.stdout).toMatch(/greet/);

      const greet = await runWeir(['trigger-job', '-j', 'mine/greet', '-w'], env);
      expect(greet.status, greet.stderr).toBe(0);
      expect(greet.stdout).toContain('hello, world');

      const broken = await runWeir(['trigger-job', '-j', 'mine/broken', '-w'], env);
      expect(broken.status).toBe(1);
      expect(broken.stdout).toContain('about to fail');

      const watched = await runWeir(['watch', '-j', 'mine/greet'], env);
      expect(watched.status).toBe(0);

      const builds = await runWeir(['builds', '-j', 'mine/broken', '--json'], env);
      expect((JSON.parse(builds.stdout) as Array<{ status: string }>)[0]!.status).toBe('failed');
      expect(await stopWeir(engine, 'SIGTERM')).toBe(0);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 180_000);
});
