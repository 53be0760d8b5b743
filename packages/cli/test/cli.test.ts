import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '@weir/cli';
import { startEngineServer } from './support/engine-server.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

async function weir(...argv: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const status = await runCli(argv, { out: (t) => (out += t), err: (t) => (err += t), color: false });
  return { status, out, err };
}

let dir: string;
const file = (name: string, text: string): string => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};

const VALID = `resources:
- name: repo
  type: git
  source: {uri: ((uri))}
jobs:
- name: unit
  plan:
  - get: repo
    trigger: true
`;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'weir-cli-'));
});

describe('weir validate', () => {
  it('prints only its summary line and exits 0 for a valid pipeline with its vars', async () => {
    const result = await weir('validate', '-v', 'uri=https://example.com/r.git', file('ok.yml', VALID));
    expect(result).toEqual({ status: 0, out: '1 file checked: all valid, 0 errors, 0 warnings\n', err: '' });
  });

  it("sums up a file's undefined vars in one block, with each var's first use, and exits 0", async () => {
    const p = file('vars.yml', VALID.replace('name: unit', 'name: unit\n  serial_groups: [((group))]').replace('get: repo', 'get: repo\n    params: {depth: ((depth))}') + '- name: other\n  plan:\n  - get: repo\n    params: {depth: ((depth))}\n');
    const result = await weir('validate', p);
    expect(result.status).toBe(0);
    expect(result.out).toBe(
      `${p}: warning var-undefined: 3 vars are not given (each at its first use, line:column):\n` +
        '    ((uri)) 4:17, ((group)) 7:19, ((depth)) 10:21\n' +
        '  hint: nothing is wrong if a credential manager supplies them when the pipeline runs (weir secrets set NAME, or var_sources); to check with values now, pass -v name=value, -y name=yaml, -l vars.yml or -i name=value\n\n' +
        '1 file checked: all valid, 0 errors, 3 warnings (3 of them undefined vars)\n',
    );
  });

  it('with --strict, passes vars a credential manager will supply, and fails on what fly --strict fails on and on what breaks a run', async () => {
    expect(await weir('validate', '--strict', file('ok.yml', VALID))).toMatchObject({ status: 0, out: expect.stringContaining('1 file checked: all valid') });
    // Concourse's identifier warning fails fly's strict mode.
    const style = await weir('validate', '--strict', '-v', 'uri=x', file('style.yml', VALID.replace('name: unit', 'name: Unit_Tests')));
    expect(style.status).toBe(1);
    expect(style.out).toContain('warning invalid-identifier');
    expect(style.out).toContain('1 file checked: 1 invalid, 0 errors, 1 warning; --strict fails on 1 warning\n');
    // A source field the built-in git type refuses: the first check would fail.
    const source = await weir('validate', '--strict', file('source.yml', VALID.replace('source: {uri: ((uri))}', 'source: {uri: ((uri)), brnch: main}')));
    expect(source.status).toBe(1);
    expect(source.out).toContain('warning resource-source-invalid');
    expect(source.out).toContain('1 file checked: 1 invalid, 0 errors, 2 warnings (1 of them undefined vars); --strict fails on 1 warning\n');
  });

  it('prints errors like a compiler, with a snippet and a caret, and exits 1', async () => {
    const p = file('bad.yml', VALID.replace('trigger: true', 'pased: [x]'));
    const result = await weir('validate', p);
    expect(result.status).toBe(1);
    expect(result.out).toContain(`${p}:9:5: error unknown-key: unknown key "pased" in this get step (at jobs.unit.plan[0].pased)`);
    expect(result.out).toContain('  9 |     pased: [x]\n    |     ^^^^^\n');
    expect(result.out).toContain('hint: did you mean "passed"?');
  });

  it('prints a JSON report with --json', async () => {
    const good = file('good.yml', VALID);
    const bad = file('bad.yml', VALID.replace('get: repo', 'get: rpo'));
    const result = await weir('validate', '--json', '-v', 'uri=x', good, bad);
    expect(result.status).toBe(1);
    const report = JSON.parse(result.out) as Array<{ file: string; valid: boolean; problems: Array<Record<string, unknown>> }>;
    expect(report.map((r) => [r.file, r.valid])).toEqual([
      [good, true],
      [bad, false],
    ]);
    expect(report[1]?.problems.map((p) => [p.severity, p.code, p.line, p.column, p.path])).toEqual([
      ['error', 'unused-resource', 2, 9, 'resources.repo.name'],
      ['error', 'unknown-resource', 8, 10, 'jobs.unit.plan[0].get'],
    ]);
    expect(report[1]?.problems[1]).toHaveProperty('message');
  });

  it('says what a run needs of the host when types or tasks run in images, without failing --strict', async () => {
    const pipeline = file('images.yml', `resource_types:
- name: store
  type: registry-image
  source: {repository: 127.0.0.1:5000/types/store}
resources:
- name: values
  type: store
  source: {}
- name: bucket
  type: s3
  source: {bucket: b}
jobs:
- name: j
  plan:
  - get: values
  - get: bucket
`);
    const result = await weir('validate', '--strict', pipeline);
    expect(result.status).toBe(0);
    expect(result.out).toContain(`${pipeline}: note: a run needs bubblewrap on the engine's host (Debian/Ubuntu: apt-get install bubblewrap): resource type store and resource type s3 run in their images, sandboxed\n`);
    expect(result.out).toContain(`${pipeline}: note: a run needs the engine to reach the image registries 127.0.0.1:5000 and docker.io\n`);
    expect(result.out).toContain('weir up --resource-type-mirror');
    expect(result.out).not.toContain('resource-type-not-runnable');
    const json = JSON.parse((await weir('validate', '--json', pipeline)).out) as Array<{ needs: string[] }>;
    expect(json[0]?.needs).toHaveLength(3);
  });

  it('says that a declared type overrides a built-in of the same name', async () => {
    const pipeline = file('override.yml', `resource_types:\n- name: git\n  type: registry-image\n  source: {repository: concourse/git-resource}\n${VALID}`);
    const result = await weir('validate', '-v', 'uri=x', pipeline);
    expect(result.status).toBe(0);
    expect(result.out).toContain(`${pipeline}:2:9: warning resource-type-overrides-builtin: resource type "git" is declared here, and weir has a built-in type of that name`);
  });

  it('checks task files with --task', async () => {
    const task = file('task.yml', 'platform: linux\nrun:\n  path: sh\n');
    expect((await weir('validate', '--task', task)).status).toBe(0);
    expect((await weir('validate', task)).status).toBe(1);
  });

  it('reads vars from files, YAML flags and instance vars', async () => {
    const vars = file('vars.yml', 'uri: https://example.com/a.git\n');
    const pipeline = file('p.yml', VALID.replace('trigger: true', 'trigger: ((go))').replace('name: unit', 'name: unit-((pr))'));
    const result = await weir('validate', '--strict', '-l', vars, '-y', 'go=true', '-i', 'pr=42', pipeline);
    expect(result).toMatchObject({ status: 0, out: '1 file checked: all valid, 0 errors, 0 warnings\n' });
  });

  it('reports a file that does not exist, and a vars file that does not exist', async () => {
    const missing = await weir('validate', path.join(dir, 'nope.yml'));
    expect(missing.status).toBe(1);
    expect(missing.out).toContain('error file-unreadable');
    const noVars = await weir('validate', '-l', path.join(dir, 'nope-vars.yml'), file('ok.yml', VALID));
    expect(noVars.status).toBe(1);
    expect(noVars.err).toContain('cannot read vars file');
  });

  it('explains usage mistakes', async () => {
    const result = await weir('validate');
    expect(result.status).toBe(1);
    expect(result.err).toContain("missing required argument 'file'");
  });
});

describe('weir format', () => {
  it('prints, checks and writes canonical order', async () => {
    const p = file('fmt.yml', 'jobs:\n- plan: [{get: repo}]\n  name: unit\nresources:\n- {type: git, name: repo, source: {}}\n');
    const printed = await weir('format', p);
    expect(printed.status).toBe(0);
    expect(printed.out.indexOf('resources:')).toBeLessThan(printed.out.indexOf('jobs:'));
    expect((await weir('format', '--check', p)).status).toBe(1);
    expect((await weir('format', '--write', p)).status).toBe(0);
    expect(readFileSync(p, 'utf8')).toBe(printed.out);
    expect(await weir('format', '--check', p)).toEqual({ status: 0, out: '', err: '' });
  });

  it('leaves a file it cannot parse untouched', async () => {
    const p = file('broken.yml', 'jobs: [\n');
    const result = await weir('format', '--write', p);
    expect(result.status).toBe(1);
    expect(readFileSync(p, 'utf8')).toBe('jobs: [\n');
  });
});

describe('the weir bin', () => {
  const bin = path.join(repoRoot, 'packages/cli/bin/weir.js');
  beforeAll(() => {
    // Incremental for tsc; the bundle is rebuilt from the sources, so it is never stale here.
    execFileSync('pnpm', ['build'], { cwd: repoRoot, stdio: 'ignore' });
  }, 300_000);

  it('runs as an installed command from the bundle, with paths relative to where it runs', () => {
    const version = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' });
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const project = mkdtempSync(path.join(tmpdir(), 'weir-project-'));
    mkdirSync(path.join(project, 'ci'));
    writeFileSync(path.join(project, 'ci/pipeline.yml'), readFileSync(path.join(repoRoot, 'examples/hello-world/pipeline.yml')));
    const validate = spawnSync(process.execPath, [bin, 'validate', 'ci/pipeline.yml'], { cwd: project, encoding: 'utf8' });
    expect(validate).toMatchObject({ status: 0, stderr: '' });
  });

  it('reports what the sources report, with the validators the bundle compiled ahead of time', async () => {
    const broken = file(
      'aot.yml',
      `resources:
- name: repo
  type: git
  source: {uri: 12, brnch: main}
- name: clock
  type: time
  source: {interval: [1h]}
jobs:
- name: unit
  serial: maybe
  plan:
  - get: repo
    params: {depth: "one"}
  - task: t
    config: {platform: linux, run: {}}
  - put: nowhere
`,
    );
    const files = [broken, path.join(repoRoot, 'examples/hello-world/pipeline.yml'), path.join(repoRoot, 'examples/stateful-ci/pipeline.yml')];
    const bundled = spawnSync(process.execPath, [bin, 'validate', '--json', ...files], { encoding: 'utf8' });
    const fromSources = await weir('validate', '--json', ...files);
    expect(bundled.status).toBe(fromSources.status);
    expect(JSON.parse(bundled.stdout)).toEqual(JSON.parse(fromSources.out));
    expect(fromSources.out).toContain('schema-');
  });

  it('compiles a large pipeline on the bundled compiler thread: weir up sets one and reports the problems of another', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'weir-large-'));
    mkdirSync(path.join(dir, 'pipelines'));
    // Over 16 KiB each, so neither compiles on the engine's own thread.
    const jobs = (plan: string) => Array.from({ length: 600 }, (_, i) => `- {name: job-${i}, plan: [${plan}]}`).join('\n');
    expect(jobs('{get: nowhere}').length).toBeGreaterThan(16 * 1024);
    writeFileSync(path.join(dir, 'pipelines/large.yml'), `resources: [{name: r, type: mock, source: {}}]\njobs:\n${jobs('{get: r, trigger: true}')}\n`);
    writeFileSync(path.join(dir, 'pipelines/broken.yml'), `jobs:\n${jobs('{get: nowhere}')}\n`);
    const up = spawn(process.execPath, [bin, 'up', '--data', path.join(dir, 'data'), '--port', '0', '--pipelines', 'pipelines'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    up.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    try {
      for (let waited = 0; !stderr.includes('weir is up') && up.exitCode === null && waited < 60_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      up.kill('SIGTERM');
    }
    expect(stderr).toContain('set pipeline large from pipelines/large.yml');
    expect(stderr).toContain('skipped pipelines/broken.yml: pipelines/broken.yml has 600 errors; the first: 2:30 get step uses resource "nowhere"');
    expect(stderr).toContain('error unknown-resource');
    await once(up, 'exit');
  });

  it('prints a pipeline from the engine as YAML', async () => {
    const server = await startEngineServer({ start: false });
    const flags = ['--url', server.url, '--data', server.dataDir];
    expect((await weir('set-pipeline', ...flags, '-p', 'hello', '-c', path.join(repoRoot, 'examples/hello-world/pipeline.yml'), '-n')).status).toBe(0);
    // Not spawnSync: the engine answers from this process.
    const { stdout } = await promisify(execFile)(process.execPath, [bin, 'get-pipeline', ...flags, '-p', 'hello'], { encoding: 'utf8' });
    expect(stdout).toMatch(/^resources:\n  - name: tick\n    type: mock\n/);
  });
});

describe('weir format --write when the file cannot be replaced', () => {
  it('says so and leaves the file as it was', async () => {
    const p = file('blocked.yml', 'jobs: []\nresources: []\n');
    mkdirSync(`${p}.weir-format.tmp`);
    const result = await weir('format', '--write', p);
    expect(result.status).toBe(1);
    expect(result.err).toContain('error file-unwritable: cannot write');
    expect(readFileSync(p, 'utf8')).toBe('jobs: []\nresources: []\n');
  });
});
