import { describe, expect, it } from 'vitest';
import { ClaimLocks } from '../../src/executors/claim-locks.js';

describe('ClaimLocks', () => {
  const signal = new AbortController().signal;

  it('lets readers share a claim, and a writer in only alone and in turn', async () => {
    const locks = new ClaimLocks();
    const order: string[] = [];
    const readA = await locks.acquire('db', 'read', signal);
    const readB = await locks.acquire('db', 'read', signal);
    const writer = locks.acquire('db', 'write', signal, () => order.push('writer waits')).then((release) => (order.push('writer in'), release));
    const lateReader = locks.acquire('db', 'read', signal, () => order.push('late reader waits')).then((release) => (order.push('late reader in'), release));
    readA();
    await Promise.resolve();
    expect(order).toEqual(['writer waits', 'late reader waits']);
    readB();
    (await writer)();
    (await lateReader)();
    expect(order).toEqual(['writer waits', 'late reader waits', 'writer in', 'late reader in']);
    const other = await locks.acquire('other', 'write', signal);
    other();
  });

  it('lets an aborted waiter go with its reason', async () => {
    const locks = new ClaimLocks();
    const held = await locks.acquire('db', 'write', signal);
    const controller = new AbortController();
    const waiting = locks.acquire('db', 'write', controller.signal);
    controller.abort(new Error('build aborted'));
    await expect(waiting).rejects.toThrow('build aborted');
    held();
    (await locks.acquire('db', 'write', signal))();
  });
});
