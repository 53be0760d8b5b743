import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freshType, pushWithType } from '../../packages/resources/test/registry-image/support/fixtures.js';
import { buildImage } from '../../packages/resources/test/registry-image/support/images.js';
import { startRegistry, type RunningRegistry } from '../../packages/resources/test/registry-image/support/registry.js';
import { requireTools } from '../../packages/resources/test/registry-image/support/tools.js';
import { busyboxLayer, requireSandbox } from '../../packages/engine/test/support/sandbox-images.js';
import { processesWith, waitFor } from '../../packages/engine/test/support/processes.js';
import { runWeir, startWeirUp, stopWeir, type WeirProcess } from '../support/weir-process.js';

const available = requireTools(['docker-registry']) && requireSandbox();

/** Set in the engine's environment: a task that could read the engine's /proc would see it. */
const ENGINE_SECRET = 'engine-env-secret-5e1f';
/** Unique arguments, so the test can find the sandbox's processes from the host. */
const SLEEP_MARK = '3131';

function pipeline(registry: string): string {
  const image = (tag: string) => `
      image_resource:
        type: registry-image
        source: {repository: ${registry}/e2e/busybox, tag: ${tag}, insecure: true}`;
  return `
jobs:
- name: inside
  plan:
  - task: look
    config:
      platform: linux${image('latest')}
      run: {path: sh, args: [-c, 'cat /etc/image-marker; ls /usr/bin/node 2>/dev/null || echo no-host-node']}
- name: sleeper
  plan:
  - task: sleep
    config:
      platform: linux${image('latest')}
      outputs: [{name: out}]
      run: {path: sh, args: [-c, 'echo secret-of-other-build > out/secret; sleep ${SLEEP_MARK} & sleep ${SLEEP_MARK} & echo sleeping-$((${SLEEP_MARK} + 0)); wait']}
- name: hostile
  plan:
  - task: probe
    params: {DATA: ((data))}
    config:
      platform: linux${image('latest')}
      params: {DATA: ''}
      run:
        path: sh
        args:
        - -c
        - |
          for f in "$DATA/token" "$DATA/weir.db" ../../../token ../../../../token ../../../../../token ../weir.db; do
            if cat "$f" >/dev/null 2>&1; then echo "read $f"; else echo "cannot read $f"; fi
          done
          if echo x >> "$DATA/weir.db" 2>/dev/null; then echo "wrote weir.db"; else echo "cannot write weir.db"; fi
          ls "$DATA/builds" 2>/dev/null && echo "listed builds" || echo "cannot list builds"
          found=$(find / -path /proc -prune -o -type f -print 2>/dev/null | xargs grep -l secret-of-other-build 2>/dev/null)
          echo "other build's files: \${found:-none}"
          echo "processes: $(cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' ' ')"
          if cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n' | grep -q ${ENGINE_SECRET}; then echo "saw the engine's environment"; else echo "no engine environment"; fi
- name: missing-image
  plan:
  - task: t
    config:
      platform: linux${image('no-such-tag')}
      run: {path: 'true'}
- name: wrong-platform
  plan:
  - task: t
    config:
      platform: linux${image('riscv')}
      run: {path: 'true'}
- name: no-rootfs
  plan:
  - task: make
    config:
      platform: linux${image('latest')}
      outputs: [{name: img}]
      run: {path: sh, args: [-c, 'echo {} > img/metadata.json']}
  - task: use
    image: img
    config:
      platform: linux
      run: {path: 'true'}
- name: no-image
  plan:
  - task: t
    config:
      platform: linux
      run: {path: 'true'}
`;
}

describe.skipIf(!available)('tasks in their images, sandboxed (weir up and the CLI)', () => {
  let registry: RunningRegistry;
  let root: string;
  let dataDir: string;
  let pipelinesDir: string;
  const engines: WeirProcess[] = [];
  const sleepers = () => processesWith(`sleep ${SLEEP_MARK}`);
  /**
   * The task's own sleep processes: the task has really started. bubblewrap's command line holds
   * the mark too, from the moment it starts setting the sandbox up.
   */
  const runningSleeps = () => processesWith(`sleep ${SLEEP_MARK}`, { exact: true });

  beforeAll(async () => {
    registry = await startRegistry();
    root = mkdtempSync(join(tmpdir(), 'weir-e2e-sandbox-'));
    dataDir = join(root, 'data');
    pipelinesDir = join(root, 'pipelines');
    mkdirSync(pipelinesDir);
    const type = freshType();
    const source = (tag: string) => ({ repository: `${registry.host}/e2e/busybox`, tag, insecure: true });
    const layers = [busyboxLayer({ files: { 'etc/image-marker': 'inside the busybox image\n' } })];
    await pushWithType(type, source('latest'), await buildImage({ layers, env: ['PATH=/bin'] }));
    await pushWithType(type, source('riscv'), await buildImage({ layers, env: ['PATH=/bin'], platform: { os: 'linux', architecture: 'riscv64' } }));
    writeFileSync(join(pipelinesDir, 'sandbox.yml'), pipeline(registry.host).replace('((data))', dataDir));
    process.env.WEIR_E2E_ENGINE_SECRET = ENGINE_SECRET;
  });
  afterEach(async () => {
    for (const engine of engines.splice(0)) await stopWeir(engine, 'SIGKILL');
  });
  afterAll(async () => {
    delete process.env.WEIR_E2E_ENGINE_SECRET;
    await registry?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  async function up(): Promise<{ engine: WeirProcess; weir: (args: string[]) => ReturnType<typeof runWeir> }> {
    const engine = await startWeirUp(['--data', dataDir, '--pipelines', pipelinesDir], { allowHostTasks: false });
    engines.push(engine);
    await runWeir(['unpause-pipeline', '-p', 'sandbox'], { WEIR_URL: engine.url, WEIR_DATA: dataDir });
    return { engine, weir: (args) => runWeir(args, { WEIR_URL: engine.url, WEIR_DATA: dataDir }) };
  }

  it('runs a task in its image: it sees the image\'s files, not the host\'s', async () => {
    const { engine, weir } = await up();
    expect(engine.stderr()).toMatch(/tasks with an image run in it, sandboxed by bubblewrap/);
    const run = await weir(['trigger-job', '-j', 'sandbox/inside', '-w']);
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('inside the busybox image');
    expect(run.stdout).toContain('no-host-node');
    expect(run.stdout).toMatch(/fetched registry-image .*e2e\/busybox@sha256:/);
  });

  it('a hostile task reads no token, database or other build, sees no other process, and abort leaves nothing running', async () => {
    const { weir } = await up();
    await weir(['trigger-job', '-j', 'sandbox/sleeper']);
    await waitFor(() => runningSleeps().length >= 2, 'the sleeper build\'s processes');
    const probe = await weir(['trigger-job', '-j', 'sandbox/hostile', '-w']);
    expect(probe.status, probe.stdout + probe.stderr).toBe(0);
    for (const file of [`${dataDir}/token`, `${dataDir}/weir.db`, '../../../token', '../../../../token', '../../../../../token', '../weir.db']) {
      expect(probe.stdout).toContain(`cannot read ${file}`);
    }
    expect(probe.stdout).toContain('cannot write weir.db');
    expect(probe.stdout).toContain('cannot list builds');
    expect(probe.stdout).toContain("other build's files: none");
    expect(probe.stdout).toContain('no engine environment');
    const processes = /processes: (.*)/.exec(probe.stdout)?.[1] ?? '';
    expect(processes).not.toContain(SLEEP_MARK);
    expect(processes).not.toContain('node');

    const abort = await weir(['abort-build', '-j', 'sandbox/sleeper', '-b', '1']);
    expect(abort.status, abort.stderr).toBe(0);
    await waitFor(() => sleepers().length === 0, 'the aborted build\'s processes to end');
  });

  it('leaves nothing running when the engine is killed with SIGKILL, and the next start removes what it left', async () => {
    const first = await up();
    await first.weir(['trigger-job', '-j', 'sandbox/sleeper']);
    await waitFor(() => runningSleeps().length >= 2, 'the sleeper build\'s processes');
    // The engine registers the sandbox's process group as soon as it has spawned bubblewrap,
    // before it reads any output: once the log holds the task's line, it has had that moment.
    const [build] = (await first.engine.get('/pipelines/sandbox/jobs/sleeper/builds')) as Array<{ id: number }>;
    await waitFor(async () => JSON.stringify(await first.engine.get(`/builds/${build!.id}/events?format=json`)).includes(`sleeping-${SLEEP_MARK}`), 'the sleeper\'s line in the log');
    await stopWeir(first.engine, 'SIGKILL');
    await waitFor(() => sleepers().length === 0, 'the sandbox to die with the engine', 5_000);
    expect(readdirSync(join(dataDir, 'builds')).length).toBeGreaterThan(0);

    const second = await up();
    expect(existsSync(join(dataDir, 'builds')) ? readdirSync(join(dataDir, 'builds')) : []).toEqual([]);
    const builds = await second.weir(['builds', '-j', 'sandbox/sleeper', '--json']);
    expect((JSON.parse(builds.stdout) as Array<{ status: string }>)[0]!.status).toBe('errored');
  });

  it('errors clearly on a missing image, a wrong platform, an image artifact without rootfs/ and a task without image, leaving nothing behind', async () => {
    const { weir } = await up();
    const cases: Array<[string, RegExp]> = [
      ['missing-image', /has no version: .*e2e\/busybox:no-such-tag found nothing/],
      ['wrong-platform', /is built for linux\/riscv64, and this machine is linux\//],
      ['no-rootfs', /artifact "img" \(the image of task use\) has no rootfs\/ directory/],
      ['no-image', /has no image_resource and no image.*\n?.*--allow-host-tasks/],
    ];
    for (const [job, message] of cases) {
      const run = await weir(['trigger-job', '-j', `sandbox/${job}`, '-w']);
      expect(run.status, `${job}: ${run.stdout}${run.stderr}`).toBe(2);
      expect(run.stdout + run.stderr).toMatch(message);
    }
    await waitFor(() => !existsSync(join(dataDir, 'builds')) || readdirSync(join(dataDir, 'builds')).length === 0, 'build directories to be removed', 5_000);
    expect(existsSync(join(dataDir, 'images/staging')) ? readdirSync(join(dataDir, 'images/staging')) : []).toEqual([]);
    expect(sleepers()).toEqual([]);
  });
});
