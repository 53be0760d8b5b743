import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
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

describe('scheduling loop: a sliced pass and the event loop', () => {
  it('answers what arrived during a slice before the next slice runs', async () => {
    const engine = testEngine();
    engine.setPipeline({ name: 'app', text: PIPELINE });
    // Two jobs a slice, whatever the machine's speed: four requested jobs take two slices.
    const loop = new SchedulingLoop({ store: engine.store, logger: silentLogger, maxJobsPerPass: 2, passTargetMs: Number.POSITIVE_INFINITY });
    const seen: string[] = [];
    // A request's bytes are in the kernel before the first slice ends (a small write on an idle
    // socket leaves at once), and are answered as the API's request gate answers: in an
    // immediate once read. A timer or the thread pool would make the order depend on the load.
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const accepted = once(server, 'connection') as Promise<[Socket]>;
    const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
    await once(client, 'connect');
    const [peer] = await accepted;
    peer.on('data', () => setImmediate(() => seen.push('request')));
    const runOnce = loop.runOnce.bind(loop);
    const done = new Promise<void>((resolve) => {
      loop.runOnce = () => {
        if (seen.length === 0) client.write('GET');
        const pass = runOnce();
        seen.push(`slice of ${pass.jobIds.length}`);
        if (pass.remainingJobCount === 0) resolve();
        return pass;
      };
    });
    try {
      engine.store.jobs.requestAll();
      loop.start();
      await done;
      loop.stop();
      await new Promise((resolve) => setTimeout(resolve, 10));
    } finally {
      client.destroy();
      peer.destroy();
      server.close();
    }
    expect(seen).toEqual(['slice of 2', 'request', 'slice of 2']);
  });
});

const pinnedPipeline = (version: string): string => `
resources:
- name: app
  type: mock
  source: {initial_version: v1}
jobs:
- name: pinned
  plan:
  - get: app
    trigger: true
    version: {version: ${version}}
`;

describe('scheduling loop: what it keeps between passes', () => {
  it('sees a pinned version checked after an earlier pass, and a job config set again', () => {
    const engine = testEngine();
    const { pipeline } = engine.setPipeline({ name: 'app', text: pinnedPipeline('v2') });
    const app = engine.store.resources.get(pipeline.id, 'app')!;
    const loop = new SchedulingLoop({ store: engine.store, logger: silentLogger });
    const versionIdOf = (version: string): number | undefined => engine.store.resources.findVersion(app.id, { version });
    const inputOf = (buildId: number): number | undefined => engine.store.builds.inputs(buildId)[0]?.versionId;

    engine.store.resources.saveCheckedVersions(app.scopeId, [{ version: { version: 'v1' } }]);
    expect(loop.runOnce().startedBuildIds).toEqual([]);

    engine.store.resources.saveCheckedVersions(app.scopeId, [{ version: { version: 'v2' } }]);
    const second = loop.runOnce().startedBuildIds;
    expect(second.map(inputOf)).toEqual([versionIdOf('v2')]);

    engine.setPipeline({ name: 'app', text: pinnedPipeline('v1') });
    const third = loop.runOnce().startedBuildIds;
    expect(third.map(inputOf)).toEqual([versionIdOf('v1')]);
  });
});
