import { describe, expect, it } from 'vitest';
import { readYaml } from '../../src/config/yaml-source.js';

function read(text: string) {
  const result = readYaml(text);
  return { ...result, codes: result.problems.map((p) => p.code) };
}

describe('readYaml', () => {
  it('reads YAML 1.1 scalars the way go-yaml does', () => {
    const { value, codes } = read('a: yes\nb: off\nc: 0777\nd: 2001-12-14\ne: .\nf: .nan\ng: "yes"\n');
    expect(codes).toEqual([]);
    expect(value).toMatchObject({ a: true, b: false, c: 511, d: '2001-12-14', e: '.', g: 'yes' });
    expect(Number.isNaN((value as { f: number }).f)).toBe(true);
  });

  it('keeps times and other base-60 numbers as text, as go-yaml does, on both readers', () => {
    const text = 'start: 22:30\nstop: 3:00\nat: 1:20:30.5\n';
    // A tab in a comment sends the text to the slow reader.
    for (const variant of [text, `# \t\n${text}`]) {
      const { value, codes } = read(variant);
      expect(codes).toEqual([]);
      expect(value).toEqual({ start: '22:30', stop: '3:00', at: '1:20:30.5' });
    }
  });

  it('expands anchors, aliases and merge keys, explicit keys winning', () => {
    const text = [
      'base: &base {type: git, icon: github}',
      'extra: &extra {icon: gitlab, public: true}',
      'resource:',
      '  <<: *base',
      '  <<: *extra',
      '  icon: custom',
      'listed:',
      '  <<: [*extra, *base]',
    ].join('\n');
    const { value, codes } = read(text);
    expect(codes).toEqual([]);
    expect((value as Record<string, unknown>).resource).toEqual({ icon: 'custom', type: 'git', public: true });
    // With a list of mappings, the earlier mapping wins.
    expect((value as Record<string, unknown>).listed).toEqual({ icon: 'gitlab', public: true, type: 'git' });
  });

  it('reports duplicate keys at the second key, naming the first line', () => {
    const { problems } = read('jobs: []\nresources: []\njobs: []\n');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: 'yaml-duplicate-key', line: 3, column: 1 });
    expect(problems[0]?.message).toContain('line 1');
  });

  it('stops alias bombs', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i <= 9; i++) lines.push(`a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]`);
    const { codes, value } = read(lines.join('\n'));
    expect(codes).toEqual(['yaml-too-many-nodes']);
    expect(value).toBeUndefined();
  });

  it('refuses nesting deeper than the limit', () => {
    expect(read(`${'['.repeat(500)}${']'.repeat(500)}`).codes).toContain('yaml-too-deep');
  });

  it('refuses binary and oversized input before parsing', () => {
    expect(read('jobs: []\u0000').codes).toEqual(['not-text']);
    expect(readYaml('a: b\n'.repeat(10), { maxBytes: 20 }).problems.map((p) => p.code)).toEqual(['file-too-large']);
  });

  it('rejects a second document', () => {
    expect(read('jobs: []\n---\njobs: []\n').codes).toEqual(['yaml-multiple-documents']);
  });

  it('reports syntax errors with a position', () => {
    const { problems } = read('jobs:\n  - name: a\n   bad: indent\n');
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]?.severity).toBe('error');
    expect(problems[0]?.line).toBeGreaterThanOrEqual(2);
  });

  it('keeps __proto__ as a plain key', () => {
    const { value } = read('__proto__: {polluted: true}\n');
    expect(Object.keys(value as object)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('locates keys and values, through aliases to where the anchor is written', () => {
    const text = 'defaults: &d\n  trigger: maybe\njobs:\n- name: a\n  plan:\n  - <<: *d\n    get: repo\n';
    const { value, sourceMap } = read(text);
    const [start] = sourceMap.locate(value, ['jobs', 0, 'plan', 0, 'trigger']);
    expect(sourceMap.position(start)).toEqual({ line: 2, column: 12 });
    const [keyStart] = sourceMap.locate(value, ['jobs', 0, 'plan', 0, 'get'], 'key');
    expect(sourceMap.position(keyStart)).toEqual({ line: 7, column: 5 });
  });
});

describe('readYaml limits through aliases', () => {
  it('counts depth that an alias adds where it is used', () => {
    const deep = `${'['.repeat(150)}x${']'.repeat(150)}`;
    const text = `a: &deep ${deep}\nb: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[*deep]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\nc: *deep\n`;
    expect(read(text).codes).toEqual(['yaml-too-deep']);
  });
});
