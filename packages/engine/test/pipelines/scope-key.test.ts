import { describe, expect, it } from 'vitest';
import { testEngine } from '../support/engine.js';
import { scopeKey } from '../../src/pipelines/plan-pipeline-save.js';

const types = (...entries: Array<Record<string, unknown>>) => new Map(entries.map((entry) => [entry.name as string, entry]));
const files = { name: 'files', type: 'registry-image', source: { repository: 'example/files-resource' } };

describe('which resources share a version history', () => {
  it('shares one between pipelines whose same-named types are declared alike', () => {
    expect(scopeKey('files', { url: 'x' }, types(files))).toBe(scopeKey('files', { url: 'x' }, types({ ...files })));
  });

  it('keeps apart same-named types whose image, its params, privileges or defaults differ', () => {
    const key = scopeKey('files', { url: 'x' }, types(files));
    for (const other of [
      { ...files, source: { repository: 'example/other-resource' } },
      { ...files, params: { platform: { architecture: 'arm64' } } },
      { ...files, privileged: true },
      { ...files, defaults: { url: 'y' } },
    ]) {
      expect(scopeKey('files', { url: 'x' }, types(other))).not.toBe(key);
    }
  });

  it('keeps a declared type apart from the built-in of the same name, and follows the chain of types fetching images', () => {
    expect(scopeKey('git', { uri: 'x' }, types({ name: 'git', type: 'registry-image', source: {} }))).not.toBe(scopeKey('git', { uri: 'x' }, types()));
    const chain = (repository: string) => types({ name: 'images', type: 'registry-image', source: { repository } }, { name: 'app', type: 'images', source: {} });
    expect(scopeKey('app', {}, chain('a'))).not.toBe(scopeKey('app', {}, chain('b')));
  });
});

describe('histories of declared types across pipelines', () => {
  const pipeline = (repository: string) =>
    `resource_types:\n- name: files\n  type: registry-image\n  source: {repository: ${repository}}\nresources:\n- name: notes\n  type: files\n  source: {url: http://127.0.0.1:1}\njobs:\n- name: read\n  plan:\n  - get: notes\n`;

  it('is one for pipelines declaring the type alike, and one each where the declarations differ', () => {
    const engine = testEngine();
    const scopeOf = (name: string, repository: string) => {
      const { pipeline: saved } = engine.setPipeline({ name, text: pipeline(repository) });
      return engine.store.resources.get(saved.id, 'notes')!.scopeId;
    };
    const first = scopeOf('a', 'example/files-resource');
    expect(scopeOf('b', 'example/files-resource')).toBe(first);
    expect(scopeOf('c', 'example/other-files-resource')).not.toBe(first);
  });
});
