import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { startGitHubSimulator, type GitHubSimulator } from '../../../../test/support/github/index.js';
import type { GithubPrSource, PrVersion } from '../../src/github-pr/index.js';
import type { BuildMetadata, Versioned } from '../../src/interface.js';
import { testContext, type TestContext } from '../support/context.js';

const simulators: GitHubSimulator[] = [];
const dirs: string[] = [];
const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((server) => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    }),
  );
  await Promise.all(simulators.splice(0).map((simulator) => simulator.stop()));
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

export async function simulator(): Promise<GitHubSimulator> {
  const github = await startGitHubSimulator();
  simulators.push(github);
  return github;
}

export async function tempDir(prefix = 'weir-github-pr-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/** A source pointing at the simulator through v3_endpoint, as for GitHub Enterprise. */
export function sourceFor(github: GitHubSimulator, more: Partial<GithubPrSource> = {}): GithubPrSource {
  return { repository: github.repository, access_token: github.token, v3_endpoint: github.apiUrl, ...more };
}

/** A check context whose cache directory persists across the checks of one test. */
export async function checkContext(build?: BuildMetadata): Promise<TestContext> {
  return testContext({ cacheDir: join(await tempDir(), 'cache'), ...(build && { build }) });
}

/** `pr@sha7:state` for readable assertions. */
export function brief(versions: Array<Versioned<PrVersion>>): string[] {
  return versions.map(({ version }) => `${version.pr}@${version.commit.slice(0, 7)}:${version.state}`);
}

export function at(pr: number, sha: string, state: PrVersion['state'] = 'open'): string {
  return `${pr}@${sha.slice(0, 7)}:${state}`;
}

export interface Forwarded {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface Recorder {
  url: string;
  /** Every request it received. */
  received: Array<{ path: string; headers: IncomingHttpHeaders }>;
}

/**
 * An HTTP server in front of `target` (or answering alone, without one): `answer` sees each
 * request's path and what the target answered, and may change the answer. Closed after the test.
 */
export async function httpServer(target: string | undefined, answer: (path: string, forwarded: Forwarded) => Forwarded = (_path, forwarded) => forwarded): Promise<Recorder> {
  const received: Recorder['received'] = [];
  const server = createServer((request, response) => {
    const path = request.url ?? '/';
    received.push({ path, headers: request.headers });
    const forward = async (): Promise<Forwarded> => {
      if (target === undefined) return { status: 404, headers: { 'content-type': 'application/json' }, body: '{"message":"Not Found"}' };
      const headers = Object.fromEntries(Object.entries(request.headers).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[0] !== 'host'));
      const upstream = await fetch(`${target}${path}`, { method: request.method ?? 'GET', headers });
      return { status: upstream.status, headers: Object.fromEntries([...upstream.headers].filter(([name]) => name !== 'content-length' && name !== 'content-encoding')), body: await upstream.text() };
    };
    forward()
      .then((forwarded) => {
        const { status, headers, body } = answer(path, forwarded);
        response.writeHead(status, headers);
        response.end(status === 304 ? undefined : body);
      })
      .catch((error: Error) => {
        response.writeHead(502);
        response.end(error.message);
      });
  });
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}
