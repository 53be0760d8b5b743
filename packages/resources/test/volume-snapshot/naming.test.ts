import { describe, expect, it } from 'vitest';
import { labelValue, ownerId, randomSuffix, snapshotName } from '../../src/volume-snapshot/naming.js';

const NOW = new Date('2024-05-01T03:04:05.678Z');

describe('snapshotName', () => {
  it.each([
    [{ prefix: 'data-', now: NOW, random: 'ab12c' }, 'data-20240501-030405-ab12c'],
    [{ prefix: '', claim: 'db-0', now: NOW, random: 'ab12c' }, 'db-0-20240501-030405-ab12c'],
    [{ prefix: 'nightly-', claim: 'db-0', now: NOW, random: 'zz999' }, 'nightly-db-0-20240501-030405-zz999'],
    [{ prefix: `${'p'.repeat(30)}`, claim: 'c'.repeat(60), now: NOW, random: 'ab12c' }, `${'p'.repeat(30)}${'c'.repeat(12)}20240501-030405-ab12c`],
    [{ prefix: 'failed-', build: { job: 'Migrate DB', name: '7.1' }, now: NOW, random: 'ab12c' }, 'failed-migrate-db-7.1-20240501-030405-ab12c'],
  ])('%j → %s', (options, name) => {
    expect(snapshotName(options)).toBe(name);
    expect(name.length).toBeLessThanOrEqual(63);
  });
});

describe('labelValue', () => {
  it.each([
    ['deploy', 'deploy'],
    ['my pipeline/pr=12', 'my_pipeline_pr_12'],
    ['-build-', 'build'],
    ['x'.repeat(80), 'x'.repeat(63)],
  ])('%j → %j', (text, value) => {
    expect(labelValue(text)).toBe(value);
  });
});

describe('ownerId', () => {
  it('differs when any identifying part differs, and is a valid label value', () => {
    const base = { driver: 'kubernetes', namespace: 'ns', claims: 'db', namePrefix: 'db-' };
    const ids = [ownerId(base), ownerId({ ...base, namespace: 'other' }), ownerId({ ...base, claims: 'cache' }), ownerId({ ...base, namePrefix: 'x-' }), ownerId({ ...base, driver: 'local' })];
    expect(new Set(ids).size).toBe(ids.length);
    expect(ownerId(base)).toBe(ids[0]);
    expect(ids[0]).toMatch(/^[0-9a-f]{20}$/);
  });
});

describe('randomSuffix', () => {
  it('is five lowercase letters or digits', () => {
    expect(randomSuffix()).toMatch(/^[a-z0-9]{5}$/);
  });
});
