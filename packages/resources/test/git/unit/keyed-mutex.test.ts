import { describe, expect, it } from 'vitest';
import { KeyedMutex } from '../../../src/git/keyed-mutex.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('KeyedMutex', () => {
  it('runs work for one key one at a time, in arrival order, and other keys alongside', async () => {
    const mutex = new KeyedMutex();
    const events: string[] = [];
    const signal = new AbortController().signal;
    const work = (name: string) => async () => {
      events.push(`${name} start`);
      await tick();
      events.push(`${name} end`);
      return name;
    };
    const results = await Promise.all([mutex.runExclusive('a', signal, work('a1')), mutex.runExclusive('a', signal, work('a2')), mutex.runExclusive('b', signal, work('b1'))]);
    expect(results).toEqual(['a1', 'a2', 'b1']);
    expect(events.indexOf('a1 end')).toBeLessThan(events.indexOf('a2 start'));
    expect(events.indexOf('b1 start')).toBeLessThan(events.indexOf('a1 end'));
  });

  it('lets a waiter leave when its signal aborts, without breaking the order of those behind it', async () => {
    const mutex = new KeyedMutex();
    const never = new AbortController().signal;
    let releaseFirst!: () => void;
    const first = mutex.runExclusive('k', never, () => new Promise<void>((resolve) => (releaseFirst = resolve)));
    const leaving = new AbortController();
    const second = mutex.runExclusive('k', leaving.signal, async () => 'ran');
    let thirdStarted = false;
    const third = mutex.runExclusive('k', never, async () => {
      thirdStarted = true;
    });
    leaving.abort(new Error('gave up'));
    await expect(second).rejects.toThrow('gave up');
    await tick();
    expect(thirdStarted).toBe(false);
    releaseFirst();
    await first;
    await third;
    expect(thirdStarted).toBe(true);
  });
});
