import { describe, expect, it } from 'vitest';
import { startEngineServer, type EngineServer } from './support/engine-server.js';
import { at, pipelineFile } from './support/pipelines.js';
import { weir } from './support/run-weir.js';

const PIPELINE = `resources:
- name: tick
  type: mock
  source: {initial_version: "1"}
- name: broken
  type: mock
  source: {check_failure: the registry is down}
jobs:
- name: uses
  plan:
  - get: tick
  - get: broken
`;

async function engine(): Promise<EngineServer> {
  const server = await startEngineServer({ start: false });
  expect((await weir(['set-pipeline', ...at(server), '-p', 'demo', '-c', pipelineFile(PIPELINE), '-n'])).status).toBe(0);
  return server;
}

const rows = (table: string): string[][] =>
  table
    .trimEnd()
    .split('\n')
    .map((line) => line.trimEnd().split(/ {2,}/));

describe('weir check-resource and weir versions', () => {
  it('checks now, from a given version, and lists the versions found', async () => {
    const server = await engine();
    expect(await weir(['check-resource', ...at(server), '-r', 'demo/tick'])).toMatchObject({ status: 0, out: 'checked demo/tick: 1 new version(s)\n' });
    expect(await weir(['check-resource', ...at(server), '-r', 'demo/tick', '--from', 'version:7'])).toMatchObject({ status: 0, out: 'checked demo/tick: 1 new version(s)\n' });
    expect(await weir(['check-resource', ...at(server), '-r', 'demo/tick'])).toMatchObject({ status: 0, out: 'checked demo/tick: no new versions\n' });
    expect(rows((await weir(['versions', ...at(server), '-r', 'demo/tick'])).out)).toEqual([
      ['id', 'version', 'enabled'],
      ['2', 'version:7', 'yes'],
      ['1', 'version:1', 'yes'],
    ]);
    const json = JSON.parse((await weir(['versions', ...at(server), '-r', 'demo/tick', '--json', '--count', '1'])).out) as Array<{ id: number; version: object; enabled: boolean }>;
    expect(json).toMatchObject([{ id: 2, version: { version: '7' }, enabled: true }]);
  });

  it('exits 1 with the reason when the check fails', async () => {
    const server = await engine();
    const failed = await weir(['check-resource', ...at(server), '-r', 'demo/broken']);
    expect(failed.status).toBe(1);
    expect(failed.err).toContain('check failed for demo/broken: ');
    expect(failed.err).toContain('the registry is down');
  });
});

describe('pinning, enabling and disabling versions', () => {
  it('pins a version by its fields, shows it, and unpins it', async () => {
    const server = await engine();
    await weir(['check-resource', ...at(server), '-r', 'demo/tick']);
    await weir(['check-resource', ...at(server), '-r', 'demo/tick', '--from', 'version:7']);
    expect(await weir(['pin-resource', ...at(server), '-r', 'demo/tick', '-v', 'version:1', '-c', 'known good'])).toMatchObject({
      status: 0,
      out: 'pinned demo/tick to version:1 (version id 1)\n',
    });
    expect(rows((await weir(['versions', ...at(server), '-r', 'demo/tick'])).out)[2]).toEqual(['1', 'version:1', 'yes', 'pinned']);
    expect(await weir(['unpin-resource', ...at(server), '-r', 'demo/tick'])).toMatchObject({ status: 0, out: 'unpinned demo/tick\n' });
    expect(rows((await weir(['versions', ...at(server), '-r', 'demo/tick'])).out)[2]).toEqual(['1', 'version:1', 'yes']);

    const unknown = await weir(['pin-resource', ...at(server), '-r', 'demo/tick', '-v', 'version:99']);
    expect(unknown.status).toBe(1);
    expect(unknown.err).toContain('error: resource tick has no version matching {"version":"99"}');
  });

  it('disables and enables the one version that matches, and refuses a version that does not match', async () => {
    const server = await engine();
    await weir(['check-resource', ...at(server), '-r', 'demo/tick']);
    await weir(['check-resource', ...at(server), '-r', 'demo/tick', '--from', 'version:7']);
    expect(await weir(['disable-resource-version', ...at(server), '-r', 'demo/tick', '-v', 'version:7'])).toMatchObject({
      status: 0,
      out: 'disabled version version:7 (id 2) of demo/tick\n',
    });
    expect(rows((await weir(['versions', ...at(server), '-r', 'demo/tick'])).out)[1]).toEqual(['2', 'version:7', 'no']);
    expect((await weir(['enable-resource-version', ...at(server), '-r', 'demo/tick', '-v', 'version:7'])).status).toBe(0);
    expect(rows((await weir(['versions', ...at(server), '-r', 'demo/tick'])).out)[1]).toEqual(['2', 'version:7', 'yes']);

    const none = await weir(['disable-resource-version', ...at(server), '-r', 'demo/tick', '-v', 'version:8']);
    expect(none).toMatchObject({ status: 1, err: 'error: demo/tick has no version matching version:8\n  hint: list them with `weir versions -r demo/tick`\n' });
  });
});
