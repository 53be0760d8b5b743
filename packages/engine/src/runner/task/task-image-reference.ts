import type { TaskConfig } from '../../config/schema/index.js';
import { WeirError } from '../../errors.js';
import { validateSource, validateVersions } from '../../resource-types/checked-calls.js';
import type { TaskPlan } from '../plan/plan.js';
import type { StepScope } from '../running-build.js';
import type { StepReporter } from '../steps/leaf-step.js';
import { imageResourceContext } from './task-image.js';

/**
 * A task's image as a cluster runs it: `repository@digest` of its `image_resource`, the pinned
 * version or the latest its check finds (as Concourse checks an image each time a task runs).
 * Nothing is fetched here: the cluster's nodes pull the image. Only a registry image can be
 * named so; an `image:` artifact lives on the engine's disk, where no node can pull it.
 */
export async function taskImageReference(plan: TaskPlan, config: TaskConfig, scope: StepScope, reporter: StepReporter, location: string): Promise<string> {
  const declared = config.image_resource;
  const repository = declared?.source?.repository;
  if (plan.image !== undefined || declared === undefined || declared.type !== 'registry-image' || typeof repository !== 'string') {
    throw new WeirError('kubernetes-image-required', `a task on the cluster runs an image from a registry, and this task's image is ${plan.image !== undefined ? `the artifact "${plan.image}"` : declared ? `a ${declared.type} image_resource` : 'missing'}`, {
      location,
      hint: 'give the task an image_resource of type registry-image (source.repository, and a tag or a pinned version); an image built by the pipeline must be pushed to a registry first',
    });
  }
  const type = scope.build.resourceType(declared.type, `${location} image_resource`);
  validateSource(type, declared.source ?? {}, location);
  let version = declared.version as Record<string, string> | undefined;
  if (version?.digest === undefined) {
    const context = await imageResourceContext(scope, reporter, plan.name);
    version = validateVersions(type, await type.check(context, declared.source ?? {}), 'check').at(-1)?.version as Record<string, string> | undefined;
  }
  const digest = version?.digest;
  if (digest === undefined) {
    throw new WeirError('image-not-found', `the registry-image image of ${location} has no version: ${repository}${typeof declared.source?.tag === 'string' ? `:${declared.source.tag}` : ''} found nothing`, {
      location,
      hint: 'check the repository and tag in image_resource.source, and that the image was pushed',
    });
  }
  return `${repository}@${digest}`;
}
