import type { ResourceContext } from '@weir/resources';
import type { TaskConfig } from '../../config/schema/index.js';
import { WeirError } from '../../errors.js';
import type { TaskImage } from '../../executors/executor.js';
import { readImageDirectory } from '../../executors/sandbox/image-directory.js';
import { leaseImageResource } from '../../executors/sandbox/image-resource.js';
import type { TaskPlan } from '../plan/plan.js';
import type { StepScope } from '../running-build.js';
import type { StepReporter } from '../steps/leaf-step.js';

/** A task's image, held until the task is done with it. */
export interface HeldTaskImage extends TaskImage {
  release(): void;
}

/**
 * The image a task runs in: the step's `image` artifact (as it is, read now), else the config's
 * `image_resource`, checked and fetched through the resource type it names into the engine's
 * image store (once per digest, shared by every build), else none.
 */
export async function holdTaskImage(plan: TaskPlan, config: TaskConfig, scope: StepScope, reporter: StepReporter, location: string): Promise<HeldTaskImage | undefined> {
  const { build } = scope;
  if (plan.image !== undefined) {
    const dir = scope.artifacts.get(plan.image);
    if (dir === undefined) {
      throw new WeirError('task-image-artifact-missing', `image: ${plan.image} names no artifact of this build`, {
        location,
        hint: `get the image before this step (e.g. a registry-image get with params: {format: rootfs}) under the name "${plan.image}", or write it as a task output`,
      });
    }
    const name = `artifact "${plan.image}"`;
    const image = await readImageDirectory(dir, `${name} (the image of ${location})`);
    return { ...image, name, release: () => undefined };
  }
  const declared = config.image_resource;
  if (declared === undefined) return undefined;
  const type = build.resourceType(declared.type, `${location} image_resource`);
  const context = await imageResourceContext(scope, reporter, plan.name);
  const lease = await leaseImageResource({
    resource: {
      type: declared.type,
      source: declared.source ?? {},
      ...(declared.params !== undefined && { params: declared.params }),
      ...(declared.version !== undefined && { version: declared.version as Record<string, string> }),
    },
    type,
    context,
    store: await build.services.images(),
    location: `the image of ${location}`,
  });
  const shown = describeImage(declared.type, declared.source ?? {}, lease.version);
  reporter.log('weir', lease.fetched ? `fetched ${shown} into the image cache` : `${shown} is in the image cache`);
  return { rootfs: lease.rootfs, config: lease.config, name: shown, cacheKey: lease.key, release: lease.release };
}

function describeImage(type: string, source: Record<string, unknown>, version: Record<string, string>): string {
  const repository = typeof source.repository === 'string' ? source.repository : undefined;
  const digest = version.digest;
  if (repository !== undefined) return `${type} ${repository}${digest !== undefined ? `@${digest}` : ''}`;
  return `${type} ${JSON.stringify(version)}`;
}

/** What an image resource's check and get are given: the build's log, signal and a cache directory that goes with the build. */
export async function imageResourceContext(scope: StepScope, reporter: StepReporter, stepName: string): Promise<ResourceContext> {
  const { build } = scope;
  return {
    logger: build.services.logger.child({ buildId: build.id }),
    signal: scope.signal,
    log: (line) => reporter.log('stderr', line),
    redact: (text) => build.redactor.redact(text),
    // An anonymous resource has no history to keep a cache in; this one goes with the build.
    cacheDir: await build.newDir('image', stepName),
    build: build.metadata,
    now: () => new Date(build.services.now()),
    localPaths: build.services.localPaths,
  };
}
