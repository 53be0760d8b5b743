import { describe, expect, it } from 'vitest';
import { placeTask } from '../../src/runner/task/task-placement.js';
import { outcomes, runJob } from '../support/builds.js';
import { testEngine } from '../support/engine.js';
import { mockPipeline as pipeline } from '../support/mock-pipeline.js';
import { requireSandbox } from '../support/sandbox-images.js';

describe('placeTask', () => {
  const policy = { allowHostTasks: false, allowPrivileged: false };
  it('puts a task with an image in the sandbox and one without on the host only where allowed', () => {
    expect(placeTask({ hasImage: true, privileged: false }, policy, 'task t')).toBe('sandbox');
    expect(placeTask({ hasImage: false, privileged: false }, { ...policy, allowHostTasks: true }, 'task t')).toBe('host');
    expect(() => placeTask({ hasImage: false, privileged: false }, policy, 'task t')).toThrow(expect.objectContaining({ code: 'task-image-missing', location: 'task t' }));
  });
  it('sends a task with an image to the cluster by default or by a cluster tag, never one without', () => {
    expect(placeTask({ hasImage: true, privileged: false }, { ...policy, imageTasks: 'kubernetes' }, 'task t')).toBe('kubernetes');
    expect(placeTask({ hasImage: true, privileged: false, tags: ['big'] }, { ...policy, clusterTags: ['big'] }, 'task t')).toBe('kubernetes');
    expect(placeTask({ hasImage: true, privileged: false, tags: ['other'] }, { ...policy, clusterTags: ['big'] }, 'task t')).toBe('sandbox');
    expect(placeTask({ hasImage: false, privileged: false }, { ...policy, allowHostTasks: true, imageTasks: 'kubernetes' }, 'task t')).toBe('host');
  });
  it('keeps hermetic: true only in the sandbox: on the host or the cluster it errors instead of running with the network', () => {
    expect(placeTask({ hasImage: true, privileged: false, hermetic: true }, policy, 'task t')).toBe('sandbox');
    expect(() => placeTask({ hasImage: false, privileged: false, hermetic: true }, { ...policy, allowHostTasks: true }, 'task t')).toThrow(
      expect.objectContaining({ code: 'task-hermetic-unsupported', location: 'task t', hint: expect.stringContaining('give the task an image') }),
    );
    expect(() => placeTask({ hasImage: true, privileged: false, hermetic: true }, { ...policy, imageTasks: 'kubernetes' }, 'task t')).toThrow(expect.objectContaining({ code: 'task-hermetic-unsupported' }));
    expect(() => placeTask({ hasImage: true, privileged: false, hermetic: true, tags: ['gpu'] }, { ...policy, clusterTags: ['gpu'] }, 'task t')).toThrow(
      expect.objectContaining({ code: 'task-hermetic-unsupported', hint: expect.stringContaining('drop the tag') }),
    );
  });
  it('refuses privileged tasks unless the operator allows them', () => {
    expect(() => placeTask({ hasImage: true, privileged: true }, policy, 'task t')).toThrow(expect.objectContaining({ code: 'task-privileged-refused' }));
    expect(placeTask({ hasImage: true, privileged: true }, { ...policy, allowPrivileged: true }, 'task t')).toBe('sandbox');
  });
});

describe('runner: rootfs_uri', () => {
  it('errors a task whose rootfs_uri weir cannot run, even where host tasks are allowed, instead of running it without its image', async () => {
    // Through a local var, so that only the task itself sees the value: validation cannot.
    const result = await runJob(
      testEngine(),
      pipeline(`  - task: write
    config:
      platform: linux
      outputs: [{name: out}]
      run: {path: sh, args: [-c, 'echo raw:///var/vcap/rootfs > out/uri']}
  - load_var: uri
    file: out/uri
  - task: raw
    config:
      platform: linux
      rootfs_uri: ((.:uri))
      run: {path: sh, args: [-c, 'echo ran-on-the-host']}
`),
    );
    expect(result.build.status).toBe('errored');
    expect(result.logs.join('\n')).not.toContain('ran-on-the-host');
    expect(result.events).toContainEqual(expect.objectContaining({ type: 'error', data: expect.objectContaining({ code: 'task-rootfs-uri-unsupported' }) }));
  });
});

/** A host task that writes a busybox image artifact (rootfs/ and metadata.json) into `img`. */
const MAKE_IMAGE = `  - task: make-image
    config:
      platform: linux
      outputs: [{name: img}]
      run:
        path: sh
        args:
        - -c
        - |
          mkdir -p img/rootfs/bin img/rootfs/etc img/rootfs/work
          cp /bin/busybox img/rootfs/bin/busybox
          for a in sh cat ls echo id pwd; do ln -s busybox img/rootfs/bin/$a; done
          echo 'root:x:0:0:root:/root:/bin/sh' > img/rootfs/etc/passwd
          echo inside-the-image > img/rootfs/etc/marker
          echo '{"env": ["PATH=/bin", "FROM=image"], "user": "", "working_dir": "/work"}' > img/metadata.json
`;

describe.skipIf(!requireSandbox())('runner: tasks in their images', () => {
  it('runs a task with image: in the artifact\'s root filesystem, its outputs kept when it fails', async () => {
    const engine = testEngine();
    const result = await runJob(
      engine,
      pipeline(`${MAKE_IMAGE}  - task: inside
    image: img
    config:
      platform: linux
      params: {PARAM: p}
      outputs: [{name: result}]
      run: {path: sh, args: [-c, 'cat /etc/marker; pwd; echo $FROM $PARAM; ls /; echo kept > result/file; exit 3']}
    on_failure:
      task: look
      config:
        platform: linux
        inputs: [{name: result}]
        run: {path: cat, args: [result/file]}
`),
    );
    expect(result.build.status, result.logs.join('\n')).toBe('failed');
    const inside = result.logs.filter((line) => line.startsWith('4: ')).map((line) => line.slice(3));
    expect(inside[0]).toMatch(/^in artifact "img": the task runs in its image, in a sandbox/);
    expect(inside.slice(1, 4)).toEqual(['inside-the-image', '/work', 'image p']);
    expect(inside).not.toContain('usr');
    expect(result.logs.at(-1)).toMatch(/: kept$/);
    expect(outcomes(result)).toMatchObject({ inside: 'failed', look: 'succeeded' });
  });

  it('errors clearly on an image artifact without rootfs/, and on an image-less task where host tasks are not allowed', async () => {
    const engine = testEngine({ allowHostTasks: false });
    const result = await runJob(
      engine,
      pipeline(`  - task: no-image
    config:
      platform: linux
      run: {path: 'true'}
`),
    );
    expect(result.build.status).toBe('errored');
    expect(result.events).toContainEqual(expect.objectContaining({ type: 'error', data: expect.objectContaining({ code: 'task-image-missing', hint: expect.stringContaining('--allow-host-tasks') }) }));

    const second = testEngine();
    const broken = await runJob(
      second,
      pipeline(`  - task: empty
    config:
      platform: linux
      outputs: [{name: img}]
      run: {path: sh, args: [-c, 'echo {} > img/metadata.json']}
  - task: inside
    image: img
    config:
      platform: linux
      run: {path: 'true'}
`),
    );
    expect(broken.build.status).toBe('errored');
    expect(broken.events).toContainEqual(expect.objectContaining({ type: 'error', data: expect.objectContaining({ code: 'image-rootfs-missing', message: expect.stringContaining('artifact "img"') }) }));
  });
});
