import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatConfig, loadPipeline, loadTaskConfig, type LoadPipelineOptions, type PathSegment, type Problem } from '@weir/engine';
import { builtinResourceTypeCatalog } from '@weir/resources';
import { pipelineWithPlan } from '../support/pipelines.js';

/**
 * "Bad input never crashes": whatever bytes a user hands weir, the loaders return problems that
 * point somewhere in the file, and never throw, hang or hand back a config alongside an error.
 * The loaders are called directly, not inside `expect(...).not.toThrow()`, so that a throw fails
 * the test with the loader's own stack trace.
 */

const options: LoadPipelineOptions = { file: 'bad.yml', missingVars: 'warning', resourceTypes: builtinResourceTypeCatalog() };

const pipeline = (text: string) => loadPipeline(text, options);
const task = (text: string) => loadTaskConfig(text, options);

/** Every problem can be shown to a user: it has a code, a message, a path and a place in the file. */
function expectWellFormed(problems: readonly Problem[]): void {
  for (const problem of problems) {
    expect(problem.code, JSON.stringify(problem)).toMatch(/\S/);
    expect(problem.message, JSON.stringify(problem)).toMatch(/\S/);
    expect(problem, `${problem.code} has a path, a line and a column`).toMatchObject({ path: expect.any(Array), line: expect.any(Number), column: expect.any(Number) });
    expect(problem.line, `line of ${problem.code}`).toBeGreaterThanOrEqual(1);
    expect(problem.column, `column of ${problem.code}`).toBeGreaterThanOrEqual(1);
  }
}

/** Rejected with (one of) `codes`, and no config handed back. */
function expectRejected(result: { config?: unknown; problems: Problem[] }, ...codes: string[]): void {
  expectWellFormed(result.problems);
  expect(result.config).toBeUndefined();
  expect(result.problems.some((p) => p.severity === 'error' && codes.includes(p.code)), `expected an error ${codes.join(' or ')}, got ${summarize(result.problems)}`).toBe(true);
}

/** Either a config and no error, or at least one error: the loader never stays silent about bad input. */
function expectCoherent(result: { config?: unknown; problems: Problem[] }): void {
  expectWellFormed(result.problems);
  const errors = result.problems.filter((p) => p.severity === 'error');
  if (result.config === undefined) expect(errors.length, 'no config, so there must be an error').toBeGreaterThan(0);
  else expect(errors).toEqual([]);
}

function expectFormatRefused(result: { text?: string; problems: Problem[] }, ...codes: string[]): void {
  expectWellFormed(result.problems);
  expect(result.text).toBeUndefined();
  expect(result.problems.some((p) => codes.includes(p.code)), `expected ${codes.join(' or ')}, got ${summarize(result.problems)}`).toBe(true);
}

function summarize(problems: readonly Problem[]): string {
  return JSON.stringify(problems.map((p) => `${p.severity} ${p.code} @ ${p.path.join('.')} ${p.line}:${p.column}`));
}

/** The same random bytes on every run, so a failure reproduces. */
function randomBytes(length: number, seed: number, options: { withoutNul: boolean }): Buffer {
  const [bytes] = fc.sample(fc.uint8Array({ minLength: length, maxLength: length, min: options.withoutNul ? 1 : 0 }), { seed, numRuns: 1 });
  return Buffer.from(bytes as Uint8Array);
}

// Shared inputs, built once: some are large.
const fiftyMegabytes = 'a: b\n'.repeat(10 * 1024 * 1024 + 1);
const flowNested = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
const blockMapNested = Array.from({ length: 1_000 }, (_, depth) => `${'  '.repeat(depth)}a:`).join('\n') + `\n${'  '.repeat(1_000)}x\n`;
const blockSeqNested = Array.from({ length: 1_000 }, (_, depth) => `${'  '.repeat(depth)}-`).join('\n') + '\n';
const billionLaughs = [
  'lol0: &lol0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
  ...Array.from({ length: 9 }, (_, i) => `lol${i + 1}: &lol${i + 1} [${Array(9).fill(`*lol${i}`).join(', ')}]`),
  'jobs: []',
].join('\n');
const duplicateKey = 'jobs: []\nresources: []\njobs: []\n';
const aliasCycle = 'anchors: &loop {again: *loop}\njobs: []\n';
const withNul = 'jobs: []\n\u0000\n';

/**
 * yaml composes nested collections recursively and turns its own stack overflow into a
 * RESOURCE_EXHAUSTION error before weir's depth limit is reached, so very deep input is refused
 * under either code.
 */
const NESTING_CODES = ['yaml-too-deep', 'yaml-resource-exhaustion'];


describe('loadPipeline on input that is not a pipeline', () => {
  it.each([
    ['an empty file', '', 'empty-document'],
    ['only whitespace and comments', '  \n\n# nothing here\n   # or here\n', 'empty-document'],
    ['null', 'null\n', 'empty-document'],
    ['a scalar', 'hello\n', 'not-a-mapping'],
    ['a number', '42\n', 'not-a-mapping'],
    ['a list at the top level', '- jobs: []\n- resources: []\n', 'not-a-mapping'],
  ])('%s', (_, text, code) => {
    expectRejected(pipeline(text), code);
  });

  it('binary junk with NUL bytes is refused as not text', () => {
    const bytes = randomBytes(4096, 1, { withoutNul: false });
    bytes[100] = 0;
    expectRejected(pipeline(bytes.toString('latin1')), 'not-text');
    expectRejected(pipeline(bytes.toString('utf8')), 'not-text');
  });

  it('binary junk without NUL bytes gives an error, located', () => {
    for (const seed of [2, 3, 4]) {
      const bytes = randomBytes(4096, seed, { withoutNul: true });
      for (const text of [bytes.toString('latin1'), bytes.toString('utf8')]) {
        const result = pipeline(text);
        expectCoherent(result);
        expect(result.config).toBeUndefined();
      }
    }
  });

  it('invalid UTF-8, decoded with replacement characters, is read as text', () => {
    const invalid = Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x28, 0x8c, 0xbc, 0xff, 0xfe]);
    expectRejected(pipeline(invalid.toString('utf8')), 'not-a-mapping');
    const inAKey = Buffer.concat([Buffer.from('jobs:\n- name: build\n  pl'), invalid, Buffer.from('an: []\n')]).toString('utf8');
    expectRejected(pipeline(inAKey), 'unknown-key');
    const inAName = Buffer.concat([Buffer.from(pipelineWithPlan().replace('name: build', 'name: bu')), invalid]).toString('utf8');
    expectCoherent(pipeline(inAName));
  });

  it('a lone UTF-16 surrogate in a string does not break reading or locating', () => {
    expectCoherent(pipeline(pipelineWithPlan().replace('name: build', 'name: bu\uD800ild')));
    expectCoherent(pipeline(`\uDC00${pipelineWithPlan()}`));
  });

  it('a 50 MB file is refused as too large, without reading it', () => {
    const started = performance.now();
    const result = pipeline(fiftyMegabytes);
    // A sanity bound, not a benchmark: parsing 50 MB would take far longer.
    expect(performance.now() - started).toBeLessThan(5_000);
    expectRejected(result, 'file-too-large');
  });

  it('flow collections nested 10,000 deep are refused', () => {
    expectRejected(pipeline(flowNested), ...NESTING_CODES);
  });

  it('block mappings and sequences nested 1,000 deep are refused', () => {
    expectRejected(pipeline(blockMapNested), ...NESTING_CODES);
    expectRejected(pipeline(blockSeqNested), ...NESTING_CODES);
  });

  it('the billion-laughs alias bomb is stopped quickly', () => {
    const started = performance.now();
    const result = pipeline(billionLaughs);
    expect(performance.now() - started).toBeLessThan(5_000);
    expectRejected(result, 'yaml-too-many-nodes');
  });

  it.each([
    ['through a flow mapping', aliasCycle],
    ['through a flow sequence', 'anchors: &loop [*loop]\njobs: []\n'],
    ['through a merge key', 'anchors: &loop\n  <<: *loop\njobs: []\n'],
  ])('an alias cycle %s is reported', (_, text) => {
    expectRejected(pipeline(text), 'yaml-alias-cycle');
  });

  it('an alias to an anchor that does not exist is an error', () => {
    expectRejected(pipeline('jobs: *nowhere\n'), 'yaml-unknown-alias');
  });

  it('a duplicate key is reported at the second key', () => {
    const result = pipeline(duplicateKey);
    expectRejected(result, 'yaml-duplicate-key');
    expect(result.problems.find((p) => p.code === 'yaml-duplicate-key')?.line).toBe(3);
  });

  it('more than one YAML document is an error', () => {
    expectRejected(pipeline('jobs: []\n---\njobs: []\n'), 'yaml-multiple-documents');
  });

  it.each([
    ['a bad indent', 'jobs:\n- name: a\n   plan: [\n', 'yaml-bad-indent'],
    ['an unclosed flow mapping', 'jobs: {\n', 'yaml-bad-indent'],
    ['an unterminated double-quoted string', 'jobs: "unterminated\n', 'yaml-missing-char'],
    ['an unterminated single-quoted string', "jobs: 'x\n", 'yaml-missing-char'],
    ['a mapping as an implicit key', 'a: b: c\n', 'yaml-block-as-implicit-key'],
    ['a list as a key', '? [a]\n: b\n', 'yaml-complex-key'],
    ['a tab as indentation', '\tjobs: []\n', 'yaml-tab-as-indent'],
    ['two anchors on one value', 'jobs: &a &b []\n', 'yaml-multiple-anchors'],
    ['!!binary that is not base64', 'jobs: !!binary ~~~\n', 'schema-type'],
  ])('a YAML mistake is a located error: %s', (_, text, code) => {
    expectRejected(pipeline(text), code);
  });

  it('a stray directive and no document is an error', () => {
    expectRejected(pipeline('%\n'), 'yaml-directive-without-document');
  });

  it('an unknown YAML version directive is only a warning', () => {
    expectCoherent(pipeline('%YAML 9.9\n---\njobs: []\n'));
  });
});

describe('__proto__ keys never reach Object.prototype', () => {
  it.each([
    ['at the top level', '__proto__: {polluted: true}\njobs: []\n'],
    ['in a job', 'jobs:\n- name: build\n  __proto__: {polluted: true}\n  plan: []\n'],
    ['through a merge key', 'anchors: &evil {__proto__: {polluted: true}}\njobs:\n- name: build\n  <<: *evil\n  plan: []\n'],
    ['in a task config', 'jobs:\n- name: build\n  plan:\n  - task: t\n    config:\n      __proto__: {polluted: true}\n      platform: linux\n      run: {path: echo}\n'],
    ['in free-form params', 'jobs:\n- name: build\n  plan:\n  - task: t\n    file: t.yml\n    params: {__proto__: {polluted: true}}\n'],
    ['as a var name', pipelineWithPlan().replace('"https://example.com/repo.git"', '((__proto__.polluted))')],
  ])('%s', (_, text) => {
    expectCoherent(pipeline(text));
    expectCoherent(task(text));
    expect(formatConfig(text).problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });
});

describe('wrong types at every level are located problems', () => {
  const cases: Array<[what: string, text: string, path: PathSegment[], line: number]> = [
    ['jobs as a string', 'resources: []\njobs: "build"\n', ['jobs'], 2],
    ['resources as a mapping', 'resources: {name: repo}\njobs: []\n', ['resources'], 1],
    ['resource_types as a string', pipelineWithPlan(undefined, 'resource_types: git\n'), ['resource_types'], 5],
    ['var_sources as a mapping', 'var_sources: {name: vault}\njobs: []\n', ['var_sources'], 1],
    ['groups as a string', `${pipelineWithPlan()}groups: all\n`, ['groups'], 9],
    ['a job as a string', 'jobs:\n- build\n', ['jobs', 0], 2],
    ['a job name as a number', pipelineWithPlan().replace('- name: build', '- name: 7'), ['jobs', 0, 'name'], 6],
    ['a resource name as a number', pipelineWithPlan().replace('- name: repo', '- name: 7'), ['resources', 0, 'name'], 2],
    ['source as a list', pipelineWithPlan().replace('source: {uri: "https://example.com/repo.git"}', 'source: [uri]'), ['resources', 0, 'source'], 4],
    ['serial as a string', 'jobs:\n- name: build\n  serial: "yes please"\n  plan: []\n', ['jobs', 0, 'serial'], 3],
    ['max_in_flight as a string', 'jobs:\n- name: build\n  max_in_flight: lots\n  plan: []\n', ['jobs', 0, 'max_in_flight'], 3],
    ['plan as a mapping', 'jobs:\n- name: build\n  plan: {get: repo}\n', ['jobs', 0, 'plan'], 3],
    ['a step as a number', pipelineWithPlan('  - 42\n'), ['jobs', 0, 'plan', 0], 8],
    ['passed as a string', pipelineWithPlan('  - get: repo\n    passed: build\n'), ['jobs', 0, 'plan', 0, 'passed'], 9],
    ['trigger as a mapping', pipelineWithPlan('  - get: repo\n    trigger: {when: always}\n'), ['jobs', 0, 'plan', 0, 'trigger'], 9],
    ['params as a list', pipelineWithPlan('  - put: repo\n    params: [a]\n'), ['jobs', 0, 'plan', 0, 'params'], 9],
    ['tags as a string', pipelineWithPlan('  - get: repo\n    tags: fast\n'), ['jobs', 0, 'plan', 0, 'tags'], 9],
    ['attempts as a string', pipelineWithPlan('  - get: repo\n    attempts: many\n'), ['jobs', 0, 'plan', 0, 'attempts'], 9],
    ['a hook as a list', pipelineWithPlan('  - get: repo\n    ensure: [a]\n'), ['jobs', 0, 'plan', 0, 'ensure'], 9],
    ['across as a string', pipelineWithPlan('  - task: t\n    file: t.yml\n    across: everything\n'), ['jobs', 0, 'plan', 0, 'across'], 10],
    ['in_parallel as a number', pipelineWithPlan('  - in_parallel: 3\n'), ['jobs', 0, 'plan', 0, 'in_parallel'], 8],
    ['in_parallel steps as a string', pipelineWithPlan('  - in_parallel: {steps: all}\n'), ['jobs', 0, 'plan', 0, 'in_parallel', 'steps'], 8],
    ['do as a mapping', pipelineWithPlan('  - do: {get: repo}\n'), ['jobs', 0, 'plan', 0, 'do'], 8],
    ['a task config as a list', pipelineWithPlan('  - task: t\n    config: [platform, run]\n'), ['jobs', 0, 'plan', 0, 'config'], 9],
    ['a task run as a list', pipelineWithPlan('  - task: t\n    config:\n      platform: linux\n      run: [echo]\n'), ['jobs', 0, 'plan', 0, 'config', 'run'], 11],
    ['group jobs as a string', `${pipelineWithPlan()}groups:\n- name: all\n  jobs: build\n`, ['groups', 0, 'jobs'], 11],
  ];

  it.each(cases)('%s', (_, text, path, line) => {
    const result = pipeline(text);
    expectRejected(result, 'schema-type');
    expect(result.problems, summarize(result.problems)).toContainEqual(expect.objectContaining({ severity: 'error', code: 'schema-type', path, line }));
  });

  it('the valid pipeline they start from is accepted', () => {
    const result = pipeline(pipelineWithPlan());
    expect(result.problems).toEqual([]);
    expect(result.config).toBeDefined();
  });
});

describe('loadTaskConfig on bad input', () => {
  it.each([
    ['an empty file', '', 'empty-document'],
    ['a list', '- platform: linux\n', 'not-a-mapping'],
    ['NUL bytes', withNul, 'not-text'],
    ['a 50 MB file', fiftyMegabytes, 'file-too-large'],
    ['the billion-laughs alias bomb', billionLaughs, 'yaml-too-many-nodes'],
    ['an alias cycle', aliasCycle, 'yaml-alias-cycle'],
    ['a duplicate key', 'platform: linux\nrun: {path: echo}\nplatform: linux\n', 'yaml-duplicate-key'],
  ])('%s', (_, text, code) => {
    expectRejected(task(text), code);
  });

  it('deep nesting is refused', () => {
    expectRejected(task(flowNested), ...NESTING_CODES);
    expectRejected(task(blockMapNested), ...NESTING_CODES);
  });

  it.each([
    ['platform as a list', 'platform: [linux]\nrun: {path: echo}\n', ['platform'], 1],
    ['run as a string', 'platform: linux\nrun: echo hello\n', ['run'], 2],
    ['args as a string', 'platform: linux\nrun: {path: sh, args: "-c"}\n', ['run', 'args'], 2],
    ['inputs as a mapping', 'platform: linux\nrun: {path: echo}\ninputs: {name: src}\n', ['inputs'], 3],
    ['outputs as a number', 'platform: linux\nrun: {path: echo}\noutputs: 3\n', ['outputs'], 3],
    ['params as a list', 'platform: linux\nrun: {path: echo}\nparams: [A]\n', ['params'], 3],
    ['image_resource as a string', 'platform: linux\nimage_resource: busybox\nrun: {path: echo}\n', ['image_resource'], 2],
  ] as Array<[string, string, PathSegment[], number]>)('%s is a located problem', (_, text, path, line) => {
    const result = task(text);
    expectRejected(result, 'schema-type');
    expect(result.problems, summarize(result.problems)).toContainEqual(expect.objectContaining({ code: 'schema-type', path, line }));
  });
});

describe('formatConfig on bad input', () => {
  it.each([
    ['NUL bytes', withNul, ['not-text']],
    ['a 50 MB file', fiftyMegabytes, ['file-too-large']],
    ['flow collections nested 10,000 deep', flowNested, NESTING_CODES],
    ['the billion-laughs alias bomb', billionLaughs, ['yaml-too-many-nodes']],
    ['an alias cycle', aliasCycle, ['yaml-alias-cycle']],
    ['a duplicate key', duplicateKey, ['yaml-duplicate-key']],
    ['a syntax error', 'jobs: {\n', ['yaml-bad-indent']],
    // yaml re-emits this scalar differently, so the formatter's own safety check refuses it.
    ['!!binary that is not base64', 'jobs: !!binary ~~~\n', ['format-unsafe']],
    ['a tag that does not resolve', 'a: !!int x\n', ['format-unsafe']],
  ])('%s is refused, not formatted', (_, text, codes) => {
    expectFormatRefused(formatConfig(text), ...codes);
  });

  // Found by fuzz.test.ts (seeds 2 and 12): directives with no document after them.
  it.each(['%\n', '%- name: 42\n', '%YAML 1.1\n'])('directives and no document (%j) give a result, not a throw', (text) => {
    const result = formatConfig(text);
    expectWellFormed(result.problems);
    if (result.text === undefined) expect(result.problems.length, 'refused to format without saying why').toBeGreaterThan(0);
  });

  it.each([
    ['an empty file', ''],
    ['a scalar', 'hello\n'],
    ['wrong types', 'jobs: "build"\nresources: {name: repo}\n'],
  ])('%s is formatted without validating it', (_, text) => {
    const result = formatConfig(text);
    expectWellFormed(result.problems);
    expect(result.text).toBeDefined();
  });
});
