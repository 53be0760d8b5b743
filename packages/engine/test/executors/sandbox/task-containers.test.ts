import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { keptBuildsToRemove } from '../../../src/executors/sandbox/kept-container-retention.js';
import { TaskContainers, type ContainerSpec } from '../../../src/executors/sandbox/task-containers.js';
import { silentLogger } from '../../support/engine.js';

const HOUR = 60 * 60 * 1000;

describe('keptBuildsToRemove', () => {
  const retention = { maxBuilds: 2, maxAgeMs: 24 * HOUR };
  it.each([
    ['nothing past any limit', [{ buildId: 1, jobId: 1, endedAt: 0 }], [] as number[]],
    ['a job\'s older failed build', [{ buildId: 1, jobId: 1, endedAt: 0 }, { buildId: 3, jobId: 1, endedAt: 0 }, { buildId: 2, jobId: 2, endedAt: 0 }], [1]],
    ['builds past the age', [{ buildId: 1, jobId: 1, endedAt: -25 * HOUR }, { buildId: 2, jobId: 2, endedAt: -HOUR }], [1]],
    ['the oldest beyond the count', [{ buildId: 1, jobId: 1, endedAt: 0 }, { buildId: 2, jobId: 2, endedAt: 0 }, { buildId: 3, jobId: 3, endedAt: 0 }], [1]],
  ])('removes %s', (_case, kept, removed) => {
    expect(keptBuildsToRemove(kept, retention, 0).sort()).toEqual(removed);
  });
  it('keeps none with a count of 0', () => {
    expect(keptBuildsToRemove([{ buildId: 1, jobId: null, endedAt: 0 }], { maxBuilds: 0, maxAgeMs: HOUR }, 0)).toEqual([1]);
  });
});

describe('TaskContainers', () => {
  const roots: string[] = [];
  afterEach(() => {
    for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
  });

  function setUp() {
    const root = mkdtempSync(join(tmpdir(), 'weir-containers-'));
    roots.push(root);
    const buildDir = join(root, 'builds', '7');
    mkdirSync(join(buildDir, '1-task-unit'), { recursive: true });
    writeFileSync(join(buildDir, '1-task-unit', 'state'), 'failing');
    const spec: ContainerSpec = {
      image: { key: 'sha256:abc', rootfs: '/images/abc/rootfs' },
      env: { PATH: '/bin' },
      cwd: '/tmp/build/x',
      mounts: [{ source: join(buildDir, '1-task-unit'), target: '/tmp/build/x' }, { source: '/etc/hosts', target: '/etc/hosts', readOnly: true }, { source: '/srv/claims/db', target: '/tmp/build/x/db' }],
      tmpfs: ['/tmp'],
      uid: 0,
      gid: 0,
      network: true,
      hostname: 'weir-task',
      allCapabilities: false,
    };
    const owner = { team: 'main', pipeline: 'p', job: 'j', buildId: 7, buildName: '1', step: 'unit' };
    const options = { root: join(root, 'kept'), retention: { maxBuilds: 5, maxAgeMs: HOUR }, logger: silentLogger };
    return { root, buildDir, spec, owner, options };
  }

  it('keeps a failed build\'s layout under its root, survives a restart, rebases its mounts and drops its claims', async () => {
    const { buildDir, spec, owner, options } = setUp();
    const containers = new TaskContainers(options);
    await containers.load();
    containers.started(owner, join(buildDir, '1-task-unit'), spec).exited();
    await containers.buildEnded({ buildId: 7, jobId: 1, status: 'failed', dir: buildDir });
    expect(existsSync(buildDir)).toBe(false);

    const restarted = new TaskContainers(options);
    await restarted.load();
    const found = restarted.find(7, '1-task-unit')!;
    expect(found.spec.mounts[0]!.source).toBe(join(options.root, '7', '1-task-unit'));
    expect(readFileSync(join(found.spec.mounts[0]!.source, 'state'), 'utf8')).toBe('failing');
    expect(found.spec.mounts[1]!.source).toBe('/etc/hosts');
    // The claim was the task's while it ran; another build may hold it now.
    expect(found.spec.mounts).toHaveLength(2);
    expect(found.spec.image).toEqual({ key: 'sha256:abc', rootfs: '' });
  });

  it('removes a succeeded build\'s directory, and keeps nothing for it', async () => {
    const { buildDir, spec, owner, options } = setUp();
    const containers = new TaskContainers(options);
    containers.started(owner, join(buildDir, '1-task-unit'), spec).exited();
    await containers.buildEnded({ buildId: 7, jobId: 1, status: 'succeeded', dir: buildDir });
    expect(existsSync(buildDir)).toBe(false);
    expect(containers.list()).toEqual([]);
  });

  it('drops a manifest that mounts anything outside its build but the shared host files', async () => {
    const { buildDir, spec, owner, options } = setUp();
    const containers = new TaskContainers(options);
    containers.started(owner, join(buildDir, '1-task-unit'), spec).exited();
    await containers.buildEnded({ buildId: 7, jobId: 1, status: 'failed', dir: buildDir });
    for (const source of ['/var/lib/weir/token', '../../token']) {
      const file = join(options.root, '7.json');
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as { containers: Array<{ spec: ContainerSpec }> };
      manifest.containers[0]!.spec.mounts[0]!.source = source;
      writeFileSync(file, JSON.stringify(manifest));
      const reloaded = new TaskContainers(options);
      await reloaded.load();
      expect(reloaded.list()).toEqual([]);
      expect(existsSync(join(options.root, '7'))).toBe(false);
      // Put it back for the next case.
      mkdirSync(join(options.root, '7'), { recursive: true });
      manifest.containers[0]!.spec.mounts[0]!.source = '1-task-unit';
      writeFileSync(file, JSON.stringify(manifest));
    }
  });
});
