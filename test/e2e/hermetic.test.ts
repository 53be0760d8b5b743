import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireSandbox } from '../../packages/engine/test/support/sandbox-images.js';
import { runWeir, startWeirUp, stopWeir, type WeirProcess } from '../support/weir-process.js';

// Fails under CI=true when bubblewrap or busybox-static is missing.
const available = requireSandbox();

/** What the server on the host's 127.0.0.1 answers: a task that prints it reached it. */
const ANSWER = 'answer-from-the-host-loopback';

/**
 * A host task writes a busybox image artifact; tasks then run in it, one sharing the host's
 * network (Concourse's default) and one `hermetic: true`, each trying the server on 127.0.0.1.
 */
function pipeline(port: number): string {
  // No -T: Debian's busybox wget segfaults with it. A hermetic task's own loopback refuses at once.
  const probe = `if wget -q -O - http://127.0.0.1:${port}/; then echo; else echo unreachable; fi`;
  return `
jobs:
- name: reach
  plan:
  - task: make-image
    config:
      platform: linux
      outputs: [{name: img}]
      run:
        path: sh
        args:
        - -ec
        - |
          mkdir -p img/rootfs/bin img/rootfs/etc img/rootfs/tmp
          cp /bin/busybox img/rootfs/bin/busybox
          for a in sh wget echo; do ln -s busybox img/rootfs/bin/$a; done
          echo 'root:x:0:0:root:/root:/bin/sh' > img/rootfs/etc/passwd
          echo '{"env": ["PATH=/bin"], "user": ""}' > img/metadata.json
  - task: open
    image: img
    config:
      platform: linux
      run: {path: sh, args: [-c, 'echo "open: $(${probe})"']}
  - task: sealed
    image: img
    hermetic: true
    config:
      platform: linux
      run: {path: sh, args: [-c, 'echo "sealed: $(${probe})"']}
- name: host-hermetic
  plan:
  - task: no-image
    hermetic: true
    config:
      platform: linux
      run: {path: sh, args: [-c, 'echo ran on the host']}
`;
}

describe.skipIf(!available)('hermetic: true (weir up and the CLI, with bubblewrap)', () => {
  let server: Server;
  let root: string;
  let engine: WeirProcess | undefined;
  let weir: (args: string[]) => ReturnType<typeof runWeir>;

  beforeAll(async () => {
    server = createServer((_request, response) => response.end(ANSWER));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    root = mkdtempSync(join(tmpdir(), 'weir-e2e-hermetic-'));
    const dataDir = join(root, 'data');
    const pipelinesDir = join(root, 'pipelines');
    mkdirSync(pipelinesDir);
    writeFileSync(join(pipelinesDir, 'net.yml'), pipeline((server.address() as AddressInfo).port));
    // Host tasks allowed: the image is made by one, and the refusal of a hermetic one is tested.
    engine = await startWeirUp(['--data', dataDir, '--pipelines', pipelinesDir]);
    const env = { WEIR_URL: engine.url, WEIR_DATA: dataDir };
    weir = (args) => runWeir(args, env);
    await weir(['unpause-pipeline', '-p', 'net']);
  });
  afterAll(async () => {
    if (engine) await stopWeir(engine, 'SIGKILL');
    await new Promise((resolve) => server?.close(resolve));
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('a hermetic task cannot reach a server on the host\'s 127.0.0.1 that a task sharing the network reaches', async () => {
    const run = await weir(['trigger-job', '-j', 'net/reach', '-w']);
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout, run.stdout + run.stderr).toContain(`open: ${ANSWER}`);
    expect(run.stdout).toContain('sealed: unreachable');
    expect(run.stdout).not.toContain(`sealed: ${ANSWER}`);
    expect(run.stdout).toContain('hermetic: instead of the host\'s network, the task has a network namespace of its own');
  });

  it('a hermetic task without an image errors instead of running on the host with the network', async () => {
    const run = await weir(['trigger-job', '-j', 'net/host-hermetic', '-w']);
    expect(run.status).not.toBe(0);
    expect(run.stdout).toContain('errored: the task asks for hermetic: true, and a task without an image runs on this host, with its network');
    expect(run.stdout).not.toContain('ran on the host');
  });
});
