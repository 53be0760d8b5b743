/**
 * Runs each benchmark in a fresh process, so one's memory and JIT state do not colour the
 * next's figures. `pnpm bench` runs all; `pnpm bench scheduling` runs one.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BENCHES = ['cli-startup', 'validation', 'scheduling', 'builds', 'triggers', 'large-store', 'git-check', 'registry-check', 'resource-types', 'volume-snapshot', 'web', 'cluster', 'sandbox', 'limits', 'api-load'];
const wanted = process.argv.slice(2);
const selected = wanted.length > 0 ? BENCHES.filter((name) => wanted.includes(name)) : BENCHES;
if (selected.length === 0) {
  console.error(`bench: no benchmark named ${wanted.join(', ')}; there are: ${BENCHES.join(', ')}`);
  process.exit(1);
}

let failed = false;
for (const name of selected) {
  console.log(`\n== ${name} ==`);
  const script = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=weir-source', '--expose-gc', script], { stdio: 'inherit' });
  if (result.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
