import { describe, expect, it } from 'vitest';
import { decideLifecycle } from '../../src/pipelines/lifecycle-decisions.js';
import type { LifecycleRow } from '../../src/store/pipeline-store.js';

const NOW = 1_000_000_000;

function row(overrides: Omit<Partial<LifecycleRow>, 'parent'> & { parent?: Partial<NonNullable<LifecycleRow['parent']>> | null } = {}): LifecycleRow {
  const { parent, ...rest } = overrides;
  return {
    id: 7,
    name: 'pr-env',
    instanceVars: { pr: '12' },
    parent:
      parent === null
        ? null
        : { jobId: 3, buildId: 40, setAt: NOW - 1000, label: 'watcher/sync', jobActive: true, pipelineArchived: false, lastSucceeded: { id: 40, name: '9' }, ...parent },
    expireAfterMs: null,
    retiring: null,
    teardownJobId: 11,
    teardownBuildId: null,
    lastTeardown: null,
    ...rest,
  };
}

describe('decideLifecycle', () => {
  it('keeps a pipeline set by its parent\'s latest successful build, or by a newer build still running', () => {
    expect(decideLifecycle([row(), row({ parent: { buildId: 45 } }), row({ parent: { lastSucceeded: null } })], NOW).actions).toEqual([]);
  });

  it('lets go of a pipeline a later successful build did not set, naming that build', () => {
    expect(decideLifecycle([row({ parent: { lastSucceeded: { id: 41, name: '10' } } })], NOW).actions).toEqual([
      { kind: 'retire', pipelineId: 7, reason: 'pr-env/pr:12: build 10 of watcher/sync succeeded without setting it' },
    ]);
  });

  it('lets go when the parent job was removed, deleted with its pipeline, or its pipeline archived', () => {
    const reasons = decideLifecycle(
      [row({ parent: { jobActive: false } }), row({ parent: { label: null } }), row({ parent: { pipelineArchived: true } })],
      NOW,
    ).actions.map((a) => a.reason);
    expect(reasons).toEqual([
      'pr-env/pr:12: the job that set it (watcher/sync) is gone',
      'pr-env/pr:12: the job that set it (deleted with its pipeline) is gone',
      'pr-env/pr:12: the pipeline of watcher/sync, which set it, was archived',
    ]);
  });

  it('expires a lease that ran out and says when the next one does', () => {
    const decided = decideLifecycle(
      [
        row({ id: 1, expireAfterMs: 3_600_000, parent: { setAt: NOW - 3_600_000 } }),
        row({ id: 2, expireAfterMs: 3_600_000, parent: { setAt: NOW - 60_000 } }),
        row({ id: 3, expireAfterMs: 5_400_000, parent: { setAt: NOW - 60_000 } }),
      ],
      NOW,
    );
    expect(decided.actions).toEqual([{ kind: 'retire', pipelineId: 1, reason: 'pr-env/pr:12: watcher/sync has not set it for 1h (expire_after)' }]);
    expect(decided.nextDueAt).toBe(NOW - 60_000 + 3_600_000);
  });

  it('archives a retiring pipeline once a teardown build at or after the one it started succeeded', () => {
    const retiring = { retiring: 'gone', teardownBuildId: 50 };
    const decided = decideLifecycle(
      [
        row({ id: 1, ...retiring, lastTeardown: { id: 50, status: 'started', error: null } }),
        row({ id: 2, ...retiring, lastTeardown: { id: 50, status: 'failed', error: null } }),
        row({ id: 3, ...retiring, lastTeardown: { id: 52, status: 'succeeded', error: null } }),
        row({ id: 4, ...retiring, lastTeardown: { id: 49, status: 'succeeded', error: null } }),
        row({ id: 5, ...retiring, teardownJobId: null }),
      ],
      NOW,
    );
    expect(decided.actions).toEqual([
      { kind: 'archive', pipelineId: 3, reason: 'gone' },
      { kind: 'archive', pipelineId: 5, reason: 'gone' },
    ]);
  });

  it('starts the teardown again when the engine stopped it, not when it errored on its own', () => {
    const retiring = { retiring: 'gone', teardownBuildId: 50 };
    const decided = decideLifecycle(
      [
        row({ id: 1, ...retiring, lastTeardown: { id: 50, status: 'errored', error: 'the engine stopped while the build was running' } }),
        row({ id: 2, ...retiring, lastTeardown: { id: 50, status: 'errored', error: 'the resource could not be reached' } }),
      ],
      NOW,
    );
    expect(decided.actions).toEqual([{ kind: 'retire', pipelineId: 1, reason: 'gone' }]);
  });
});
