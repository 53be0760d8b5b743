/**
 * How long the git resource's check takes on a 10,000-commit repository: the first check (an
 * empty cache: the whole history is cloned), a check with nothing new (the cache is fetched into
 * and nothing changed), and a check after one new commit; each for three sources (the default,
 * which reads commit messages for [ci skip]; a paths filter; disable_ci_skip, which needs only
 * ls-remote) over file:// and over git daemon on 127.0.0.1. Prints figures, asserts nothing.
 *
 *   node --import tsx --conditions=weir-source bench/git-check.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { gitResourceType, type GitSource, type GitVersion } from '../packages/resources/src/git/index.js';
import { startGitDaemon } from '../packages/resources/test/git/support/git-servers.js';
import { testContext } from '../packages/resources/test/support/context.js';

const COMMITS = 10_000;
const ROUNDS = 7;

const root = mkdtempSync(join(os.tmpdir(), 'weir-bench-git-'));
process.on('exit', () => rmSync(root, { recursive: true, force: true }));

let step = 0;
const git = (cwd: string, args: string[], input?: string) =>
  execFileSync('git', args, { cwd, input, encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' } });

/** A fast-import commit changing one file; without a parent it continues the branch of the same stream. */
function commitCommand(parent: string | undefined, path: string, message: string): string {
  step += 1;
  const content = `content ${step}\n`;
  return [
    'commit refs/heads/main',
    `committer Bench <bench@example.com> ${1_700_000_000 + step} +0000`,
    `data ${Buffer.byteLength(message)}`,
    message,
    ...(parent ? [`from ${parent}`] : []),
    `M 100644 inline ${path}`,
    `data ${Buffer.byteLength(content)}`,
    content,
  ].join('\n');
}

const repository = join(root, 'project.git');
let started = performance.now();
git(root, ['init', '--quiet', '--bare', '--initial-branch=main', repository]);
const stream: string[] = [];
// One file changed per commit: under docs/ every tenth commit; [ci skip] every hundredth.
for (let i = 1; i <= COMMITS; i++) {
  const path = i % 10 === 0 ? `docs/page-${i % 30}.md` : `src/dir-${i % 20}/file-${i % 50}.txt`;
  stream.push(commitCommand(undefined, path, `commit ${i}${i % 100 === 0 ? ' [ci skip]' : ''}`));
}
git(repository, ['fast-import', '--quiet'], stream.join('\n'));
const buildMs = performance.now() - started;

/** One more commit on main, touching docs/ (so the paths filter sees it too). */
function addCommit(): void {
  git(repository, ['fast-import', '--quiet'], commitCommand('refs/heads/main^0', `docs/new-${step}.md`, `new commit ${step}`));
}

const daemon = await startGitDaemon(root);
const transports = [
  { name: 'file://', uri: `file://${repository}` },
  { name: 'git daemon', uri: daemon.url('project') },
];
const sources: Array<{ name: string; source: Omit<GitSource, 'uri'> }> = [
  { name: 'default ([ci skip] read)', source: { branch: 'main' } },
  { name: 'paths: [docs]', source: { branch: 'main', paths: ['docs'] } },
  { name: 'disable_ci_skip (ls-remote)', source: { branch: 'main', disable_ci_skip: true } },
];

const median = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
const ms = (value: number) => `${value.toFixed(value < 100 ? 1 : 0)} ms`;

interface Row {
  transport: string;
  source: string;
  first: number;
  nothingNew: number;
  oneNew: number;
  found: string;
  cacheMb: string;
}
const rows: Row[] = [];
for (const transport of transports) {
  for (const { name, source: partial } of sources) {
    const source: GitSource = { uri: transport.uri, ...partial };
    const ctx = testContext({ cacheDir: join(root, 'cache', `${rows.length}`) });
    started = performance.now();
    const firstVersions = await gitResourceType.check(ctx, source);
    const first = performance.now() - started;
    let latest: GitVersion = firstVersions.at(-1)!.version;

    const nothingNew: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      started = performance.now();
      await gitResourceType.check(ctx, source, latest);
      nothingNew.push(performance.now() - started);
    }

    const oneNew: number[] = [];
    let found = 0;
    for (let round = 0; round < ROUNDS; round++) {
      addCommit();
      started = performance.now();
      const versions = await gitResourceType.check(ctx, source, latest);
      oneNew.push(performance.now() - started);
      found = versions.length;
      latest = versions.at(-1)!.version;
    }
    rows.push({ transport: transport.name, source: name, first, nothingNew: median(nothingNew), oneNew: median(oneNew), found: `${found}`, cacheMb: cacheSize(ctx.cacheDir) });
  }
}
await daemon.close();

function cacheSize(dir: string): string {
  let bytes = 0;
  const walk = (path: string): void => {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) return;
    if (stat.isDirectory()) for (const entry of readdirSync(path)) walk(join(path, entry));
    else bytes += stat.size;
  };
  walk(dir);
  return bytes === 0 ? 'none' : `${(bytes / 1e6).toFixed(1)} MB`;
}

console.log(`git check on a ${COMMITS.toLocaleString('en')}-commit repository (built in ${ms(buildMs)} with git fast-import)`);
console.log(`${os.cpus().length} CPUs, ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${git(root, ['--version']).trim()}, Node ${process.version}; medians of ${ROUNDS} rounds\n`);
const header = ['transport', 'source', 'first check (empty cache)', 'nothing new', 'after 1 new commit', 'versions then', 'cache'];
const table = rows.map((row) => [row.transport, row.source, ms(row.first), ms(row.nothingNew), ms(row.oneNew), row.found, row.cacheMb]);
const widths = header.map((title, column) => Math.max(title.length, ...table.map((cells) => cells[column]!.length)));
for (const cells of [header, ...table]) console.log(cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  '));
