import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ResourceError } from '../../src/interface.js';
import { gitResourceType, type GitSource } from '../../src/git/index.js';
import { MAX_PUSH_ATTEMPTS } from '../../src/git/put.js';
import { startGitDaemon, startGitHttpServer, type RunningGitServer } from './support/git-servers.js';
import { findBinary, haveBinaries } from './support/server-binaries.js';
import { Scratch } from './support/scratch.js';
import { git, UpstreamRepository } from './support/upstream-repository.js';

const scratch = new Scratch();
const servers: RunningGitServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  scratch.cleanup();
});

function serve<T extends RunningGitServer>(server: T): T {
  servers.push(server);
  return server;
}

/** A check, a get of what it found, a commit and a put, and the check that finds the put's commit. */
async function roundTrip(source: GitSource): Promise<void> {
  const [found] = await gitResourceType.check(scratch.context(), source);
  const workdir = scratch.dir('build');
  const artifact = scratch.subdir(workdir, 'repo');
  await gitResourceType.get(scratch.context(), source, found!.version, {}, artifact);
  writeFileSync(join(artifact, 'built.txt'), 'built');
  git(artifact, ['add', 'built.txt']);
  git(artifact, ['commit', '--quiet', '-m', 'built']);
  const pushed = await gitResourceType.put(scratch.context(), source, { repository: 'repo' }, workdir);
  expect((await gitResourceType.check(scratch.context(), source, found!.version)).map(({ version }) => version.ref)).toEqual([found!.version.ref, pushed.version.ref]);
}

describe.skipIf(!haveBinaries('git', 'git-daemon'))('git over git daemon (git://127.0.0.1)', () => {
  it('checks, gets and puts', async () => {
    const root = scratch.dir('served');
    const repo = UpstreamRepository.create(root, 'project');
    repo.commit('first', { 'a.txt': 'a' });
    const daemon = serve(await startGitDaemon(root));
    await roundTrip({ uri: daemon.url('project'), branch: 'main' });
  });

  it('fetches submodules (relative URLs resolve against the source), all or none', async () => {
    const root = scratch.dir('served');
    const library = UpstreamRepository.create(root, 'library');
    const libraryCommit = library.commit('library code', { 'lib.txt': 'lib' });
    const daemon = serve(await startGitDaemon(root));
    const project = UpstreamRepository.create(root, 'project');
    project.commit('first');
    git(project.workDir, ['-c', 'protocol.file.allow=always', 'submodule', '--quiet', 'add', '../library.git', 'vendor/library']);
    // Cloned from the file path; .gitmodules keeps the relative URL.
    expect(readFileSync(join(project.workDir, '.gitmodules'), 'utf8')).toContain('url = ../library.git');
    const commit = project.commit('add library');
    const source: GitSource = { uri: daemon.url('project'), branch: 'main' };

    const all = scratch.dir('get');
    await gitResourceType.get(scratch.context(), source, { ref: commit }, {}, all);
    expect(readFileSync(join(all, 'vendor/library/lib.txt'), 'utf8')).toBe('lib');
    expect(git(join(all, 'vendor/library'), ['rev-parse', 'HEAD'])).toBe(libraryCommit);

    const none = scratch.dir('get');
    await gitResourceType.get(scratch.context(), source, { ref: commit }, { submodules: 'none' }, none);
    expect(git(none, ['submodule', 'status'])).toMatch(/^-/);
  });
});

describe.skipIf(!haveBinaries('git', 'git-http-backend'))('git over smart HTTP with basic auth (http://127.0.0.1)', () => {
  const credentials = { username: 'ci-bot', password: 's3cr3t-Pa55w0rd!' };

  it('checks, gets and puts with the right credentials', async () => {
    const root = scratch.dir('served');
    const repo = UpstreamRepository.create(root, 'project');
    repo.commit('first', { 'a.txt': 'a' });
    const server = serve(await startGitHttpServer(root, { credentials }));
    await roundTrip({ uri: server.url('project'), branch: 'main', ...credentials });
    expect(server.logins.map(({ user }) => user)).toContain('ci-bot');
  });

  it('fails with git-auth-failed for a wrong password or none, without the password in the error or the log', async () => {
    const root = scratch.dir('served');
    const repo = UpstreamRepository.create(root, 'project');
    const commit = repo.commit('first');
    const server = serve(await startGitHttpServer(root, { credentials }));
    const wrong = 'wr0ng-Secret-Value';
    const cases: Array<{ source: GitSource; call: 'check' | 'get' }> = [
      { source: { uri: server.url('project'), branch: 'main', username: 'ci-bot', password: wrong }, call: 'check' },
      { source: { uri: server.url('project'), branch: 'main', username: 'ci-bot', password: wrong, disable_ci_skip: true }, call: 'check' },
      { source: { uri: server.url('project'), branch: 'main', username: 'ci-bot', password: wrong }, call: 'get' },
      { source: { uri: server.url('project').replace('http://', `http://ci-bot:${wrong}@`), branch: 'main' }, call: 'check' },
      { source: { uri: server.url('project'), branch: 'main' }, call: 'check' },
    ];
    for (const { source, call } of cases) {
      const ctx = scratch.context();
      const failure = await (call === 'check' ? gitResourceType.check(ctx, source) : gitResourceType.get(ctx, source, { ref: commit }, {}, scratch.dir('get'))).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(ResourceError);
      const { code, message, hint } = failure as ResourceError;
      expect(code).toBe('git-auth-failed');
      expect(message).toContain(`127.0.0.1`);
      for (const text of [message, hint ?? '', ...ctx.lines]) {
        expect(text).not.toContain(wrong);
        expect(text).not.toContain(encodeURIComponent(wrong));
        expect(text).not.toContain(Buffer.from(`ci-bot:${wrong}`).toString('base64'));
      }
    }
    expect(server.logins.map(({ user }) => user)).toContain('!ci-bot');
  });

  it('puts no password or git_config value on any git command line (ps shows them to everyone)', async () => {
    const root = scratch.dir('served');
    const repo = UpstreamRepository.create(root, 'project');
    repo.commit('first', { 'a.txt': 'a' });
    const server = serve(await startGitHttpServer(root, { credentials }));
    const configSecret = 'cfg-Secret-Value-42';
    const source: GitSource = {
      uri: server.url('project').replace('http://', `http://${credentials.username}:${encodeURIComponent(credentials.password)}@`),
      branch: 'main',
      git_config: [{ name: 'http.extraHeader', value: `X-Weir-Test: ${configSecret}` }],
    };
    // A git first on PATH that records each command line, then runs the real git.
    const shimDir = scratch.dir('shim');
    const argvLog = join(shimDir, 'argv.log');
    writeFileSync(join(shimDir, 'git'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${argvLog}'\nexec '${findBinary('git')}' "$@"\n`, { mode: 0o755 });
    const path = process.env.PATH;
    process.env.PATH = `${shimDir}:${path}`;
    try {
      await roundTrip(source);
    } finally {
      process.env.PATH = path;
    }
    const commandLines = readFileSync(argvLog, 'utf8');
    expect(commandLines).toMatch(/^ls-remote |^fetch |^push /m);
    for (const secret of [credentials.password, encodeURIComponent(credentials.password), configSecret]) expect(commandLines).not.toContain(secret);
    expect(server.logins.map(({ user }) => user)).toContain('ci-bot');
  });

  it('offers the credentials to the source host only, not to a submodule elsewhere', async () => {
    const root = scratch.dir('served');
    const library = UpstreamRepository.create(root, 'library');
    library.commit('library code', { 'lib.txt': 'lib' });
    const server = serve(await startGitHttpServer(root, { credentials }));
    const project = UpstreamRepository.create(root, 'project');
    project.commit('first');
    // The same server under another name: to git (and to a credential helper) another host.
    const elsewhere = server.url('library').replace('127.0.0.1', 'localhost');
    git(project.workDir, ['-c', 'protocol.file.allow=always', 'submodule', '--quiet', 'add', library.bareDir, 'library']);
    git(project.workDir, ['config', '--file', '.gitmodules', 'submodule.library.url', elsewhere]);
    const commit = project.commit('library elsewhere');

    const source: GitSource = { uri: server.url('project'), branch: 'main', ...credentials };
    await expect(gitResourceType.get(scratch.context(), source, { ref: commit }, {}, scratch.dir('get'))).rejects.toMatchObject({ code: 'git-auth-failed' });
    const byHost = (host: string) => server.logins.filter((login) => login.host.startsWith(`${host}:`)).map(({ user }) => user);
    expect(byHost('127.0.0.1')).toContain('ci-bot');
    expect(byHost('localhost').length).toBeGreaterThan(0);
    expect(new Set(byHost('localhost'))).toEqual(new Set(['-']));
  });

  it('gives up after a bounded number of pushes when the branch keeps moving on', async () => {
    const root = scratch.dir('served');
    const repo = UpstreamRepository.create(root, 'project');
    repo.commit('first', { 'a.txt': 'a' });
    let racers = 0;
    // Someone else pushes just before every push of ours reaches the repository.
    const server = serve(await startGitHttpServer(root, { beforeReceivePack: () => repo.commit(`racer ${++racers}`, { [`racer-${racers}`]: 'x' }) }));
    const source: GitSource = { uri: server.url('project'), branch: 'main' };
    const workdir = scratch.dir('build');
    const artifact = scratch.subdir(workdir, 'repo');
    await gitResourceType.get(scratch.context(), source, { ref: repo.head() }, {}, artifact);
    writeFileSync(join(artifact, 'built.txt'), 'built');
    git(artifact, ['add', 'built.txt']);
    git(artifact, ['commit', '--quiet', '-m', 'built']);

    const ctx = scratch.context();
    await expect(gitResourceType.put(ctx, source, { repository: 'repo', rebase: true }, workdir)).rejects.toMatchObject({
      code: 'git-push-retries-exhausted',
      message: expect.stringContaining(`${MAX_PUSH_ATTEMPTS} pushes were rejected`),
    });
    expect(racers).toBe(MAX_PUSH_ATTEMPTS);
    expect(ctx.lines.filter((line) => line.startsWith('pushing '))).toHaveLength(MAX_PUSH_ATTEMPTS);
  });
});
