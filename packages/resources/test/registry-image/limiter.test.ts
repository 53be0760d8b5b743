import { describe, expect, it } from 'vitest';
import { mapConcurrently } from '../../src/registry-image/limiter.js';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('mapConcurrently', () => {
  it('keeps at most `limit` in flight and the results in item order', async () => {
    let running = 0;
    let peak = 0;
    const results = await mapConcurrently([5, 1, 4, 2, 3], 2, async (n) => {
      running++;
      peak = Math.max(peak, running);
      for (let i = 0; i < n; i++) await tick();
      running--;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
  });

  it('starts nothing more after a failure', async () => {
    const started: number[] = [];
    await expect(
      mapConcurrently([1, 2, 3, 4, 5], 1, async (n) => {
        started.push(n);
        if (n === 2) throw new Error('boom');
        return n;
      }),
    ).rejects.toThrow('boom');
    await tick();
    expect(started).toEqual([1, 2]);
  });
});
