import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { WeirError } from '../../errors.js';
import type { Logger } from '../../logging.js';
import { ClaimLocks } from '../claim-locks.js';
import type { Executor, TaskClaimMount, TaskResult, TaskRun } from '../executor.js';
import { TaskSlots } from '../local/task-slots.js';
import { createOutputs, mountCaches, placeInputs, returnCaches } from '../local/working-directory.js';
import { readPodFile, sendInputs, takeOutputs, type PodTarget } from './artifact-transfer.js';
import { connectToCluster, type ClusterConnection } from './cluster-connection.js';
import { clusterError } from './cluster-error.js';
import { compileKubernetesOptions, placeByTags, type CompiledKubernetesOptions, type KubernetesExecutorOptions } from './kubernetes-options.js';
import { followTaskLog } from './log-follow.js';
import { podStage, type PodRefusal } from './pod-stage.js';
import { PodWatch } from './pod-watch.js';
import { MISSING_PROGRAM_STATUS, missingProgramLine, moveEntries, outputTooLarge, scriptDirName, scriptPodRun, scriptStdoutInHelper, SCRIPT_WORK_PATH, stageScriptFiles, type PodScriptExit, type PodScriptRun } from './pod-script.js';
import { ENGINE_LABEL, MANAGED_BY_LABEL, taskPod } from './task-pod.js';

/** How long the helpers wait for the engine: long enough for a slow transfer, short enough that a lost engine's pods end. */
const INPUTS_WITHIN_SECONDS = 600;
const OUTPUTS_WITHIN_SECONDS = 24 * 3600;
/** How long the log may trail the container's end before it is cut. */
const LOG_TAIL_MS = 10_000;

/**
 * Runs each task as a Pod (see README.md): its image by digest, its inputs sent in and its
 * outputs and caches taken back through exec, its log followed live, its exit code deciding
 * the step. An abort or timeout deletes the pod.
 */
export class KubernetesExecutor implements Executor {
  readonly description: string;
  private readonly options: CompiledKubernetesOptions;
  private readonly slots: TaskSlots;
  private readonly claimLocks = new ClaimLocks();
  private connection: Promise<ClusterConnection> | undefined;
  /** The start's cleanup: no pod is created before it listed what to delete, or it could take a new one. */
  private cleaned: Promise<void> = Promise.resolve();

  constructor(options: KubernetesExecutorOptions) {
    this.options = compileKubernetesOptions(options);
    this.slots = new TaskSlots(this.options.maxConcurrentTasks);
    this.description = `tasks run as Kubernetes pods${this.options.namespace ? ` in namespace ${this.options.namespace}` : ''}`;
  }

  private connect(): Promise<ClusterConnection> {
    this.connection ??= connectToCluster(this.options.kubeconfig).catch((error: unknown) => {
      this.connection = undefined;
      throw error;
    });
    return this.connection;
  }

  /** Called at the engine's start: deletes what an earlier run left, before any task of this run makes a pod. */
  start(): void {
    this.cleaned = this.deleteLeftPods().then(
      () => undefined,
      (error: unknown) => this.options.logger.error({ err: error }, 'the task pods an earlier run left could not be listed or deleted'),
    );
  }

  /**
   * Deletes every pod this engine's earlier runs left (by its engine label) in the namespaces it
   * uses: at start, no task of this engine is running, so any such pod belongs to a build that
   * died with the engine. Returns how many went.
   */
  async deleteLeftPods(): Promise<number> {
    const connection = await this.connect();
    const namespaces = new Set([this.options.namespace ?? connection.contextNamespace, ...Object.values(this.options.tags).flatMap((placement) => (placement.namespace ? [placement.namespace] : []))]);
    let deleted = 0;
    for (const namespace of namespaces) {
      const where = { server: connection.server, namespace };
      const labelSelector = `${MANAGED_BY_LABEL}=weir,${ENGINE_LABEL}=${this.options.engineId}`;
      const list = await connection.core.listNamespacedPod({ namespace, labelSelector }).catch((error: unknown) => {
        throw clusterError(error, `listing the pods an earlier run left in namespace ${namespace}`, where);
      });
      for (const pod of list.items) {
        await deletePod(connection, namespace, pod.metadata!.name!);
        deleted += 1;
      }
    }
    if (deleted > 0) this.options.logger.info({ deleted }, 'deleted task pods an earlier run of this engine left');
    return deleted;
  }

  async runTask(task: TaskRun): Promise<TaskResult> {
    const location = task.owner ? `task ${task.owner.step}` : 'task';
    const image = task.imageReference;
    if (image === undefined) {
      throw new WeirError('kubernetes-image-required', `the task's image (${task.image?.name ?? 'none'}) is not named in a registry, so a cluster cannot pull it`, {
        location,
        hint: 'give the task an image_resource of type registry-image (a cluster runs it by digest); an image built in the pipeline must be pushed first',
      });
    }
    if (task.privileged && !this.options.allowPrivileged) {
      throw new WeirError('task-privileged-refused', 'the task asks for privileged: true, which this engine does not allow on its cluster', {
        location,
        hint: 'drop privileged: true, or start weir up with --allow-privileged-tasks if every pipeline set on this engine is trusted with privileged containers on the cluster',
      });
    }
    const connection = await this.connect();
    const placement = placeByTags(task.tags ?? [], this.options, connection.contextNamespace, location);
    const suffix = randomBytes(4).toString('hex');
    const workPath = `/tmp/build/${suffix}`;
    const pod = taskPod({
      engineId: this.options.engineId,
      namespace: placement.namespace,
      ...(task.owner && { owner: task.owner }),
      image,
      helperImage: this.options.helperImage,
      workPath,
      claims: (task.claims ?? []).map((claim) => ({ claimName: claim.claim, mountPath: `${workPath}/${claim.path}`, readOnly: claim.readOnly })),
      run: task.run,
      env: task.env,
      privileged: task.privileged === true,
      ...(task.containerLimits && { containerLimits: task.containerLimits }),
      nodeSelector: placement.nodeSelector,
      inputsWithinSeconds: INPUTS_WITHIN_SECONDS,
      outputsWithinSeconds: OUTPUTS_WITHIN_SECONDS,
      nameSuffix: suffix,
      location,
    });
    await this.cleaned;
    const releases: Array<() => void> = [];
    try {
      for (const claim of task.claims ?? []) releases.push(await this.lockClaim(connection, placement.namespace, claim, task, location));
      return await this.runWithSlot(connection, pod, task, location);
    } finally {
      for (const release of releases) release();
    }
  }

  /**
   * Holds a claim for this task unless its access mode lets many nodes use it that way
   * (ReadWriteMany; ReadOnlyMany for a read-only mount), so two builds never write one
   * ReadWriteOnce claim at once. A claim that does not exist errors before any pod is made.
   */
  private async lockClaim(connection: ClusterConnection, namespace: string, claim: TaskClaimMount, task: TaskRun, location: string): Promise<() => void> {
    const where = { server: connection.server, namespace };
    const found = await connection.core.readNamespacedPersistentVolumeClaim({ name: claim.claim, namespace }).catch((error: unknown) => {
      if ((error as { code?: unknown }).code === 404) {
        throw new WeirError('kubernetes-claim-not-found', `claim ${claim.claim} does not exist in namespace ${namespace}`, {
          location,
          hint: 'restore the snapshot into it first (a volume-snapshot put with action: restore and to_pvc), or create the claim',
        });
      }
      throw located(clusterError(error, `reading claim ${claim.claim} in namespace ${namespace}`, where), location);
    });
    const modes = found.spec?.accessModes ?? [];
    if (modes.includes('ReadWriteMany') || (claim.readOnly && modes.includes('ReadOnlyMany'))) return () => undefined;
    return this.claimLocks.acquire(`${namespace}/${claim.claim}`, claim.readOnly ? 'read' : 'write', task.signal, () =>
      task.onNotice?.(`waiting for claim ${claim.claim}: another build has it mounted, and its access mode (${modes.join(', ') || 'none given'}) lets one build write it at a time`),
    );
  }

  private async runWithSlot(connection: ClusterConnection, pod: V1Pod, task: TaskRun, location: string): Promise<TaskResult> {
    await this.slots.acquire(task.signal);
    try {
      await placeInputs(task.workDir, task.inputs);
      await createOutputs(task.workDir, task.outputs);
      await mountCaches(task.workDir, task.caches, this.options.logger);
      try {
        const paths = [...task.outputs.map((output) => output.path), ...task.caches.map((cache) => cache.path)];
        const exitStatus = await this.runPod(connection, pod, location, {
          workDir: task.workDir,
          user: task.run.user,
          signal: task.signal,
          onLine: (line) => task.onOutput('stdout', line),
          ...(task.onNotice && { onNotice: task.onNotice }),
          collect: async (target, exit, where, logger) => {
            const bytes = await takeOutputs(connection, target, task.workDir, paths, task.signal).catch((error: unknown) => {
              throw located(clusterError(error, `taking the outputs out of pod ${target.pod}`, where), location);
            });
            logger.debug({ bytes, exitStatus: exit }, 'task exited, outputs taken');
          },
        });
        return { exitStatus, outputs: Object.fromEntries(task.outputs.map((output) => [output.name, `${task.workDir}/${output.path}`])) };
      } finally {
        await returnCaches(task.workDir, task.caches, this.options.logger);
      }
    } finally {
      this.slots.release();
    }
  }

  /**
   * Runs one program in a pod with `stdin` on its standard input and its standard output taken
   * back (at most `maxStdoutBytes`), its standard error line by line: how a resource type's
   * /opt/resource scripts run on the cluster (see README.md). The pod is a task's pod, labelled,
   * named, counted against the concurrency cap and deleted as a task's is.
   */
  async runScript(run: PodScriptRun): Promise<PodScriptExit> {
    const location = run.location;
    if (run.privileged && !this.options.allowPrivileged) {
      throw new WeirError('privileged-not-allowed', `${location} is declared privileged, and this engine does not run privileged containers on its cluster`, {
        location,
        hint: 'remove `privileged: true` from the resource type, or start weir up with --allow-privileged if every pipeline it runs is trusted with privileged containers on the cluster',
      });
    }
    const connection = await this.connect();
    const placement = placeByTags([], this.options, connection.contextNamespace, location);
    const suffix = randomBytes(4).toString('hex');
    const dirName = scriptDirName(run.dir);
    const pod = taskPod({
      engineId: this.options.engineId,
      namespace: placement.namespace,
      ...(run.owner && { owner: run.owner }),
      stepName: run.name,
      image: run.image,
      helperImage: this.options.helperImage,
      workPath: SCRIPT_WORK_PATH,
      run: scriptPodRun(run),
      env: run.env,
      privileged: run.privileged,
      nodeSelector: placement.nodeSelector,
      inputsWithinSeconds: INPUTS_WITHIN_SECONDS,
      outputsWithinSeconds: OUTPUTS_WITHIN_SECONDS,
      nameSuffix: suffix,
      location,
    });
    await this.cleaned;
    await this.slots.acquire(run.signal);
    let stage: string | undefined;
    try {
      stage = await mkdtemp(join(run.scratch, 'pod-'));
      await stageScriptFiles(stage, run);
      const staged = stage;
      let stdout: Buffer = Buffer.alloc(0);
      let lastLine: string | undefined;
      const exitStatus = await this.runPod(connection, pod, location, {
        refusalHints: { 'container-create-failed': 'the reason is the kubelet\'s: on a cluster a resource type\'s script is started by its image\'s /bin/sh, which every Concourse resource type image has; check that the type\'s source names such an image' },
        workDir: staged,
        signal: run.signal,
        onLine: (line) => {
          lastLine = line;
          run.onStderr(line);
        },
        collect: async (target, exit, where) => {
          if (exit !== 0) return;
          const printed = await readPodFile(connection, target, scriptStdoutInHelper(), run.maxStdoutBytes, run.signal).catch((error: unknown) => {
            throw located(clusterError(error, `reading what ${run.argv[0]} printed in pod ${target.pod}`, where), location);
          });
          if (printed === undefined) throw located(outputTooLarge(run.argv[0], run.maxStdoutBytes), location);
          stdout = printed;
          if (run.dir?.returns) {
            await takeOutputs(connection, target, staged, [dirName!], run.signal).catch((error: unknown) => {
              throw located(clusterError(error, `taking ${run.dir!.path} out of pod ${target.pod}`, where), location);
            });
            await moveEntries(join(staged, dirName!), run.dir.local);
          }
        },
      });
      return { exitStatus, stdout, programMissing: exitStatus === MISSING_PROGRAM_STATUS && lastLine === missingProgramLine(run.argv[0]) };
    } finally {
      this.slots.release();
      if (stage !== undefined) await rm(stage, { recursive: true, force: true });
    }
  }

  private async runPod(connection: ClusterConnection, manifest: V1Pod, location: string, io: PodIo): Promise<number> {
    const namespace = manifest.metadata!.namespace!;
    const name = manifest.metadata!.name!;
    const where = { server: connection.server, namespace };
    const target = { namespace, pod: name };
    const logger = this.options.logger.child({ pod: name, namespace });
    const created = await connection.core.createNamespacedPod({ namespace, body: manifest }).catch((error: unknown) => {
      throw located(clusterError(error, `creating pod ${name} in namespace ${namespace}`, where), location);
    });
    io.onNotice?.(`pod ${name} in namespace ${namespace}`);
    const watch = new PodWatch(connection, created, (error) => logger.warn({ err: error }, 'the pod watch ended with an error; watching again'));
    let log: Awaited<ReturnType<typeof followTaskLog>> | undefined;
    try {
      await watch.start().catch((error: unknown) => {
        throw clusterError(error, `watching pod ${name}`, where);
      });
      let inputsSent = false;
      let unschedulableSince: number | undefined;
      for (;;) {
        const pod = await watch.next(io.signal, 1000);
        const stage = podStage(pod);
        if (stage.stage === 'refused') throw refusal(stage.code, stage.message, name, location, io.refusalHints);
        if (stage.stage === 'unschedulable') {
          unschedulableSince ??= Date.now();
          if (Date.now() - unschedulableSince >= this.options.unschedulableAfterMs) {
            throw new WeirError('kubernetes-unschedulable', `pod ${name} cannot be scheduled: ${stage.message}`, {
              location,
              hint: 'the message is the scheduler\'s: lower container_limits, use tags that select nodes that exist, or add nodes to the cluster',
            });
          }
          continue;
        }
        unschedulableSince = undefined;
        if (stage.stage === 'inputs-wanted' && !inputsSent) {
          inputsSent = true;
          const bytes = await sendInputs(connection, target, io.workDir, io.user, io.signal).catch((error: unknown) => {
            throw located(clusterError(error, `sending the inputs into pod ${name}`, where), location);
          });
          logger.debug({ bytes }, 'inputs sent');
        }
        if ((stage.stage === 'running' || stage.stage === 'exited') && log === undefined) {
          log = await followTaskLog(connection, target, io.onLine).catch((error: unknown) => {
            throw located(clusterError(error, `reading the log of pod ${name}`, where), location);
          });
        }
        if (stage.stage === 'exited') {
          await withinMs(log!.done, LOG_TAIL_MS);
          if (!stage.outputsReachable) {
            throw new WeirError('kubernetes-outputs-lost', `pod ${name}'s task exited with ${stage.exitStatus}, but its outputs container is gone, so its outputs cannot be taken`, {
              location,
              hint: 'something ended the pod\'s weir-outputs container (an eviction, a node going away); run the build again',
            });
          }
          await io.collect(target, stage.exitStatus, where, logger);
          return stage.exitStatus;
        }
      }
    } finally {
      log?.stop();
      watch.stop();
      await deletePod(connection, namespace, name).catch((error: unknown) => logger.warn({ err: error }, 'the task pod could not be deleted; the next start of this engine deletes it'));
    }
  }
}

/** What `runPod` needs besides the manifest: the directory to send, where lines go, what to take back. */
interface PodIo {
  /** What to tell the user when the cluster refuses, where the task's hint would mislead. */
  refusalHints?: Partial<Record<PodRefusal, string>>;
  workDir: string;
  /** `run.user`, whose files the sent directory becomes when numeric. */
  user?: string | undefined;
  signal: AbortSignal;
  onLine(line: string): void;
  onNotice?(line: string): void;
  /** Once the main container has exited, while the outputs helper still holds the working directory. */
  collect(target: PodTarget, exitStatus: number, where: { server: string; namespace: string }, logger: Logger): Promise<void>;
}

async function deletePod(connection: ClusterConnection, namespace: string, name: string): Promise<void> {
  try {
    await connection.core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 0 });
  } catch (error) {
    if ((error as { code?: unknown }).code === 404) return;
    throw error;
  }
}

const REFUSAL_HINTS: Record<PodRefusal, string> = {
  'image-pull-failed': 'the reason is the kubelet\'s: check that the image exists at that digest and that the cluster may pull from its registry (imagePullSecrets on the namespace\'s default service account)',
  'container-create-failed': 'the reason is the kubelet\'s: check the task\'s run.path, run.dir and run.user against its image',
  'oom-killed': 'raise container_limits.memory, or make the task use less memory',
  'pod-failed': 'the pod failed before the task could run; the message is the cluster\'s',
};

function refusal(code: PodRefusal, message: string, pod: string, location: string, hints: Partial<Record<PodRefusal, string>> = {}): WeirError {
  return new WeirError(`kubernetes-${code}`, `pod ${pod}: ${message}`, { location, hint: hints[code] ?? REFUSAL_HINTS[code] });
}

function located(error: WeirError, location: string): WeirError {
  return error.location !== undefined ? error : new WeirError(error.code, error.message, { location, ...(error.hint !== undefined && { hint: error.hint }), cause: error.cause });
}

async function withinMs(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
