/**
 * How long validation takes on the compatibility corpus. Prints figures and asserts nothing:
 * timings depend on the machine, so they are for reading and comparing, not for failing a build.
 * See bench/README.md for what each figure means.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { loadPipeline, loadTaskConfig, type LoadPipelineOptions } from '@weir/engine';
import { builtinResourceTypeCatalog } from '@weir/resources';
import { corpusDir, corpusFiles, missingCorpusMessage } from '../test/support/corpus.js';

const PER_FILE_ROUNDS = 3;
/** Rounds of the whole corpus, each followed by one Node start. */
const ROUNDS = 15;

const dir = corpusDir();
if (dir === undefined) {
  console.error(`bench: ${missingCorpusMessage()}`);
  process.exit(1);
}

const options: LoadPipelineOptions = { file: 'bench.yml', missingVars: 'warning', resourceTypes: builtinResourceTypeCatalog() };

// Read up front: the figures are about parsing and validating, not about the disk.
const pipelines = corpusFiles('pipelines').map((file) => readFileSync(file, 'utf8'));
const tasks = corpusFiles('tasks').map((file) => readFileSync(file, 'utf8'));

/** Validates every corpus file once; returns how many were rejected, so a broken loader shows up next to its timings. */
function validateCorpus(): number {
  let rejected = 0;
  for (const text of pipelines) if (loadPipeline(text, options).config === undefined) rejected++;
  for (const text of tasks) if (loadTaskConfig(text, options).config === undefined) rejected++;
  return rejected;
}

function time(run: () => void): number {
  const started = performance.now();
  run();
  return performance.now() - started;
}

function quantile(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

const median = (samples: readonly number[]): number => quantile(samples, 0.5);

// (d) Cold: the very first validation in this process, paying for schema compilation and JIT warm-up.
let rejected = 0;
const cold = time(() => {
  rejected = validateCorpus();
});

// Warm-up, so that the figures below measure steady state.
validateCorpus();

// (a) One pipeline at a time, every pipeline file, several rounds.
const perPipeline: number[] = [];
for (let round = 0; round < PER_FILE_ROUNDS; round++) {
  for (const text of pipelines) perPipeline.push(time(() => loadPipeline(text, options)));
}

// (b) The whole corpus, in-process, and (c) starting Node and doing nothing, taken in turns: on a
// shared machine the load comes and goes, and alternating lets both sides of the ratio meet the
// same load. NODE_OPTIONS is dropped so a loader set up for this process (tsx, a debugger) does
// not count as Node's own start-up.
const bareEnvironment = { ...process.env };
delete bareEnvironment.NODE_OPTIONS;
const startNode = () => spawnSync(process.execPath, ['-e', '0'], { env: bareEnvironment, stdio: 'ignore' });
const wholeCorpus: number[] = [];
const nodeStarts: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  wholeCorpus.push(time(validateCorpus));
  nodeStarts.push(time(startNode));
}

const warmCorpus = median(wholeCorpus);
const nodeStart = median(nodeStarts);
// Each round's corpus time against the Node start right after it: pairs that met the same load.
const ratio = median(wholeCorpus.map((corpus, round) => corpus / (2 * (nodeStarts[round] as number))));

function ms(value: number): string {
  return `${value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0)} ms`;
}

const rows: Array<[string, string]> = [
  [`one pipeline, median (${perPipeline.length} loads)`, ms(median(perPipeline))],
  ['one pipeline, p90', ms(quantile(perPipeline, 0.9))],
  ['one pipeline, slowest', ms(Math.max(...perPipeline))],
  ['whole corpus, cold (first run in process)', ms(cold)],
  [`whole corpus, warm median (${ROUNDS} rounds)`, ms(warmCorpus)],
  [`node start (node -e 0), median of ${ROUNDS}`, ms(nodeStart)],
  ['whole corpus / (2 × node start), median of rounds', `${ratio.toFixed(2)}×`],
  ['target: corpus costs less than 2 node starts', ratio < 1 ? 'met' : 'not met'],
];

const width = Math.max(...rows.map(([label]) => label.length));
console.log(`corpus: ${dir} (${pipelines.length} pipelines, ${tasks.length} task files; ${rejected} rejected)`);
console.log(`node ${process.version}, ${os.cpus().length} CPUs, ${os.cpus()[0]?.model ?? 'unknown CPU'}`);
console.log();
for (const [label, value] of rows) console.log(`${label.padEnd(width)}  ${value.padStart(12)}`);
