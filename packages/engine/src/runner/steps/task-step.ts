import { join } from 'node:path';
import { loadTaskConfig } from '../../config/load-task.js';
import type { TaskConfig } from '../../config/schema/index.js';
import { WeirError } from '../../errors.js';
import type { Executor } from '../../executors/executor.js';
import type { TaskPlan } from '../plan/plan.js';
import { readArtifactFile } from '../artifact-file.js';
import type { StepScope } from '../running-build.js';
import { prepareTaskRun } from '../task/prepare-task-run.js';
import { hostEnvironment } from '../task/task-environment.js';
import { holdTaskImage } from '../task/task-image.js';
import { refuseClaimOverlaps, resolveTaskClaims } from '../task/task-claims.js';
import { taskImageReference } from '../task/task-image-reference.js';
import { resolveRootfsUri } from '../task/task-rootfs-uri.js';
import { placeTask } from '../task/task-placement.js';
import { runLeafStep } from './leaf-step.js';


/**
 * Runs a task: in the sandbox when it has an image, on this host when it has none and the
 * operator allows that. A non-zero exit fails the step, a task that cannot start errors it.
 */
export function runTaskStep(plan: TaskPlan, scope: StepScope): Promise<boolean> {
  const location = `task ${plan.name}`;
  return runLeafStep(plan, plan.name, scope, async (reporter) => {
    const { build } = scope;
    const { services } = build;
    const declared = scope.vars.interpolate(await build.secrets.resolve(plan.config ?? (await loadTaskFile(plan, scope, location)), location), location);
    const config = resolveRootfsUri(declared, plan.image !== undefined, location);
    const params = scope.vars.interpolate(await build.secrets.resolve(plan.params, location), location);
    const hasImage = plan.image !== undefined || config.image_resource !== undefined;
    const placement = placeTask({ hasImage, privileged: plan.privileged, hermetic: plan.hermetic, tags: plan.tags }, services.tasks, location);
    const claims = await resolveTaskClaims(scope.vars.interpolate(await build.secrets.resolve(plan.claims ?? [], location), location), placement, services.localPaths, location);
    const image = placement === 'sandbox' ? await holdTaskImage(plan, config, scope, reporter, location) : undefined;
    const imageReference = placement === 'kubernetes' ? await taskImageReference(plan, config, scope, reporter, location) : undefined;
    try {
      const executor = placement === 'sandbox' ? services.sandbox : placement === 'kubernetes' ? clusterExecutor(services.cluster, location) : services.executor;
      if (placement === 'host') {
        reporter.log('weir', 'unsandboxed: this task has no image, so it runs as a process on this host, as weir\'s own user (weir up --allow-host-tasks)');
        if (config.run.user !== undefined) reporter.log('weir', `run.user (${config.run.user}) is not used: the task runs as the engine's user`);
      } else {
        reporter.log('weir', `in ${image?.name ?? `registry-image ${imageReference}`}: ${executor.description}`);
      }
      const workDir = await build.newDir('task', plan.name);
      const prepared = prepareTaskRun({
        config,
        params,
        inputMapping: plan.input_mapping,
        outputMapping: plan.output_mapping,
        artifact: (name) => scope.artifacts.get(name),
        artifactNames: () => [...scope.artifacts.all().keys()],
        cacheStore: (path) => join(services.taskCacheRoot, String(build.build.jobId), safeName(plan.name), safeName(path)),
        workDir,
        // A sandboxed task gets its image's environment, not the engine's.
        baseEnv: placement === 'host' ? { ...hostEnvironment(), ...build.metadataEnv } : build.metadataEnv,
        location,
      });
      refuseClaimOverlaps(claims, prepared.run, location);
      const limits = plan.container_limits ?? config.container_limits;
      const result = await executor.runTask({
        ...prepared.run,
        ...(image !== undefined && { image }),
        ...(imageReference !== undefined && { imageReference }),
        ...(plan.tags.length > 0 && { tags: plan.tags }),
        ...(claims.length > 0 && { claims }),
        owner: { team: build.metadata.teamName, pipeline: build.metadata.pipelineName, job: build.metadata.jobName, buildId: build.id, buildName: build.metadata.buildName, step: plan.name },
        ...(plan.privileged && { privileged: true }),
        ...(plan.hermetic && { hermetic: true }),
        ...(limits !== undefined && { containerLimits: limits }),
        signal: scope.signal,
        onOutput: (stream, line) => reporter.log(stream, line),
        onNotice: (line) => reporter.log('weir', line),
      });
      // Outputs are kept even when the task fails, so on_failure hooks can look at them.
      for (const [output, dir] of Object.entries(result.outputs)) {
        scope.artifacts.set(prepared.artifactNames[output] ?? output, dir);
      }
      return { ok: result.exitStatus === 0, exit_status: result.exitStatus };
    } finally {
      image?.release();
    }
  });
}

function clusterExecutor(cluster: Executor | undefined, location: string): Executor {
  if (cluster !== undefined) return cluster;
  throw new WeirError('kubernetes-not-configured', 'the task is sent to the cluster, but this engine has no cluster to run tasks on', {
    location,
    hint: 'start weir up with --kubernetes-kubeconfig FILE (or inside a pod) to run tasks as pods',
  });
}

async function loadTaskFile(plan: TaskPlan, scope: StepScope, location: string): Promise<TaskConfig> {
  const file = plan.file!;
  const text = await readArtifactFile(scope.artifacts, file, location);
  const loaded = loadTaskConfig(text, {
    file,
    vars: plan.vars,
    missingVars: 'error',
    imageArtifact: plan.image !== undefined,
    // Looked up when the task runs, with a clear error naming the paths tried if it is nowhere.
    isStoredSecret: () => true,
    resourceTypes: scope.build.services.registry.catalog(),
  });
  const errors = loaded.problems.filter((p) => p.severity === 'error');
  if (!loaded.config || errors.length > 0) {
    const first = errors[0];
    throw new WeirError('task-config-invalid', `${file} is not a valid task config${first ? `: ${first.line}:${first.column} ${first.message}` : ''}`, {
      location,
      hint: `run \`weir validate --task ${file}\` on the file to see every problem`,
    });
  }
  return loaded.config;
}

function safeName(text: string): string {
  return encodeURIComponent(text).replace(/\./g, '%2E');
}
