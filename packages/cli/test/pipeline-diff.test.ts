import { describe, expect, it } from 'vitest';
import { diffPipelineConfigs, orderLike, renderPipelineDiff, summarizeChanges } from '../src/render/pipeline-diff.js';
import { palette } from '../src/render/palette.js';

const plain = palette(false);

const stored = {
  jobs: [
    { name: 'unit', plan: [{ get: 'repo', trigger: true }, { task: 'test', file: 'repo/ci/test.yml' }] },
    { name: 'old', plan: [{ get: 'repo' }] },
  ],
  resources: [{ name: 'repo', source: { branch: 'main', uri: 'https://example.com/r.git' }, type: 'git' }],
};

describe('the diff set-pipeline shows', () => {
  it('shows every entry of a new pipeline as added', () => {
    const changes = diffPipelineConfigs(undefined, stored);
    expect(changes.map((c) => [c.what, c.name, c.kind])).toEqual([
      ['resource', 'repo', 'added'],
      ['job', 'unit', 'added'],
      ['job', 'old', 'added'],
    ]);
    expect(renderPipelineDiff(changes, plain)).toContain('resource repo has been added:\n+ name: repo\n');
    expect(summarizeChanges(changes)).toBe('3 added, 0 changed, 0 removed');
  });

  it('finds nothing when only the key order differs', () => {
    const reordered = { resources: [{ type: 'git', name: 'repo', source: { uri: 'https://example.com/r.git', branch: 'main' } }], jobs: stored.jobs };
    expect(diffPipelineConfigs(stored, reordered)).toEqual([]);
  });

  it('shows a changed entry as a unified diff (three lines of context) in the order of the new file, and removed and added entries', () => {
    const next = {
      resources: [{ name: 'repo', type: 'git', source: { uri: 'https://example.com/r.git', branch: 'develop' } }],
      jobs: [
        { name: 'unit', plan: [{ get: 'repo', trigger: true }, { task: 'test', file: 'repo/ci/test.yml' }] },
        { name: 'new', plan: [{ get: 'repo', passed: ['unit'] }] },
      ],
      display: { background_image: 'x.png' },
    };
    const changes = diffPipelineConfigs(stored, next);
    expect(changes.map((c) => [c.what, c.name, c.kind])).toEqual([
      ['resource', 'repo', 'changed'],
      ['job', 'new', 'added'],
      ['job', 'old', 'removed'],
      ['display', '', 'added'],
    ]);
    expect(renderPipelineDiff(changes, plain)).toBe(
      [
        'resource repo has changed:',
        '  type: git',
        '  source:',
        '    uri: https://example.com/r.git',
        '-   branch: main',
        '+   branch: develop',
        '',
        'job new has been added:',
        '+ name: new',
        '+ plan:',
        '+   - get: repo',
        '+     passed:',
        '+       - unit',
        '',
        'job old has been removed:',
        '- name: old',
        '- plan:',
        '-   - get: repo',
        '',
        'display has been added:',
        '+ background_image: x.png',
        '',
      ].join('\n'),
    );
  });

  it('colors only when asked to', () => {
    const changes = diffPipelineConfigs(undefined, { jobs: [{ name: 'a', plan: [] }] });
    expect(renderPipelineDiff(changes, plain)).not.toContain('\u001b[');
    expect(renderPipelineDiff(changes, palette(true))).toContain('\u001b[32m+ name: a\u001b[0m');
  });

  it('orders the keys of the stored entry like the new one, at every depth', () => {
    expect(JSON.stringify(orderLike({ a: 1, b: { x: 1, y: 2 }, c: 3 }, { c: 0, b: { y: 0, x: 0 } }))).toBe('{"c":3,"b":{"y":2,"x":1},"a":1}');
  });
});
