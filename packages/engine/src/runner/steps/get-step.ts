import { WeirError } from '../../errors.js';
import { validateParams, validateSource, validateVersions } from '../../resource-types/checked-calls.js';
import type { GetPlan } from '../plan/plan.js';
import type { StepScope } from '../running-build.js';
import { resourceContext } from './resource-context.js';
import { runLeafStep } from './leaf-step.js';

/** Fetches the version the scheduler chose (or the one a put just made) into a new artifact. */
export function runGetStep(plan: GetPlan, scope: StepScope): Promise<boolean> {
  const location = `get ${plan.name}`;
  return runLeafStep(plan, plan.name, scope, async (reporter) => {
    const { build } = scope;
    const { store } = build.services;
    const chosen = chosenVersion(plan, scope, location);
    if ('scheduled' in chosen) {
      reporter.log('stderr', `nothing to get yet: the put scheduled ${JSON.stringify(chosen.scheduled)}, which check reports when it is due`);
      return { ok: true, version: chosen.scheduled };
    }
    const resource = store.resources.byId(chosen.resourceId);
    const version = store.resources.version(chosen.versionId);
    if (!resource || !version) {
      throw new WeirError('get-version-gone', `the version chosen for ${plan.name} no longer exists`, { location, hint: 'trigger a new build' });
    }
    const type = build.resourceType(resource.type, location);
    const source = await build.secrets.resolve(resource.config.source ?? {}, location);
    validateSource(type, source, `resource ${resource.name}`);
    const written = scope.vars.interpolate(await build.secrets.resolve(plan.params, location), location);
    // The get after a put runs the put's get_params: name them as the user wrote them.
    const site = plan.version_from === undefined ? { step: location, field: 'params' as const } : { step: `put ${plan.name}`, field: 'get_params' as const };
    const params = validateParams(type, 'get', written, { ...site, resource: resource.name });
    const dir = await build.newDir('get', plan.name);
    const result = await type.get(resourceContext(scope, resource.scopeId, reporter), source, version.version, params, dir);
    const [fetched] = validateVersions(type, result, 'get');
    if (fetched!.metadata !== undefined && fetched!.metadata.length > 0) store.resources.updateVersionMetadata(chosen.versionId, build.redactor.redactValue(fetched!.metadata));
    scope.artifacts.set(plan.name, dir);
    return { ok: true, version: fetched!.version, ...(fetched!.metadata && { metadata: fetched!.metadata }) };
  });
}

function chosenVersion(plan: GetPlan, scope: StepScope, location: string): { resourceId: number; versionId: number } | { scheduled: Record<string, string> } {
  if (plan.version_from !== undefined) {
    const put = scope.build.putResults.get(scope.prefix + plan.version_from);
    if (!put) throw new Error(`get ${plan.id} follows put ${plan.version_from}, which has no result`);
    return put;
  }
  const input = scope.build.inputs.get(plan.name);
  if (!input) {
    throw new WeirError('get-input-missing', `the build has no version of ${plan.name}`, {
      location,
      hint: 'a get that the scheduler does not resolve (inside a dynamic step) is not supported; get it at the top of the plan',
    });
  }
  return input;
}
