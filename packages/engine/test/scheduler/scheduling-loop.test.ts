import { stat } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SchedulingLoop } from '../../src/scheduler/scheduling-loop.js';
import { silentLogger, testEngine } from '../support/engine.js';

const PIPELINE = `
resources:
- name: app
  type: mock
  source: {initial_version: v1}
jobs:
${['a', 'b', 'c', 'd'].map((name) => `- name: ${name}\n  plan:\n  - get: app`).join('\n')}
`;

/** Blocks the thread, as a slow slice does, without spinning. */
function block(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

describe('scheduling loop: a sliced pass and the event loop', () => {
  it('answers what arrived during a slice before the next slice runs', async () => {
    const engine = testEngine();
    engine.setPipeline({ name: 'app', text: PIPELINE });
    // Two jobs a slice, whatever the machine's speed: four requested jobs take two slices.
    const loop = new SchedulingLoop({ store: engine.store, logger: silentLogger, maxJobsPerPass: 2, passTargetMs: Number.POSITIVE_INFINITY });
    const seen: string[] = [];
    const runOnce = loop.runOnce.bind(loop);
    const done = new Promise<void>((resolve) => {
      loop.runOnce = () => {
        if (seen.length === 0) {
          // I/O that completes while the first slice holds the loop, answered as the API's
          // request gate answers a request: in an immediate once it has been read.
          stat(import.meta.filename, () => setImmediate(() => seen.push('request')));
          block(30);
        }
        const pass = runOnce();
        seen.push(`slice of ${pass.jobIds.length}`);
        if (pass.remainingJobCount === 0) resolve();
        return pass;
      };
    });
    engine.store.jobs.requestAll();
    loop.start();
    await done;
    loop.stop();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(seen).toEqual(['slice of 2', 'request', 'slice of 2']);
  });
});
