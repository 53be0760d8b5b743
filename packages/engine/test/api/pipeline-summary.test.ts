import { describe, expect, it } from 'vitest';
import { summarizePipeline } from '../../src/api/pipeline-summary.js';
import type { JobActivity } from '../../src/store/api-views.js';

const job = (finished: JobActivity['finished'], extra: Partial<JobActivity> = {}): JobActivity => ({
  pipelineId: 1,
  paused: false,
  finished,
  running: false,
  pending: false,
  ...extra,
});

describe('summarizePipeline', () => {
  it.each([
    ['paused wins over everything', true, [job('failed', { running: true })], 'paused'],
    ['a running job makes it running', false, [job('failed'), job('succeeded', { running: true })], 'running'],
    ['errored is worse than failed', false, [job('failed'), job('errored'), job('succeeded')], 'errored'],
    ['failed is worse than aborted', false, [job('aborted'), job('failed')], 'failed'],
    ['all green', false, [job('succeeded'), job('succeeded')], 'succeeded'],
    ['nothing finished yet', false, [job(null, { pending: true }), job(null)], 'pending'],
    ['no jobs', false, [], 'pending'],
  ] as const)('%s', (_, paused, jobs, status) => {
    expect(summarizePipeline(paused, jobs, 0).status).toBe(status);
  });

  it('counts each job by its latest result, running, waiting and paused jobs, and failing checks', () => {
    const summary = summarizePipeline(false, [job('succeeded', { running: true }), job('failed', { paused: true }), job(null, { pending: true })], 2);
    expect(summary).toEqual({
      status: 'running',
      jobs: { total: 3, succeeded: 1, failed: 1, errored: 0, aborted: 0, running: 1, pending: 1, paused: 1 },
      check_errors: 2,
    });
  });
});
