import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, Engine, type BuildRecord } from '@weir/engine';
import { implementedResourceTypes } from '@weir/resources';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type RunningRegistry } from '../../packages/resources/test/registry-image/support/registry.js';
import { requireTools } from '../../packages/resources/test/registry-image/support/tools.js';

const example = (name: string) => readFileSync(fileURLToPath(new URL(`../../examples/${name}/pipeline.yml`, import.meta.url)), 'utf8');

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'dev', GIT_AUTHOR_EMAIL: 'dev@example.com', GIT_COMMITTER_NAME: 'dev', GIT_COMMITTER_EMAIL: 'dev@example.com' } });

/** A bare repository with one commit of the given files on main; returns its file:// URI and a commit function. */
function repository(files: Record<string, string>): { uri: string; commit(files: Record<string, string>, message: string): void; tag(name: string): void } {
  const root = tempDir('weir-e2e-repo-');
  const bare = join(root, 'app.git');
  const work = join(root, 'work');
  git(root, 'init', '-q', '--bare', '-b', 'main', bare);
  git(root, 'clone', '-q', bare, work);
  const commit = (changes: Record<string, string>, message: string) => {
    for (const [path, text] of Object.entries(changes)) {
      mkdirSync(join(work, path, '..'), { recursive: true });
      writeFileSync(join(work, path), text);
    }
    git(work, 'add', '-A');
    git(work, 'commit', '-q', '-m', message);
    git(work, 'push', '-q', 'origin', 'HEAD:main');
  };
  commit(files, 'first');
  const tag = (name: string) => {
    git(work, 'tag', name);
    git(work, 'push', '-q', 'origin', name);
  };
  return { uri: `file://${bare}`, commit, tag };
}

function startEngine(): Engine {
  const engine = Engine.open({ dataDir: ':memory:', resourceTypes: implementedResourceTypes(), logger: createLogger({ level: 'silent' }) });
  cleanups.push(() => engine.stop());
  return engine;
}

async function finishedBuild(engine: Engine, pipeline: string, job: string, after = 0): Promise<BuildRecord> {
  const pipelineId = engine.store.pipelines.get({ name: pipeline })!.id;
  const jobId = engine.store.jobs.get(pipelineId, job)!.id;
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
    const finished = engine.store.builds.jobSummary(jobId).finishedBuild;
    if (finished && finished.id > after) return finished;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${pipeline}/${job} did not finish a build within 60 s`);
}

function stdout(engine: Engine, buildId: number): string[] {
  return engine.events.list(buildId, 0, 10_000).flatMap((e) => (e.type === 'log' && e.data.stream === 'stdout' ? [e.data.line] : []));
}

describe('examples against real git', () => {
  it('pipeline-as-code: the pipeline sets itself from its repository, and a commit to ci/pipeline.yml changes it', async () => {
    const ciPipeline = (greeting: string) =>
      example('pipeline-as-code').replace(/\n- name: unit[\s\S]*$/, `
- name: unit
  plan:
  - get: repo
    trigger: true
    passed: [reconfigure]
  - task: test
    file: repo/ci/tasks/unit.yml
    params: {GREETING: ${greeting}}
`);
    const repo = repository({
      'ci/pipeline.yml': ciPipeline('first'),
      'ci/tasks/unit.yml': 'platform: linux\ninputs: [{name: repo}]\nrun: {path: sh, args: [-c, \'echo "$GREETING: $(cat repo/.git/short_ref)"\']}\n',
    });
    const engine = startEngine();
    engine.setPipeline({ name: 'app', text: example('pipeline-as-code'), vars: { repo_uri: repo.uri } });
    engine.start();
    const reconfigure = await finishedBuild(engine, 'app', 'reconfigure');
    expect(reconfigure.status).toBe('succeeded');
    const unit = await finishedBuild(engine, 'app', 'unit');
    expect(unit.status).toBe('succeeded');
    expect(stdout(engine, unit.id)).toEqual([expect.stringMatching(/^first: [0-9a-f]{7}/)]);

    repo.commit({ 'ci/pipeline.yml': ciPipeline('second') }, 'change the pipeline');
    const pipelineId = engine.store.pipelines.get({ name: 'app' })!.id;
    await engine.checker.checkResource(engine.store.resources.get(pipelineId, 'repo')!.id);
    await finishedBuild(engine, 'app', 'reconfigure', reconfigure.id);
    const second = await finishedBuild(engine, 'app', 'unit', unit.id);
    expect(stdout(engine, second.id)).toEqual([expect.stringMatching(/^second: /)]);
  });
});

describe('release-notifications against real git and a webhook', () => {
  it('posts the notes of a new release tag to the chat webhook, and the failed status when announcing fails', async () => {
    const messages: Array<{ path: string; body: { text: string; username?: string } }> = [];
    const hook = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        messages.push({ path: req.url ?? '', body: JSON.parse(body) as { text: string } });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => hook.close(() => resolve())));
    const webhook = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/services/T1/B1/token-abc`;

    const repo = repository({ 'README.md': 'app\n' });
    repo.tag('v1.0.0');
    const engine = startEngine();
    engine.setPipeline({ name: 'releases', text: example('release-notifications'), vars: { repo_uri: repo.uri, chat_webhook: webhook } });
    engine.start();
    const announce = await finishedBuild(engine, 'releases', 'announce');
    expect(announce.status).toBe('succeeded');
    expect(messages).toEqual([{ path: '/services/T1/B1/token-abc', body: { text: ':rocket: v1.0.0 released: first\n', username: 'weir' } }]);
    const log = engine.events.list(announce.id, 0, 10_000).flatMap((e) => (e.type === 'log' ? [e.data.line] : []));
    expect(log.join('\n')).not.toContain('token-abc');

    // A release whose notes cannot be written: the on_failure hook posts the failed status.
    engine.setPipeline({
      name: 'releases',
      text: example('release-notifications').replace("- |\n", "- |\n          exit 1\n"),
      vars: { repo_uri: repo.uri, chat_webhook: webhook },
    });
    repo.commit({ 'README.md': 'app 2\n' }, 'second');
    repo.tag('v1.1.0');
    const pipelineId = engine.store.pipelines.get({ name: 'releases' })!.id;
    await engine.checker.checkResource(engine.store.resources.get(pipelineId, 'release')!.id);
    const failed = await finishedBuild(engine, 'releases', 'announce', announce.id);
    expect(failed.status).toBe('failed');
    expect(messages.at(-1)?.body.text).toBe(`:x: releases/announce #${failed.name} failed: http://127.0.0.1:8080/builds/${failed.id}`);
  });
});

describe('examples against real git and a real registry', () => {
  let registry: RunningRegistry | undefined;
  const tools = requireTools(['docker-registry', 'skopeo']);
  beforeAll(async () => {
    if (tools) registry = await startRegistry();
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it.skipIf(!tools)('build-and-promote: the digest that passed integration is re-tagged production without a rebuild', async () => {
    const repo = repository({
      'app.sh': '#!/bin/sh\necho "app says: $1"\n',
      'test.sh': 'sh app.sh unit | grep -q "app says: unit" && echo "unit tests passed"\n',
    });
    const engine = startEngine();
    engine.setPipeline({ name: 'bp', text: example('build-and-promote'), vars: { repo_uri: repo.uri, registry: registry!.host } });
    engine.start();
    const promote = await finishedBuild(engine, 'bp', 'promote');
    expect(promote.status).toBe('succeeded');
    const build = await finishedBuild(engine, 'bp', 'build');
    const integration = await finishedBuild(engine, 'bp', 'integration');
    expect(stdout(engine, integration.id)).toEqual(['app says: integration', expect.stringMatching(/^tested sha256:[0-9a-f]{64}$/)]);
    const tested = stdout(engine, integration.id)[1]!.replace('tested ', '');
    expect(stdout(engine, build.id).at(-1)).toContain(tested);
    const inspect = (tag: string) =>
      JSON.parse(execFileSync('skopeo', ['inspect', '--tls-verify=false', '--raw', `docker://${registry!.host}/app:${tag}`], { encoding: 'utf8' })) as unknown;
    expect(inspect('production')).toEqual(inspect('candidate'));
    const digest = (tag: string) => execFileSync('skopeo', ['inspect', '--tls-verify=false', '--format', '{{.Digest}}', `docker://${registry!.host}/app:${tag}`], { encoding: 'utf8' }).trim();
    expect(digest('production')).toBe(tested);
  });
});
