import { describe, expect, it } from 'vitest';
import { RequestGate } from '../../src/api/request-gate.js';

describe('the request gate', () => {
  it('lets a bounded number of requests through per turn of the event loop, in arrival order', async () => {
    const gate = new RequestGate(4);
    const released: number[] = [];
    const turns: number[][] = [];
    const all = Array.from({ length: 10 }, (_, i) => gate.turn().then(() => released.push(i)));
    // One probe per turn: it sees what the gate let through before it.
    for (let turn = 0; turn < 4; turn++) {
      await new Promise((resolve) => setImmediate(resolve));
      turns.push([...released]);
    }
    await Promise.all(all);
    expect(released).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(turns.map((seen) => seen.length)).toEqual([4, 8, 10, 10]);
  });

  it('lets fewer through in a turn after one that accepted a connection, so the next connections are accepted sooner', async () => {
    const gate = new RequestGate(4, 1);
    const released: number[] = [];
    const turns: number[][] = [];
    const all = Array.from({ length: 10 }, (_, i) => gate.turn().then(() => released.push(i)));
    gate.connectionAccepted();
    for (let turn = 0; turn < 4; turn++) {
      await new Promise((resolve) => setImmediate(resolve));
      turns.push([...released]);
      if (turn === 0) gate.connectionAccepted();
    }
    await Promise.all(all);
    expect(released).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Accepting: one a turn; then the kernel's queue is empty (no connection in a turn): four again.
    expect(turns.map((seen) => seen.length)).toEqual([1, 2, 6, 10]);
  });
});
