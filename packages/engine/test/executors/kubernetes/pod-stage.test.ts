import { describe, expect, it } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { podStage } from '../../../src/executors/kubernetes/pod-stage.js';
import { containerResources, labelValue, podName, taskPod } from '../../../src/executors/kubernetes/task-pod.js';

const pod = (status: V1Pod['status']): V1Pod => ({ metadata: { name: 'p' }, status });
const helperRunning = { name: 'weir-outputs', image: 'busybox', ready: true, restartCount: 0, imageID: '', state: { running: {} } };

describe('podStage', () => {
  it.each([
    { title: 'a fresh pod', status: { phase: 'Pending' }, expected: { stage: 'pending' } },
    {
      title: 'an unschedulable pod, with the scheduler\'s words',
      status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient memory.' }] },
      expected: { stage: 'unschedulable', message: '0/3 nodes are available: 3 Insufficient memory.' },
    },
    {
      title: 'an image that cannot be pulled',
      status: { phase: 'Pending', containerStatuses: [{ name: 'task', image: 'r/x@sha256:1', ready: false, restartCount: 0, imageID: '', state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "r/x@sha256:1"' } } }] },
      expected: { stage: 'refused', code: 'image-pull-failed', message: 'container task cannot pull r/x@sha256:1: ImagePullBackOff: Back-off pulling image "r/x@sha256:1"' },
    },
    {
      title: 'an OOMKilled task',
      status: { phase: 'Running', containerStatuses: [{ name: 'task', image: 'x', ready: false, restartCount: 0, imageID: '', state: { terminated: { exitCode: 137, reason: 'OOMKilled' } } }, helperRunning] },
      expected: { stage: 'refused', code: 'oom-killed', message: expect.stringContaining('OOMKilled (exit code 137)') },
    },
    {
      title: 'a command the runtime cannot start',
      status: { phase: 'Running', containerStatuses: [{ name: 'task', image: 'x', ready: false, restartCount: 0, imageID: '', state: { terminated: { exitCode: 128, reason: 'StartError', message: 'exec: "/bin/sh": stat /bin/sh: no such file or directory' } } }, helperRunning] },
      expected: { stage: 'refused', code: 'container-create-failed', message: 'container task cannot start: StartError: exec: "/bin/sh": stat /bin/sh: no such file or directory' },
    },
    { title: 'the inputs container waiting for the engine', status: { phase: 'Pending', initContainerStatuses: [{ name: 'weir-inputs', image: 'b', ready: false, restartCount: 0, imageID: '', state: { running: {} } }] }, expected: { stage: 'inputs-wanted' } },
    { title: 'the task running', status: { phase: 'Running', containerStatuses: [{ name: 'task', image: 'x', ready: true, restartCount: 0, imageID: '', state: { running: {} } }, helperRunning] }, expected: { stage: 'running' } },
    {
      title: 'the task exited non-zero, its outputs still reachable',
      status: { phase: 'Running', containerStatuses: [{ name: 'task', image: 'x', ready: false, restartCount: 0, imageID: '', state: { terminated: { exitCode: 2, reason: 'Error' } } }, helperRunning] },
      expected: { stage: 'exited', exitStatus: 2, outputsReachable: true },
    },
    { title: 'an evicted pod', status: { phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: ephemeral-storage.' }, expected: { stage: 'refused', code: 'pod-failed', message: 'Evicted: The node was low on resource: ephemeral-storage.' } },
  ])('reads $title', ({ status, expected }) => {
    expect(podStage(pod(status as V1Pod['status']))).toEqual(expected);
  });
});

describe('taskPod', () => {
  const request = {
    engineId: 'weir',
    namespace: 'ci',
    owner: { team: 'main', pipeline: 'app (pr 12)', job: 'unit', buildId: 42, buildName: '3', step: 'Run Tests!' },
    image: 'r/x@sha256:1',
    helperImage: 'busybox:1.37',
    workPath: '/tmp/build/abc',
    run: { path: 'repo/ci/test.sh', args: ['-v'], dir: 'repo', user: '1000:1000' },
    env: { A: '1' },
    privileged: false,
    containerLimits: { cpu: 512, memory: '1GiB' },
    nodeSelector: { pool: 'ci' },
    inputsWithinSeconds: 600,
    outputsWithinSeconds: 3600,
    nameSuffix: 'abcd1234',
    location: 'task test',
  };

  it('runs the task by digest in its working directory with its user, limits and node selector, and no token', () => {
    const manifest = taskPod(request);
    expect(manifest.metadata?.name).toBe('weir-42-run-tests-abcd1234');
    expect(manifest.metadata?.labels).toMatchObject({ 'weir.dev/pipeline': expect.stringMatching(/^app-pr-12-[0-9a-f]{8}$/), 'weir.dev/build': '42' });
    expect(manifest.metadata?.annotations).toMatchObject({ 'weir.dev/pipeline': 'app (pr 12)' });
    expect(manifest.spec).toMatchObject({ automountServiceAccountToken: false, enableServiceLinks: false, restartPolicy: 'Never', nodeSelector: { pool: 'ci' } });
    expect(manifest.spec?.containers[0]).toMatchObject({
      name: 'task',
      image: 'r/x@sha256:1',
      command: ['repo/ci/test.sh'],
      args: ['-v'],
      workingDir: '/tmp/build/abc/repo',
      env: [{ name: 'A', value: '1' }],
      securityContext: { runAsUser: 1000, runAsGroup: 1000 },
      resources: { requests: { cpu: '500m', memory: String(2 ** 30) }, limits: { memory: String(2 ** 30) } },
    });
  });

  it('refuses a user name, which only the node could resolve', () => {
    expect(() => taskPod({ ...request, run: { ...request.run, user: 'builder' } })).toThrow(expect.objectContaining({ code: 'kubernetes-user-not-numeric' }));
  });

  it('keeps limits of 0 out, as Concourse means none', () => {
    expect(containerResources({ cpu: 0, memory: 0 }, 'task t')).toBeUndefined();
    expect(() => containerResources({ memory: 'lots' }, 'task t')).toThrow(expect.objectContaining({ code: 'task-container-limits-invalid' }));
  });

  it('makes label values and pod names fit Kubernetes', () => {
    expect(labelValue('main')).toBe('main');
    expect(labelValue('x'.repeat(80))).toMatch(/^x{54}-[0-9a-f]{8}$/);
    expect(podName(undefined, 'ab')).toBe('weir-task-ab');
  });
});
