/**
 * How long the installed `weir` command takes, start to exit, next to `node -e 0` in the same
 * run: a command that asks a running engine (`weir pipelines`), `weir validate` of one file, and
 * `weir --version`. The bundle is rebuilt first, so the figures are of the sources as they are.
 * Prints figures and asserts nothing; see bench/README.md.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROUNDS = 21;
const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const bin = path.join(repoRoot, 'packages/cli/bin/weir.js');
const onePipeline = path.join(repoRoot, 'examples/hello-world/pipeline.yml');

// What a user's shell would run: no tsx loader from NODE_OPTIONS, no weir variables.
const environment: NodeJS.ProcessEnv = { ...process.env };
delete environment.NODE_OPTIONS;
delete environment.WEIR_URL;
delete environment.WEIR_TOKEN;
delete environment.WEIR_DATA;

function rebuildBundle(): void {
  const built = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=weir-source', path.join(repoRoot, 'packages/cli/scripts/bundle.ts')], { cwd: repoRoot, stdio: 'inherit', env: environment });
  if (built.status !== 0) {
    console.error('bench: building the CLI bundle failed');
    process.exit(1);
  }
}

/** Starts `weir up` on a free port in a temporary data directory; resolves to its URL. */
function startEngine(dataDir: string): Promise<{ url: string; engine: ChildProcess }> {
  const engine = spawn(process.execPath, [bin, 'up', '--port', '0', '--data', dataDir, '--log-level', 'warn'], { cwd: dataDir, env: environment, stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let said = '';
    const timer = setTimeout(() => reject(new Error(`weir up did not start within 60 s: ${said}`)), 60_000);
    engine.stderr?.on('data', (chunk: Buffer) => {
      said += chunk.toString('utf8');
      const match = /weir is up at (\S+)/.exec(said);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1] as string, engine });
      }
    });
    engine.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`weir up exited (${code}): ${said}`));
    });
  });
}

function timed(args: readonly string[], cwd: string): number {
  const started = performance.now();
  const run = spawnSync(process.execPath, args, { cwd, env: environment, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const elapsed = performance.now() - started;
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  return elapsed;
}

const median = (samples: readonly number[]): number => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)] as number;
const ms = (value: number): string => `${value.toFixed(0)} ms`;

rebuildBundle();
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'weir-bench-cli-'));
const { url, engine } = await startEngine(dataDir);
try {
  const cases: Array<{ label: string; args: string[]; target?: number }> = [
    { label: 'node -e 0', args: ['-e', '0'] },
    { label: 'weir --version', args: [bin, '--version'] },
    { label: 'weir pipelines (asks the engine)', args: [bin, '--url', url, 'pipelines'], target: 300 },
    { label: 'weir validate (one file)', args: [bin, 'validate', onePipeline], target: 400 },
  ];
  const samples = cases.map(() => [] as number[]);
  // In turns, so that a burst of load on a shared machine meets every command alike.
  for (let round = 0; round < ROUNDS; round++) {
    cases.forEach((c, index) => (samples[index] as number[]).push(timed(c.args, dataDir)));
  }
  const node = median(samples[0] as number[]);
  console.log(`node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg()[0]?.toFixed(1)}; medians of ${ROUNDS} runs, start to exit`);
  console.log();
  const width = Math.max(...cases.map((c) => c.label.length));
  cases.forEach((c, index) => {
    const value = median(samples[index] as number[]);
    const versus = index === 0 ? '' : `  ${(value / node).toFixed(1)}× node`;
    const target = c.target === undefined ? '' : `  target < ${c.target} ms: ${value < c.target ? 'met' : 'not met'}`;
    console.log(`${c.label.padEnd(width)}  ${ms(value).padStart(8)}${versus}${target}`);
  });
} finally {
  engine.kill('SIGTERM');
  await new Promise((resolve) => engine.once('exit', resolve));
  rmSync(dataDir, { recursive: true, force: true });
}
