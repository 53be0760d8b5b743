import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { WeirError } from '../../errors.js';
import { validateParams, validateSource, validateVersions } from '../../resource-types/checked-calls.js';
import type { PutPlan } from '../plan/plan.js';
import type { StepScope } from '../running-build.js';
import { resourceContext } from './resource-context.js';
import { runLeafStep } from './leaf-step.js';

/** Pushes to a resource; the new version joins the resource's history at once, unless the type only scheduled it. */
export function runPutStep(plan: PutPlan, scope: StepScope): Promise<boolean> {
  const location = `put ${plan.name}`;
  return runLeafStep(plan, plan.name, scope, async (reporter) => {
    const { build } = scope;
    const { store } = build.services;
    const resource = store.resources.get(build.pipeline.id, plan.resource);
    if (!resource) {
      throw new WeirError('resource-not-found', `the pipeline has no resource ${plan.resource}`, { location, hint: 'set the pipeline again' });
    }
    const type = build.resourceType(resource.type, location);
    const source = await build.secrets.resolve(resource.config.source ?? {}, location);
    validateSource(type, source, `resource ${resource.name}`);
    const written = scope.vars.interpolate(await build.secrets.resolve(plan.params, location), location);
    const params = validateParams(type, 'put', written, { step: location, field: 'params', resource: resource.name });
    const workdir = await build.newDir('put', plan.name);
    for (const [name, dir] of selectInputs(plan.inputs, params, scope.artifacts.all(), location)) {
      await symlink(dir, join(workdir, name), 'dir');
    }
    const result = await type.put(resourceContext(scope, resource.scopeId, reporter), source, params, workdir);
    const [pushed] = validateVersions(type, result, 'put');
    if (type.putSchedulesVersion) {
      build.putResults.set(scope.prefix + plan.id, { scheduled: pushed!.version });
      build.services.checkSoon(resource.id);
      return { ok: true, version: pushed!.version, ...(pushed!.metadata && { metadata: pushed!.metadata }) };
    }
    // The version is its identity and is kept as given; its metadata is for reading, and redacted.
    const versionId = store.resources.saveOutputVersion(resource.id, { ...pushed!, ...(pushed!.metadata && { metadata: build.redactor.redactValue(pushed!.metadata) }) });
    build.outputs.push({ resourceId: resource.id, versionId });
    build.putResults.set(scope.prefix + plan.id, { resourceId: resource.id, versionId, version: pushed!.version });
    return { ok: true, version: pushed!.version, ...(pushed!.metadata && { metadata: pushed!.metadata }) };
  });
}

/**
 * Which artifacts a put sees: `all`, the listed names, or with `detect` the artifacts whose
 * names start a path in the params (Concourse's rule).
 */
export function selectInputs(inputs: PutPlan['inputs'], params: unknown, artifacts: Map<string, string>, location: string): Map<string, string> {
  if (inputs === 'all') return artifacts;
  const names = inputs === 'detect' ? detectedNames(params, artifacts) : inputs;
  const selected = new Map<string, string>();
  for (const name of names) {
    const dir = artifacts.get(name);
    if (dir === undefined) {
      throw new WeirError('put-input-missing', `put input ${name} is not an artifact of this build`, {
        location,
        hint: `the build has: ${[...artifacts.keys()].join(', ') || 'no artifacts yet'}`,
      });
    }
    selected.set(name, dir);
  }
  return selected;
}

function detectedNames(params: unknown, artifacts: Map<string, string>): string[] {
  const found = new Set<string>();
  const visit = (value: unknown): void => {
    if (typeof value === 'string') {
      const first = value.split('/')[0]!;
      if (artifacts.has(first)) found.add(first);
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (typeof value === 'object' && value !== null) Object.values(value).forEach(visit);
  };
  visit(params);
  return [...found];
}
