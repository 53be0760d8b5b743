import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readYamlFast } from '../../src/config/fast-yaml.js';
import { DEFAULT_YAML_LIMITS, readYamlSlow, type SourceMap } from '../../src/config/yaml-source.js';
import { corpusFiles, requireCorpus } from '../../../../test/support/corpus.js';

/**
 * The fast reader may give up on any input, but when it answers, it must give exactly what the
 * slow reader gives: the same value (key order included), no problems from the slow reader, and
 * the same ranges and positions for every container, key and value the slow source map knows.
 * Returns whether the fast reader answered.
 */
function expectSameAsSlow(text: string): boolean {
  const fast = readYamlFast(text, DEFAULT_YAML_LIMITS);
  if (fast === undefined) return false;
  const slow = readYamlSlow(text);
  expect(slow.problems, 'the fast reader answered where the slow one reports problems').toEqual([]);
  compare(slow.value, fast.value, slow.sourceMap, fast.sourceMap, '$');
  return true;
}

function compare(slow: unknown, fast: unknown, slowMap: SourceMap, fastMap: SourceMap, path: string): void {
  if (typeof slow !== 'object' || slow === null) {
    expect(Object.is(fast, slow), `value at ${path}: ${String(fast)} instead of ${String(slow)}`).toBe(true);
    return;
  }
  expect(typeof fast === 'object' && fast !== null && Array.isArray(fast) === Array.isArray(slow), `container at ${path}`).toBe(true);
  const slowKeys = Object.keys(slow);
  expect(Object.keys(fast as object), `keys at ${path}`).toEqual(slowKeys);
  const slowSpan = slowMap.spanOf(slow);
  const fastSpan = fastMap.spanOf(fast as object);
  expect(fastSpan?.range, `range of ${path}`).toEqual(slowSpan?.range);
  expect([...(fastSpan?.keys ?? [])], `key ranges in ${path}`).toEqual([...(slowSpan?.keys ?? [])]);
  expect([...(fastSpan?.values ?? [])], `value ranges in ${path}`).toEqual([...(slowSpan?.values ?? [])]);
  for (const [, [start]] of slowSpan?.values ?? []) expect(fastMap.position(start)).toEqual(slowMap.position(start));
  for (const key of slowKeys) {
    compare((slow as Record<string, unknown>)[key], (fast as Record<string, unknown>)[key], slowMap, fastMap, `${path}.${key}`);
  }
}

describe('readYamlFast, by hand', () => {
  const answered = (text: string) => expectSameAsSlow(text);

  it('resolves every YAML 1.1 scalar form as the slow reader does', () => {
    const scalars = [
      'y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON', 'n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF',
      'yEs', 'tRUE', '~', 'null', 'Null', 'NULL', 'nULL', '0', '-0', '+0', '12', '-12', '+12', '1_000', '0755', '-0755', '0_', '08', '0o17', '0x1F', '0x_1f', '-0x1F',
      '0b101', '-0b1_01', '0b2', '1:30', '-1:30:15', '190:20:30', '1:60', '1:30.5', '1.5', '-1.5', '1.', '.5', '1e3', '1.5e-3', '-1E+3', '1_0.5', '._', '.', '-.', '+.',
      '.inf', '-.inf', '+.Inf', '.INF', '.nan', '.NaN', '.NAN', '+.nan', '-.nan', '.nAn', '2001-12-14', '2001-12-14t21:59:43.10-05:00', '2001-12-14 21:59:43.10 -5',
      '<<', '=', 'plain text', 'a:b', 'a#b', '-a', '1.2.3', '0x', '0b', '12e', 'e3', '1__', 'E5', 'e', '9007199254740993', '0xFFFFFFFFFFFFFFFFFF',
    ];
    expect(answered(`${scalars.map((s, i) => `k${i}: ${s}`).join('\n')}\n`)).toBe(true);
    expect(answered(`${scalars.map((s) => `- ${s}`).join('\n')}\n`)).toBe(true);
    // As keys, where the slow reader keeps a misread NaN as "NaN".
    for (const s of scalars) answered(`${s}: 1\n`);
    expect(answered(['.: 1', 'yes: 3', '~: 4', '1.0: 5', '0x10: 6', '"yes": 7', "'~': 8"].join('\n'))).toBe(true);
  });

  it('reads quoted scalars, escapes and folding', () => {
    expect(answered('a: "x\\ty\\u00e9\\"\\\\"\nb: \'it\'\'s\'\nc: "folded\n  line"\nd: \'two\n\n  lines\'\ne: ""\n')).toBe(true);
    expect(answered('"quoted key": 1\n\'single\': 2\n"": 3\n')).toBe(true);
  });

  it('reads block scalars', () => {
    expect(answered('a: |\n  line\n    more\n\n  last\nb: >\n  folded\n  text\n\n  para\nc: |-\n  strip\n\n\nd: >-\n  x\n')).toBe(true);
    expect(answered('a: | # comment\n  x\n# after\nb: 1\n')).toBe(true);
    expect(answered('- |\n  in a list\n- >\n  folded\n\n')).toBe(true);
    expect(answered('a:\n  b: |\n    deep\n\n\n  c: x\n')).toBe(true);
    // A comment line less indented than the content ends the scalar, even above the parent's indentation.
    expect(answered('a: |\n    x\n  # comment\nb: 1\n')).toBe(true);
    expect(answered('- |\n    x\n  # c\n- y\n')).toBe(true);
    expect(answered('a:\n  b: |\n      x\n    # c\n  d: 1\n')).toBe(true);
    // Keep chomping and explicit indentation are left to the slow reader.
    expect(answered('a: |+\n  x\n\n')).toBe(false);
    expect(answered('a: |2\n   x\n')).toBe(false);
  });

  it('reads flow collections and plain multi-line scalars', () => {
    expect(answered('a: [1, two, "three", {x: y}]\nb: {c: [], d: {}, "e": f}\nc: [\n  1,\n  2,\n]\n')).toBe(true);
    expect(answered('[a, b]\n')).toBe(true);
    expect(answered('{a: 1}\n')).toBe(true);
    expect(answered('a: plain\n  continued\n  lines\nb: x\n')).toBe(true);
    expect(answered('a:\n  [1, 2]\nb:\n  {c: d}\nc:\n  plain\n')).toBe(true);
    // Entries without `:` in flow mappings and pairs in flow sequences: the frames do not pair up.
    expect(answered('a: {b, c}\n')).toBe(false);
    expect(answered('a: [b: c]\n')).toBe(false);
  });

  it('ends block collections where the yaml package does, around comments and blank lines', () => {
    const texts = [
      'a:\n  b: 1   # c\n  c: x\n# top\n  # ind\n\nd: [1, 2]  \ne:\n- x\n- y\n  # trailing\nf: 1\n',
      'a:\n  b:\n    c: 1\n    # kept\ny: 2\n',
      'a:\n  b:\n    c: 1\n      # deeper\n\n      # again\n  # at b\ny: 2\n',
      'a:\n  - x\n  # at the list\n  - y\n\n\n# top\nb: 1\n',
      'jobs:\n- name: a\n  plan:\n  - get: x\n    # c\n\n- name: b\n',
      'a:\n  b: 1\n  # end of file',
      'a:\n  b: 1\n  # end of file\n\n',
      'a:\n  b: 1\n\n\n',
      'a:\n  b: [1,\n    2]   # c\n  # d\nc: 1\n',
      'a:\n  b: "x"\n     # deeper\nc: 1\n',
      'a:\n  b: *x\n',
      'a:\n  b:\n  c: 1\n',
      'a:\n  b:\nc: 1\n',
      'a:\n  b:\n',
      'a:\n  b: |\n    x\n    # in the scalar\n  # after\nc: 1\n',
      '---\na: 1\n',
      '# head\n---\na:\n  b: 1\n',
      '- - a\n  - b\n- - c\n',
      '- a: 1\n  b: 2\n- c: 3\n',
      '-   a: 1\n    b:\n      - x\n',
    ];
    for (const text of texts) answered(text);
    expect(answered(texts[0] as string)).toBe(true);
    expect(answered(texts[1] as string)).toBe(true);
    expect(answered(texts[2] as string)).toBe(true);
  });

  it('expands anchors, aliases and merge keys, explicit keys first', () => {
    const text = [
      'base: &base {type: git, icon: github}',
      'extra: &extra {icon: gitlab, public: true}',
      'resource:',
      '  <<: *base',
      '  <<: *extra',
      '  icon: custom',
      'listed:',
      '  <<: [*extra, *base]',
      'scalar: &s value',
      'again: *s',
      'block: &b',
      '  x: 1',
      '  y: [*s, *base]',
      'copy: *b',
      'inline:',
      '  - &item name: a',
      '    type: b',
      '  - *item',
      '',
    ].join('\n');
    expect(answered(text)).toBe(true);
    expect(answered('defaults: &d\n  trigger: maybe\njobs:\n- name: a\n  plan:\n  - <<: *d\n    get: repo\n')).toBe(true);
    // The slow reader merges on a quoted "<<" too (go-yaml would not: it resolves to a string).
    expect(answered('base: &b {a: 1}\nc:\n  "<<": *b\n  <<: {d: 2}\n  e: 3\n')).toBe(true);
    expect(answered('a: &a [*a]\n')).toBe(false);
    expect(answered('a: *nowhere\n')).toBe(false);
    expect(answered('a: &x{b: 1}\n')).toBe(false);
    expect(answered('a: &x: 1\n')).toBe(false);
    expect(answered('a: &x\n  b: &y c: 1\n')).toBe(false);
    expect(answered('a: &e\nb: *e\n')).toBe(false);
  });

  it('gives up on what it does not reproduce', () => {
    for (const text of [
      'a: !!str 1\n', 'a: !custom x\n', '%YAML 1.1\n---\na: 1\n', 'a: 1\n---\nb: 2\n', 'a: 1\n...\n', 'a: 1\na: 2\n', '? a\n: b\n',
      'a:\tb\n', 'a: 1\r\n', '\ufeffa: 1\n', 'a: [1, 2\n', 'a:\n- x\n-\n- y\n', '{a: }\n',
      'a: "x"# c\n', "a: 'x'# c\n", 'a: [1]# c\nb: 2\n', 'a: {b: 1,# c\n  d: 2}\n', 'a: [# c\n  2]\n', '{"a":#c\n 1}\n', `${'['.repeat(150)}${']'.repeat(150)}\n`,
    ]) {
      expect(answered(text), JSON.stringify(text)).toBe(false);
    }
    expect(readYamlFast('a: [1, 2, 3]\n', { ...DEFAULT_YAML_LIMITS, maxNodes: 3 })).toBeUndefined();
    expect(readYamlFast('a: [[[1]]]\n', { ...DEFAULT_YAML_LIMITS, maxDepth: 3 })).toBeUndefined();
  });

  it('gives up wherever the slow reader refuses the expanded size or depth', () => {
    const documents = [
      'a: &a {x: 1, y: [1, 2]}\nb: {<<: *a, z: 3}\n',
      'a: &a {x: 1}\nb: &b {y: {z: 2}}\nc:\n  <<: [*a, *b]\n  w: 4\n',
      'a: &a [1, 2, 3]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n',
      'r: &r {k: v}\ns:\n  - <<: *r\n    t:\n      <<: [*r]\n      u: [[[1]]]\n',
      'm: &m {<<: [], <<: [], <<: [], x: 1}\nl: [*m, *m, *m]\n',
      'a:\n  b:\n    <<: []\n',
    ];
    const limitSets = [
      ...Array.from({ length: 120 }, (_, i) => ({ ...DEFAULT_YAML_LIMITS, maxNodes: i + 1 })),
      ...Array.from({ length: 10 }, (_, i) => ({ ...DEFAULT_YAML_LIMITS, maxDepth: i + 1 })),
    ];
    let refused = 0;
    for (const text of documents) {
      for (const limits of limitSets) {
        const slowRefuses = readYamlSlow(text, limits).problems.some((problem) => problem.code === 'yaml-too-many-nodes' || problem.code === 'yaml-too-deep');
        if (!slowRefuses) continue;
        refused++;
        expect(readYamlFast(text, limits), `${JSON.stringify(text)} with at most ${limits.maxNodes} nodes, ${limits.maxDepth} deep`).toBeUndefined();
      }
    }
    expect(refused).toBeGreaterThan(50);
  });

  it('reads a # that starts a quoted scalar as content', () => {
    expect(answered('channel: "#contact"\nroom: \'#ops\'\nlist: ["#a", \'#b\']\n')).toBe(true);
  });

  it('reads empty documents as null', () => {
    expect(answered('')).toBe(true);
    expect(answered('# only a comment\n')).toBe(true);
    expect(answered('---\n')).toBe(true);
    expect(answered('plain\n')).toBe(true);
  });

  it('keeps __proto__ as a plain key', () => {
    expect(answered('__proto__: {polluted: true}\n')).toBe(true);
  });
});

const corpus = requireCorpus();

describe.skipIf(corpus === undefined)('readYamlFast on the corpus', () => {
  const files = [...corpusFiles('pipelines'), ...corpusFiles('tasks')];
  const texts = files.map((file) => readFileSync(file, 'utf8'));

  it('answers as the slow reader does, or gives up', () => {
    let answered = 0;
    texts.forEach((text, i) => {
      try {
        if (expectSameAsSlow(text)) answered++;
      } catch (cause) {
        throw new Error(`${files[i]}: ${(cause as Error).message}`);
      }
    });
    // The point of the fast reader is speed on real files: a change that makes it give up on
    // many of them is a regression even when every answer stays right.
    expect(answered, `answered for ${answered} of ${texts.length} corpus files`).toBeGreaterThanOrEqual(Math.floor(texts.length * 0.95));
  });

  /** Mutations of the corpus in the ways people and editors break YAML, after test/robustness/fuzz.test.ts. */
  it('answers as the slow reader does on mutated corpus files, or gives up', () => {
    const small = texts.filter((text) => text.length <= 16 * 1024);
    const pieces = [
      ':', ': ', '-', '- ', '&a ', '*a', '<<: *a', '<<: ', '{', '}', '[', ']', ',', '|', '|-', '>', '#', ' #', '"', "'", '\n', '  ', '    ', '---\n',
      '42', '0755', '.', '.nan', 'yes', 'off', '~', '""', '[]', '{}', '[a, b]', '{a: b}', '2001-12-14', '1:30', '&b {x: 1}', '*b', '# c\n',
    ];
    const mutation = fc.record({
      kind: fc.constantFrom('delete', 'duplicate', 'reindent', 'insert', 'truncate'),
      line: fc.nat(),
      column: fc.nat(),
      by: fc.integer({ min: -4, max: 4 }),
      text: fc.constantFrom(...pieces),
    });
    const mutate = (text: string, m: { kind: string; line: number; column: number; by: number; text: string }): string => {
      if (m.kind === 'truncate') return text.slice(0, m.column % (text.length + 1));
      const lines = text.split('\n');
      const at = m.line % lines.length;
      const line = lines[at] as string;
      if (m.kind === 'delete') lines.splice(at, 1);
      else if (m.kind === 'duplicate') lines.splice(at, 0, line);
      else if (m.kind === 'reindent') lines[at] = m.by >= 0 ? ' '.repeat(m.by) + line : line.replace(new RegExp(`^ {0,${-m.by}}`), '');
      else {
        const column = m.column % (line.length + 1);
        lines[at] = line.slice(0, column) + m.text + line.slice(column);
      }
      return lines.join('\n');
    };
    fc.assert(
      fc.property(fc.nat(small.length - 1), fc.array(mutation, { minLength: 1, maxLength: 3 }), (file, mutations) => {
        expectSameAsSlow(mutations.reduce(mutate, small[file] as string));
      }),
      { seed: 20_251_121, numRuns: 3_000 },
    );
  });
});
