import { describe, expect, it } from 'vitest';
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
