import { describe, expect, it } from 'vitest';
import { PipelineInvalidError, WeirError } from '@weir/engine';
import { openEngine } from '../support/engine-runs.js';

/**
 * Probe 6 of the hardening issue (its limits): a valid pipeline too large for one engine is
 * refused when it is set, with a message that says what is too large and what to do.
 */

function jobs(count: number, trigger: boolean): string {
  const lines = ['resources: [{name: r, type: mock, source: {}}]', 'jobs:'];
  for (let i = 0; i < count; i++) lines.push(`- name: job-${i}`, `  plan: [{get: r${trigger ? ', trigger: true' : ''}}]`);
  return `${lines.join('\n')}\n`;
}

function refusal(set: () => unknown): { code: string; message: string; hint: string | undefined } {
  try {
    set();
  } catch (error) {
    if (error instanceof PipelineInvalidError) {
      const first = error.problems.find((p) => p.severity === 'error')!;
      return { code: first.code, message: first.message, hint: first.hint };
    }
    if (error instanceof WeirError) return { code: error.code, message: error.message, hint: error.hint };
    throw error;
  }
  return { code: 'accepted', message: '', hint: undefined };
}

describe('pipeline size', () => {
  it('more jobs than a pipeline may have are refused with the count and the limit', () => {
    const engine = openEngine();
    const answer = refusal(() => engine.setPipeline({ name: 'big', text: jobs(20_000, true) }));
    expect(answer.code).toBe('pipeline-too-large');
    expect(answer.message).toContain('20000 jobs');
    expect(answer.message).toContain('at most 2000');
    expect(answer.hint).toMatch(/split/);
    expect(engine.store.pipelines.get({ name: 'big' })).toBeUndefined();
  });

  it('a pipeline at the limit is set', () => {
    const engine = openEngine();
    expect(refusal(() => engine.setPipeline({ name: 'ok', text: jobs(2_000, false) })).code).toBe('accepted');
  });
});
