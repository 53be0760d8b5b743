import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageConfig } from '../../../packages/engine/src/executors/sandbox/image-directory.js';
import { resolveImageUser } from '../../../packages/engine/src/executors/sandbox/image-user.js';
import { runSandboxed } from '../../../packages/engine/src/executors/sandbox/sandbox-process.js';
import type { SandboxMount } from '../../../packages/engine/src/executors/sandbox/bubblewrap-args.js';
import type { KubeObject, ObjectStore, StoreEvent } from './object-store.js';
import { CONTAINER_MARKER, enforceMemoryLimit } from './memory-limit.js';
import { quantityBytes } from './quantity.js';

/** An image pulled onto the simulated node: its root filesystem and config. */
export interface PulledImage {
  rootfs: string;
  config: ImageConfig;
}

/** Pulls an image reference (`host/repo@sha256:…`) onto the node; rejects with the registry's words. */
export type ImagePuller = (reference: string, signal: AbortSignal) => Promise<PulledImage>;

export interface KubeletOptions {
  /** The node's labels, matched against a pod's nodeSelector. */
  nodeLabels?: Record<string, string>;
  /** What the node can give all pods together. */
  allocatable?: { cpuMillis: number; memoryBytes: number };
  pullImage?: ImagePuller;
}

interface ContainerSpec {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  env?: Array<{ name: string; value?: string }>;
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
  securityContext?: { runAsUser?: number; runAsGroup?: number; privileged?: boolean };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

/** One container's output as the kubelet keeps it for `pods/log`: every byte, stdout and stderr interleaved. */
export class ContainerLog {
  private readonly chunks: Buffer[] = [];
  private readonly listeners = new Set<(chunk: Buffer | undefined) => void>();
  ended = false;

  write(line: string): void {
    const chunk = Buffer.from(`${line}\n`);
    this.chunks.push(chunk);
    for (const listener of this.listeners) listener(chunk);
  }

  end(): void {
    this.ended = true;
    for (const listener of this.listeners) listener(undefined);
    this.listeners.clear();
  }

  /** What was written so far, then each new chunk; `undefined` once the container ended. */
  follow(listener: (chunk: Buffer | undefined) => void): () => void {
    for (const chunk of this.chunks) listener(chunk);
    if (this.ended) {
      listener(undefined);
      return () => undefined;
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

interface RunningContainer {
  spec: ContainerSpec;
  image: PulledImage;
  log: ContainerLog;
  running: boolean;
}

interface PodRun {
  pod: KubeObject;
  abort: AbortController;
  volumes: Map<string, string>;
  containers: Map<string, RunningContainer>;
}

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The scheduler and the kubelet of a one-node cluster, for bare pods (pods a controller owns are
 * the deployment controller's): a pod whose nodeSelector or requests the node cannot meet stays
 * Pending with the scheduler's FailedScheduling event; otherwise its images are pulled (a failure
 * leaves ErrImagePull with the registry's words) and its containers really run, each in the
 * sandbox over its image's root filesystem, init containers first, with emptyDir and claim
 * volumes as directories on this host. Exit codes, logs and files are the programs' own; a
 * container whose processes' resident memory passes its memory limit is killed and reported
 * OOMKilled (exit code 137), as the kernel and the kubelet do.
 */
export class SimulatedKubelet {
  readonly nodeName = 'sim-node';
  readonly nodeLabels: Record<string, string>;
  /** Images that fail to pull, with the registry's message. */
  readonly unpullableImages = new Map<string, string>();
  private readonly allocatable: { cpuMillis: number; memoryBytes: number };
  private readonly runs = new Map<string, PodRun>();
  private readonly root: string;
  private readonly unsubscribe: () => void;
  private eventCount = 0;

  constructor(
    private readonly store: ObjectStore,
    private readonly options: KubeletOptions,
  ) {
    this.nodeLabels = { 'kubernetes.io/hostname': this.nodeName, 'kubernetes.io/os': 'linux', ...(options.nodeLabels ?? {}) };
    this.allocatable = options.allocatable ?? { cpuMillis: 2000, memoryBytes: 4 * 2 ** 30 };
    this.root = mkdtempSync(join(process.env.TMPDIR ?? '/tmp', 'weir-kubelet-'));
    this.unsubscribe = store.subscribe((event) => this.react(event));
  }

  /** The directory backing a claim on this node: what a pod mounting it reads and writes. */
  claimDirectory(namespace: string, claim: string): string {
    const dir = join(this.root, 'claims', namespace, claim);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** The directory holding a snapshot's data on this node. */
  snapshotDirectory(namespace: string, snapshot: string): string {
    const dir = join(this.root, 'snapshots', namespace, snapshot);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** Pods whose containers are running now. */
  get runningPods(): number {
    return this.runs.size;
  }

  containerLog(namespace: string, pod: string, container: string): ContainerLog | undefined {
    return this.runs.get(`${namespace}/${pod}`)?.containers.get(container)?.log;
  }

  /** Whether the container exists and runs (exec needs that), or why not in the API server's words. */
  execTarget(namespace: string, pod: string, container: string): RunningContainer | string {
    const run = this.runs.get(`${namespace}/${pod}`);
    const found = run?.containers.get(container);
    if (!run || !found) return `container ${container} not found in pod ${pod}`;
    if (!found.running) return `container ${container} is not running`;
    return found;
  }

  /** Runs `argv` in a running container's filesystem, as exec does; stdin is given whole. */
  async exec(namespace: string, pod: string, container: string, argv: [string, ...string[]], stdin: Buffer | undefined, signal: AbortSignal): Promise<{ exitStatus: number; stdout: Buffer; stderr: string }> {
    const target = this.execTarget(namespace, pod, container);
    if (typeof target === 'string') throw new Error(target);
    const run = this.runs.get(`${namespace}/${pod}`)!;
    const stderr: string[] = [];
    const both = AbortSignal.any([signal, run.abort.signal]);
    const layout = await this.layout(run, target.spec, target.image, run.pod);
    const exit = await runSandboxed({ ...layout, argv, ...(stdin && { stdin }), signal: both, killGraceMs: 0, collectStdout: { maxBytes: 2 ** 30 }, onOutput: (_stream, line) => stderr.push(line) });
    return { exitStatus: exit.exitStatus, stdout: exit.stdout ?? Buffer.alloc(0), stderr: stderr.join('\n') };
  }

  stop(): void {
    this.unsubscribe();
    for (const run of this.runs.values()) run.abort.abort(new Error('the simulated kubelet stopped'));
    this.runs.clear();
    rmSync(this.root, { recursive: true, force: true });
  }

  private react(event: StoreEvent): void {
    // A deleted claim's volume goes with it (reclaim policy Delete), so a new claim of that name starts empty.
    if (event.resource === 'persistentvolumeclaims' && event.type === 'DELETED') {
      rmSync(join(this.root, 'claims', event.object.metadata.namespace as string, event.object.metadata.name), { recursive: true, force: true });
    }
    if (event.resource !== 'pods') return;
    const pod = event.object;
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    if (event.type === 'DELETED') {
      const run = this.runs.get(key);
      this.runs.delete(key);
      run?.abort.abort(new Error('pod deleted'));
      return;
    }
    if (event.type !== 'ADDED' || (pod.metadata.ownerReferences as unknown[] | undefined)?.length) return;
    const run: PodRun = { pod, abort: new AbortController(), volumes: new Map(), containers: new Map() };
    this.runs.set(key, run);
    // Off the store's notification, as a kubelet works apart from the API server.
    setImmediate(() => {
      this.runPod(pod, run).catch((error: unknown) => {
        if (!run.abort.signal.aborted) this.event(pod, 'Warning', 'Failed', `simulated kubelet: ${(error as Error).message}`);
      });
    });
  }

  private async runPod(pod: KubeObject, run: PodRun): Promise<void> {
    const { namespace, name } = pod.metadata as { namespace: string; name: string };
    const initContainers = (pod.spec.initContainers ?? []) as ContainerSpec[];
    const containers = (pod.spec.containers ?? []) as ContainerSpec[];
    const unfit = this.unfitReason(pod, [...initContainers, ...containers]);
    if (unfit !== undefined) {
      const message = `0/1 nodes are available: 1 ${unfit}. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.`;
      this.setStatus(pod, () => ({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastTransitionTime: now() }] }));
      this.event(pod, 'Warning', 'FailedScheduling', message, 'default-scheduler');
      return;
    }
    this.store.update('pods', namespace, name, (object) => {
      object.spec.nodeName = this.nodeName;
    });
    const waiting = (specs: ContainerSpec[], reason: string) => specs.map((spec) => ({ name: spec.name, image: spec.image, ready: false, restartCount: 0, state: { waiting: { reason } } }));
    this.setStatus(pod, () => ({
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: now() }],
      initContainerStatuses: waiting(initContainers, 'PodInitializing'),
      containerStatuses: waiting(containers, 'PodInitializing'),
      startTime: now(),
    }));
    this.event(pod, 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${name} to ${this.nodeName}`, 'default-scheduler');

    for (const volume of (pod.spec.volumes ?? []) as Array<{ name: string; emptyDir?: object; persistentVolumeClaim?: { claimName: string } }>) {
      if (volume.persistentVolumeClaim) run.volumes.set(volume.name, this.claimDirectory(namespace, volume.persistentVolumeClaim.claimName));
      else {
        const dir = join(this.root, 'pods', namespace, name, volume.name);
        mkdirSync(dir, { recursive: true, mode: 0o777 });
        run.volumes.set(volume.name, dir);
      }
    }

    const images = new Map<string, PulledImage>();
    for (const spec of [...initContainers, ...containers]) {
      if (images.has(spec.image)) continue;
      const failure = this.unpullableImages.get(spec.image);
      let pulled: PulledImage | undefined;
      let message = failure;
      if (failure === undefined) {
        try {
          if (!this.options.pullImage) throw new Error('the simulator was started without an image puller');
          pulled = await this.options.pullImage(spec.image, run.abort.signal);
        } catch (error) {
          if (run.abort.signal.aborted) return;
          message = (error as Error).message;
        }
      }
      if (!pulled) {
        this.setStatus(pod, (status) => ({
          ...status,
          [initContainers.includes(spec) ? 'initContainerStatuses' : 'containerStatuses']: (status[initContainers.includes(spec) ? 'initContainerStatuses' : 'containerStatuses'] as Array<{ name: string }>).map((entry) =>
            entry.name === spec.name ? { ...entry, state: { waiting: { reason: 'ErrImagePull', message } } } : entry,
          ),
        }));
        this.event(pod, 'Warning', 'Failed', `Failed to pull image "${spec.image}": ${message}`);
        return;
      }
      images.set(spec.image, pulled);
      this.event(pod, 'Normal', 'Pulled', `Container image "${spec.image}" already present on machine`);
    }

    for (const spec of initContainers) {
      const exitCode = await this.runContainer(pod, run, spec, images.get(spec.image)!, 'initContainerStatuses');
      if (exitCode === undefined) return;
      if (exitCode !== 0) {
        this.setStatus(pod, (status) => ({ ...status, phase: 'Failed', containerStatuses: waiting(containers, 'PodInitializing') }));
        return;
      }
    }
    this.setStatus(pod, (status) => ({ ...status, phase: 'Running', conditions: [...(status.conditions as object[]), { type: 'Initialized', status: 'True', lastTransitionTime: now() }] }));
    const exits = await Promise.all(containers.map((spec) => this.runContainer(pod, run, spec, images.get(spec.image)!, 'containerStatuses')));
    if (exits.some((code) => code === undefined)) return;
    this.setStatus(pod, (status) => ({ ...status, phase: exits.every((code) => code === 0) ? 'Succeeded' : 'Failed' }));
  }

  /** Runs one container to its end and keeps its status; undefined when the pod was deleted meanwhile. */
  private async runContainer(pod: KubeObject, run: PodRun, spec: ContainerSpec, image: PulledImage, field: 'initContainerStatuses' | 'containerStatuses'): Promise<number | undefined> {
    const container: RunningContainer = { spec, image, log: new ContainerLog(), running: true };
    run.containers.set(spec.name, container);
    const startedAt = now();
    const setState = (state: object): void =>
      this.setStatus(pod, (status) => ({ ...status, [field]: (status[field] as Array<{ name: string }>).map((entry) => (entry.name === spec.name ? { ...entry, state, ready: 'running' in state } : entry)) }));
    if (!spec.command || spec.command.length === 0) {
      setState({ waiting: { reason: 'CreateContainerError', message: 'the simulated kubelet runs only containers with a command' } });
      return undefined;
    }
    setState({ running: { startedAt } });
    this.event(pod, 'Normal', 'Started', `Started container ${spec.name}`);
    // As the kernel does for a container's cgroup: past its memory limit, every process of it is killed.
    const memoryLimit = quantityOf('memory', spec.resources?.limits?.memory);
    let oomKilled = false;
    const limit = memoryLimit > 0 ? enforceMemoryLimit(containerMarker(pod, spec), memoryLimit, () => (oomKilled = true)) : undefined;
    let exitCode: number;
    try {
      const layout = await this.layout(run, spec, image, pod);
      const exit = await runSandboxed({ ...layout, argv: [spec.command[0]!, ...spec.command.slice(1), ...(spec.args ?? [])], signal: run.abort.signal, killGraceMs: 0, onOutput: (_stream, line) => container.log.write(line) });
      exitCode = exit.exitStatus;
    } catch (error) {
      container.running = false;
      container.log.end();
      if (run.abort.signal.aborted) return undefined;
      // What a runtime says of a command it cannot start: exit code 128, StartError.
      container.log.write((error as Error).message);
      setState({ terminated: { exitCode: 128, reason: 'StartError', message: (error as Error).message, startedAt, finishedAt: now() } });
      return 128;
    } finally {
      limit?.stop();
    }
    container.running = false;
    container.log.end();
    if (run.abort.signal.aborted) return undefined;
    // A container the OOM killer ended reports 137 (SIGKILL) and the reason OOMKilled, as the kubelet reads it from the runtime.
    if (oomKilled) exitCode = 137;
    setState({ terminated: { exitCode, reason: oomKilled ? 'OOMKilled' : exitCode === 0 ? 'Completed' : 'Error', startedAt, finishedAt: now() } });
    return exitCode;
  }

  /** What a container sees: its image, its volume mounts, a writable /tmp, its user and environment. */
  private async layout(run: PodRun, spec: ContainerSpec, image: PulledImage, pod: KubeObject) {
    const mounts: SandboxMount[] = (spec.volumeMounts ?? []).map((mount) => ({ source: run.volumes.get(mount.name)!, target: mount.mountPath, readOnly: mount.readOnly === true }));
    // The marker makes what exec starts count against the container's memory too, as in its cgroup.
    const env: Record<string, string> = { PATH: DEFAULT_PATH, ...image.config.env, HOSTNAME: 'task', [CONTAINER_MARKER]: containerMarker(pod, spec) };
    for (const variable of spec.env ?? []) env[variable.name] = variable.value ?? '';
    let uid = spec.securityContext?.runAsUser;
    let gid = spec.securityContext?.runAsGroup;
    if (uid === undefined && image.config.user !== '') {
      const user = await resolveImageUser(image.rootfs, image.config.user, `container ${spec.name}`);
      uid = user.uid;
      gid ??= user.gid;
    }
    return {
      rootfs: image.rootfs,
      env,
      cwd: spec.workingDir ?? image.config.workingDir ?? '/',
      mounts,
      tmpfs: ['/tmp', '/var/tmp'],
      ...(uid !== undefined && { uid }),
      ...(gid !== undefined && { gid }),
      network: true,
      ...(spec.securityContext?.privileged && { allCapabilities: true }),
    };
  }

  /** Why the one node cannot take the pod, in the scheduler's words, or undefined when it can. */
  private unfitReason(pod: KubeObject, containers: ContainerSpec[]): string | undefined {
    const selector = (pod.spec.nodeSelector ?? {}) as Record<string, string>;
    if (!Object.entries(selector).every(([key, value]) => this.nodeLabels[key] === value)) return "node(s) didn't match Pod's node affinity/selector";
    const requested = (resource: string): number => containers.reduce((sum, spec) => sum + quantityOf(resource, spec.resources?.requests?.[resource]), 0);
    const busy = (resource: string): number =>
      this.store
        .list('pods')
        .filter((other) => other.spec?.nodeName === this.nodeName && other.metadata.uid !== pod.metadata.uid && !['Succeeded', 'Failed'].includes(other.status?.phase))
        .reduce((sum, other) => sum + ((other.spec.containers ?? []) as ContainerSpec[]).reduce((inner, spec) => inner + quantityOf(resource, spec.resources?.requests?.[resource]), 0), 0);
    if (requested('memory') + busy('memory') > this.allocatable.memoryBytes) return 'Insufficient memory';
    if (requested('cpu') + busy('cpu') > this.allocatable.cpuMillis) return 'Insufficient cpu';
    return undefined;
  }

  private setStatus(pod: KubeObject, change: (status: Record<string, unknown>) => Record<string, unknown>): void {
    this.store.update('pods', pod.metadata.namespace, pod.metadata.name, (object) => {
      object.status = change(object.status ?? {});
    });
  }

  private event(pod: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, component = 'kubelet'): void {
    if (!this.store.get('namespaces', undefined, pod.metadata.namespace as string)) return;
    this.eventCount += 1;
    this.store.create(
      'events',
      {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: `${pod.metadata.name}.k${this.eventCount.toString(16).padStart(15, '0')}`, namespace: pod.metadata.namespace as string },
        involvedObject: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, namespace: pod.metadata.namespace, uid: pod.metadata.uid },
        reason,
        message,
        type,
        source: { component, ...(component === 'kubelet' && { host: this.nodeName }) },
        count: 1,
        firstTimestamp: now(),
        lastTimestamp: now(),
      },
      new Date(),
    );
  }
}

function containerMarker(pod: KubeObject, spec: ContainerSpec): string {
  return `${pod.metadata.uid as string}/${spec.name}`;
}

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

/** CPU in millicores, memory in bytes. */
function quantityOf(resource: string, quantity: string | undefined): number {
  if (quantity === undefined) return 0;
  if (resource === 'cpu') return quantity.endsWith('m') ? Number(quantity.slice(0, -1)) : Number(quantity) * 1000;
  return quantityBytes(quantity) ?? 0;
}
