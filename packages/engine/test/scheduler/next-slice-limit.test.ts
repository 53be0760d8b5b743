import { describe, expect, it } from 'vitest';
import { nextSliceLimit } from '../../src/scheduler/scheduling-loop.js';

describe('nextSliceLimit: a pass holds the event loop about its target', () => {
  it.each([
    // limit, decided, ms, target, max -> next
    [500, 500, 1300, 50, 500, 19], // a cold pass of 500 jobs took 1.3 s: the next takes 19
    [19, 19, 400, 50, 500, 16], // 16 jobs is the least a pass decides
    [2, 2, 500, 50, 500, 16], // a slow pass of two jobs (a busy machine) does not make the next one smaller
    [2, 2, 500, 50, 4, 4], // nor more than the maximum
    [16, 16, 500, 50, 500, 16],
    [19, 19, 10, 50, 500, 38], // quick again: doubles
    [400, 400, 5, 50, 500, 500], // never past the maximum
    [100, 3, 5, 50, 500, 100], // a pass that ran out of requests says nothing of the limit
    [100, 100, 40, 50, 500, 100], // within the target: unchanged
  ])('after limit %i, %i jobs decided in %i ms (target %i, max %i): %i', (limit, decided, ms, target, max, next) => {
    expect(nextSliceLimit(limit, decided, ms, target, max)).toBe(next);
  });
});
