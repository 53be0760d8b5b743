import { describe, expect, it } from 'vitest';
import { AnswerCache } from '../../src/api/answer-cache.js';

describe('the answer cache', () => {
  it('answers from what it kept while the version stays, and computes again once it changed', () => {
    let version = 1;
    let computed = 0;
    const cache = new AnswerCache(() => version);
    const answer = () => ({ computed: ++computed });
    expect(cache.json('jobs 1', answer)).toBe('{"computed":1}');
    expect(cache.json('jobs 1', answer)).toBe('{"computed":1}');
    expect(cache.json('jobs 2', answer)).toBe('{"computed":2}');
    version = 2;
    expect(cache.json('jobs 1', answer)).toBe('{"computed":3}');
    expect(cache.json('jobs 1', answer)).toBe('{"computed":3}');
  });

  it('lets the least recently asked answers go past its size', () => {
    let computed = 0;
    // Each answer is 27 characters: two fit.
    const cache = new AnswerCache(() => 1, 60);
    const answer = () => ({ text: 'x'.repeat(10), n: ++computed });
    for (const key of ['a', 'b', 'a', 'c']) cache.json(key, answer);
    expect(computed).toBe(3);
    // b was asked for least recently, so it went when c came.
    cache.json('a', answer);
    cache.json('c', answer);
    expect(computed).toBe(3);
    cache.json('b', answer);
    expect(computed).toBe(4);
  });
});
