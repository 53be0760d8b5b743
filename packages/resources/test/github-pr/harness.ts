import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { startGitHubSimulator, type GitHubSimulator } from '../../../../test/support/github/index.js';
import type { GithubPrSource, PrVersion } from '../../src/github-pr/index.js';
import type { BuildMetadata, Versioned } from '../../src/interface.js';
import { testContext, type TestContext } from '../support/context.js';

const simulators: GitHubSimulator[] = [];
const dirs: string[] = [];

afterEach(async () => {
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
