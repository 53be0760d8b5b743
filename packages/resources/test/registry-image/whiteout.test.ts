import { describe, expect, it } from 'vitest';
import { classifyLayerPath } from '../../src/registry-image/whiteout.js';

describe('classifyLayerPath', () => {
  it.each([
    ['etc/passwd', { kind: 'entry', path: 'etc/passwd' }],
    ['./etc/', { kind: 'entry', path: 'etc' }],
    ['/usr/bin/env', { kind: 'entry', path: 'usr/bin/env' }],
    ['./', { kind: 'entry', path: '' }],
    ['a/b/../c', { kind: 'entry', path: 'a/c' }],
    ['etc/.wh.hosts', { kind: 'whiteout', path: 'etc/hosts' }],
    ['.wh.tmp', { kind: 'whiteout', path: 'tmp' }],
    ['./var/cache/.wh..wh..opq', { kind: 'opaque', directory: 'var/cache' }],
    ['.wh..wh..opq', { kind: 'opaque', directory: '' }],
    ['.wh..wh.plnk/123', { kind: 'metadata' }],
    ['etc/.wh..wh.aufs', { kind: 'metadata' }],
    ['../etc/passwd', { kind: 'outside' }],
    ['a/../../etc', { kind: 'outside' }],
    ['etc/.wh..', { kind: 'outside' }],
    ['etc/.wh.', { kind: 'outside' }],
    ['etc/.whatever', { kind: 'entry', path: 'etc/.whatever' }],
  ])('%s', (path, expected) => {
    expect(classifyLayerPath(path)).toEqual(expected);
  });
});
