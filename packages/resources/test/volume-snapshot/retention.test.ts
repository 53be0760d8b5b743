import { describe, expect, it } from 'vitest';
import { selectForPruning, type RetainedSnapshot, type RetentionPolicy } from '../../src/volume-snapshot/retention.js';

const NOW = new Date('2024-05-10T00:00:00Z');
const HOUR = 3_600_000;

function snapshot(name: string, hoursAgo: number, options: { group?: string; ready?: boolean } = {}): RetainedSnapshot {
  return { name, created: new Date(NOW.getTime() - hoursAgo * HOUR).toISOString(), group: options.group ?? 'data', ready: options.ready ?? true };
}

const cases: Array<{ title: string; snapshots: RetainedSnapshot[]; policy: RetentionPolicy; keep?: string[]; pruned: string[] }> = [
  { title: 'no limits prune nothing', snapshots: [snapshot('a', 100), snapshot('b', 1)], policy: {}, pruned: [] },
  { title: 'max_count keeps the newest, prunes oldest first', snapshots: [snapshot('b', 2), snapshot('a', 3), snapshot('d', 0), snapshot('c', 1)], policy: { maxCount: 2 }, pruned: ['a', 'b'] },
  { title: 'max_age prunes what is older', snapshots: [snapshot('old', 73), snapshot('new', 71)], policy: { maxAgeMs: 72 * HOUR }, pruned: ['old'] },
  { title: 'both limits: either one prunes', snapshots: [snapshot('a', 80), snapshot('b', 5), snapshot('c', 4), snapshot('d', 1)], policy: { maxCount: 3, maxAgeMs: 72 * HOUR }, pruned: ['a'] },
  { title: 'the just-created snapshot stays even when the clock says it is old', snapshots: [snapshot('fresh', 100), snapshot('a', 101)], policy: { maxAgeMs: HOUR }, keep: ['fresh'], pruned: ['a'] },
  { title: 'snapshots not ready are neither pruned nor counted', snapshots: [snapshot('pending', 5, { ready: false }), snapshot('a', 3), snapshot('b', 1)], policy: { maxCount: 2 }, pruned: [] },
  {
    title: 'each claim is counted apart',
    snapshots: [snapshot('db-1', 3, { group: 'db' }), snapshot('db-2', 1, { group: 'db' }), snapshot('cache-1', 2, { group: 'cache' })],
    policy: { maxCount: 1 },
    pruned: ['db-1'],
  },
  { title: 'same time: the name breaks the tie', snapshots: [snapshot('x', 1), snapshot('y', 1)], policy: { maxCount: 1 }, pruned: ['x'] },
];

describe('selectForPruning', () => {
  it.each(cases)('$title', ({ snapshots, policy, keep, pruned }) => {
    expect(selectForPruning(snapshots, policy, NOW, new Set(keep)).map((s) => s.name)).toEqual(pruned);
  });
});
