import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatConfig, loadPipeline, loadTaskConfig, type LoadPipelineOptions, type Problem } from '@weir/engine';
import { builtinResourceTypeCatalog } from '@weir/resources';
import { corpusFiles, requireCorpus, type CorpusKind } from '../support/corpus.js';

/**
 * Mutation fuzzing: real Concourse files, broken in the ways people and editors break YAML, must
 * still come back from every loader as a config or as located errors, never as a throw.
 *
 * The seed is fixed so a failure reproduces; set WEIR_FUZZ_SEED to explore other inputs. A
 * failure prints the file and the list of mutations that broke it.
 */
const SEED = Number(process.env.WEIR_FUZZ_SEED ?? 20_251_121);
const PIPELINE_RUNS = 2_000;
const TASK_RUNS = 1_000;
const FORMAT_RUNS = 500;

/**
 * Files above this size take tens of milliseconds to a couple of seconds each to load, which
 * would leave room for only a few hundred runs; they hold the same constructs as the smaller
 * files, only more of them.
 */
const MAX_FILE_BYTES = 16 * 1024;

const options: LoadPipelineOptions = { file: 'mutated.yml', missingVars: 'warning', resourceTypes: builtinResourceTypeCatalog() };

const YAML_PUNCTUATION = [
  ':', ': ', '-', '- ', '&a ', '*a', '<<: *a', '<<: ', '((', '))', '((var))', '{', '}', '[', ']', ',', '!tag ', '!!str ', '!!map ',
  '|', '|-', '>', '>+', '#', '"', "'", '?', '? ', '%', '@', '`', '\t', '\r', '\n', '---\n', '...\n', '\\', '\u00a0', '\ufeff',
];

/** Replacements for a scalar value: other types, other YAML spellings of the same type, and references. */
const REPLACEMENT_VALUES = [
  '42', '-1', '0', '3.14', '1e3', '0x1F', '0o17', '.inf', '.nan', 'true', 'no', 'on', 'null', '~', '""', "''", '[]', '{}', '[a, b]', '{a: b}',
  '"text"', 'plain text', '2001-12-14', '1h30m', '((var))', '((source:path.field))', '((.:local))', '*a', '&a value', '!!binary aGVsbG8=', '!!int x', '|', '>-',
];

type Mutation =
  | { kind: 'delete-line'; line: number }
  | { kind: 'duplicate-line'; line: number }
  | { kind: 'swap-lines'; line: number; other: number }
  | { kind: 'reindent'; line: number; by: number }
  | { kind: 'insert'; line: number; column: number; text: string }
  | { kind: 'replace-scalar'; line: number; value: string }
  | { kind: 'truncate'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete-line' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate-line' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('swap-lines' as const), line: fc.nat(), other: fc.nat() }),
  fc.record({ kind: fc.constant('reindent' as const), line: fc.nat(), by: fc.integer({ min: -6, max: 6 }).filter((by) => by !== 0) }),
  fc.record({
    kind: fc.constant('insert' as const),
    line: fc.nat(),
    column: fc.nat(),
    text: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...YAML_PUNCTUATION) }, { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 4, unit: 'binary' }) }),
  }),
  fc.record({
    kind: fc.constant('replace-scalar' as const),
    line: fc.nat(),
    value: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...REPLACEMENT_VALUES) }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) }),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

const mutations = fc.array(mutation, { minLength: 1, maxLength: 4 });

/** Positions are drawn unbounded and wrapped to the text at hand, so shrinking moves them towards the start. */
function applyMutation(text: string, m: Mutation): string {
  if (m.kind === 'truncate') return text.slice(0, m.at % (text.length + 1));
  const lines = text.split('\n');
  const at = m.line % lines.length;
  const line = lines[at] as string;
  switch (m.kind) {
    case 'delete-line':
      lines.splice(at, 1);
      break;
    case 'duplicate-line':
      lines.splice(at, 0, line);
      break;
    case 'swap-lines': {
      const other = m.other % lines.length;
      lines[at] = lines[other] as string;
      lines[other] = line;
      break;
    }
    case 'reindent':
      lines[at] = m.by > 0 ? ' '.repeat(m.by) + line : line.replace(new RegExp(`^ {0,${-m.by}}`), '');
      break;
    case 'insert': {
      const column = m.column % (line.length + 1);
      lines[at] = line.slice(0, column) + m.text + line.slice(column);
      break;
    }
    case 'replace-scalar':
      lines[at] = replaceScalar(line, m.value);
      break;
  }
  return lines.join('\n');
}

/** The value after `key: ` or `- `, or else the whole content of the line, becomes `value`. */
function replaceScalar(line: string, value: string): string {
  const keyed = /^(\s*(?:- )*[^\s#][^:#]*:\s+)\S.*$/.exec(line);
  if (keyed) return `${keyed[1]}${value}`;
  const listed = /^(\s*(?:- )+)\S.*$/.exec(line);
  if (listed) return `${listed[1]}${value}`;
  const indent = /^\s*/.exec(line)?.[0] ?? '';
  return `${indent}${value}`;
}

/** Throws, with the offending problem, unless every problem can be shown to a user at a place in the file. */
function expectWellFormed(problems: readonly Problem[]): void {
  for (const problem of problems) {
    const located = typeof problem.line === 'number' && problem.line >= 1 && typeof problem.column === 'number' && problem.column >= 1;
    expect(problem.code.length > 0 && problem.message.length > 0 && located, `malformed problem: ${JSON.stringify(problem)}`).toBe(true);
  }
}

/** A config and no error, or no config and at least one error. */
function expectCoherent(result: { config?: unknown; problems: Problem[] }): void {
  expectWellFormed(result.problems);
  const errors = result.problems.filter((p) => p.severity === 'error').length;
  expect(result.config === undefined ? errors > 0 : errors === 0, `config ${result.config === undefined ? 'missing' : 'present'} with ${errors} error(s)`).toBe(true);
}

const corpus = requireCorpus();

describe.skipIf(corpus === undefined)('mutated corpus files', () => {
  function readSmallFiles(kind: CorpusKind): Map<string, string> {
    const texts = new Map<string, string>();
    for (const file of corpusFiles(kind)) {
      const text = readFileSync(file, 'utf8');
      if (Buffer.byteLength(text) <= MAX_FILE_BYTES) texts.set(`${path.basename(path.dirname(file))}/${path.basename(file)}`, text);
    }
    return texts;
  }

  /** A corpus file by name (so a counterexample names the file, not its whole text) and the mutations to apply to it. */
  function mutatedFiles(texts: Map<string, string>) {
    return fc.record({ file: fc.constantFrom(...texts.keys()), mutations }).map(({ file, mutations }) => ({
      file,
      mutations,
      text: mutations.reduce(applyMutation, texts.get(file) as string),
    }));
  }

  it(`loadPipeline survives mutated pipelines (seed ${SEED}, ${PIPELINE_RUNS} runs)`, () => {
    const pipelines = readSmallFiles('pipelines');
    fc.assert(
      fc.property(mutatedFiles(pipelines), ({ text }) => {
        expectCoherent(loadPipeline(text, options));
      }),
      { seed: SEED, numRuns: PIPELINE_RUNS },
    );
  });

  it(`loadTaskConfig and loadPipeline survive mutated task files (seed ${SEED}, ${TASK_RUNS} runs)`, () => {
    const tasks = readSmallFiles('tasks');
    fc.assert(
      fc.property(mutatedFiles(tasks), ({ text }) => {
        expectCoherent(loadTaskConfig(text, options));
        expectCoherent(loadPipeline(text, options));
      }),
      { seed: SEED, numRuns: TASK_RUNS },
    );
  });

  it(`formatConfig survives mutated pipelines and task files (seed ${SEED}, ${FORMAT_RUNS} runs)`, () => {
    const files = new Map([...readSmallFiles('pipelines'), ...readSmallFiles('tasks')]);
    fc.assert(
      fc.property(mutatedFiles(files), ({ text }) => {
        const result = formatConfig(text);
        expectWellFormed(result.problems);
        if (result.text === undefined) expect(result.problems.length, 'refused to format without saying why').toBeGreaterThan(0);
      }),
      { seed: SEED, numRuns: FORMAT_RUNS },
    );
  });
});
