import { parse } from 'yaml';
import { parseDuration } from '../../config/duration.js';
import { WeirError } from '../../errors.js';
import { canonicalJson } from '../../store/canonical-json.js';
import type { SetPipelinePlan } from '../plan/plan.js';
import { artifactFilePath, readArtifactFile } from '../artifact-file.js';
import type { PipelineRef } from '../../store/records.js';
import type { StepScope } from '../running-build.js';
import { runLeafStep } from './leaf-step.js';

/**
 * Sets a pipeline from a file in an artifact, as `weir set-pipeline` would: `var_files` first,
 * then `vars` over them, then `instance_vars` over both. `self` is the build's own pipeline
 * (same instance).
 */
export function runSetPipelineStep(plan: SetPipelinePlan, scope: StepScope): Promise<boolean> {
  const location = `set_pipeline ${plan.name}`;
  return runLeafStep(plan, plan.name, scope, async (reporter) => {
    const { build } = scope;
    if (plan.team !== undefined && plan.team !== build.build.team) {
      throw new WeirError('team-unsupported', `set_pipeline cannot set pipelines of team ${plan.team}`, {
        location,
        hint: `weir has one team (${build.build.team}) for now; remove team:`,
      });
    }
    // Secret references in `vars` pass to the new pipeline as references, looked up when it uses
    // them: resolved here they would be stored in its config in clear text.
    const { vars: secretRefVars, ...rest } = plan;
    const step = {
      ...scope.vars.interpolate(await scope.build.secrets.resolve(rest, location), location, { literalOnly: true }),
      vars: scope.vars.interpolate(secretRefVars, location, { literalOnly: true }),
    };
    const text = await readArtifactFile(scope.artifacts, step.file, location);
    const vars: Record<string, unknown> = {};
    for (const file of step.var_files) {
      const loaded: unknown = parseVarFile(await readArtifactFile(scope.artifacts, file, location), file, location);
      Object.assign(vars, loaded);
    }
    Object.assign(vars, step.vars);
    const self = step.name === 'self';
    const instanceVars = self ? build.pipeline.instanceVars : step.instance_vars;
    const name = self ? build.pipeline.name : step.name;
    await awaitTeardown(scope, { name, ...(Object.keys(instanceVars).length > 0 && { instanceVars }) }, (line) => reporter.log('weir', line));
    const jobId = build.build.jobId;
    // A pipeline setting itself by its own name is `self` too: it cannot be its own parent.
    const own = self || (step.name === build.pipeline.name && canonicalJson(instanceVars) === canonicalJson(build.pipeline.instanceVars));
    const result = await build.services.setPipeline({
      name,
      ...(Object.keys(instanceVars).length > 0 && { instanceVars }),
      text,
      file: artifactFilePath(scope.artifacts, step.file, location),
      vars,
      parent: own || jobId === null ? 'keep' : { jobId, buildId: build.build.id, expireAfterMs: expireAfter(step.expire_after, location) },
    });
    const { pipeline } = result;
    const instance = Object.keys(pipeline.instanceVars).length > 0 ? ` (instance ${JSON.stringify(pipeline.instanceVars)})` : '';
    const what = {
      created: `created pipeline ${pipeline.name}${instance}, config version ${pipeline.configVersion}`,
      updated: `updated pipeline ${pipeline.name}${instance}, config version ${pipeline.configVersion}`,
      unchanged: `pipeline ${pipeline.name}${instance} is unchanged (config version ${pipeline.configVersion})`,
      superseded: `left pipeline ${pipeline.name}${instance} as a newer build of this job (id ${result.supersededBy}) set it`,
    }[result.outcome];
    reporter.log('weir', what);
    return { ok: true };
  });
}

/**
 * A pipeline being torn down cannot be set until its teardown build ends (a PR reopened while
 * its environment is removed): wait for that build rather than fail the step, then set it.
 */
async function awaitTeardown(scope: StepScope, ref: PipelineRef, log: (line: string) => void): Promise<void> {
  const { store, events } = scope.build.services;
  const target = store.pipelines.get(ref);
  const buildId = target && !target.archived && target.retiring !== null ? target.teardownBuildId : null;
  if (buildId === null || buildId === undefined) return;
  const status = store.builds.byId(buildId)?.status;
  if (status !== 'pending' && status !== 'started') return;
  log(`pipeline ${ref.name} is being torn down (${target!.retiring}); waiting for its teardown build (id ${buildId}) to end`);
  for await (const event of events.follow(buildId, 0, scope.signal)) void event;
}

function expireAfter(text: string | undefined, location: string): number | null {
  if (text === undefined) return null;
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) {
    throw new WeirError('invalid-duration', `expire_after "${text}" is not a positive duration`, { location, hint: 'write a duration such as 72h or 30m' });
  }
  return ms;
}

function parseVarFile(text: string, file: string, location: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = parse(text);
  } catch (error) {
    throw new WeirError('var-file-invalid', `${file} is not valid YAML: ${(error as Error).message}`, { location, hint: 'fix the vars file' });
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new WeirError('var-file-invalid', `${file} must hold a mapping of var names to values`, { location, hint: 'write name: value lines' });
  }
  return value as Record<string, unknown>;
}
