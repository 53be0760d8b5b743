import { checkIdentifier } from '../identifier.js';
import { asArray, asRecord, asString, type LooseRecord } from '../loose.js';
import { error, warning, type PathSegment, type Problem } from '../problem.js';
import { STEP_KIND_KEYS } from '../schema/index.js';
import type { Rule } from './rule.js';

/**
 * Each step does exactly one thing; tasks say where their config is; `across` has vars with
 * values; names of steps and local vars follow Concourse's rules.
 */
export const stepRules: Rule = ({ jobs }) => {
  const problems: Problem[] = [];
  for (const { steps } of jobs) {
    // The job's scope, then one per enclosing step with `across`; `openers` holds those steps' depths.
    const scopes: Array<Set<string>> = [new Set()];
    const openers: number[] = [];
    for (const { step, path, kinds, depth } of steps) {
      // Steps come depth first, so coming back to an opener's depth means its subtree, and scope, is done.
      while (openers.length > 0 && (openers[openers.length - 1] as number) >= depth) {
        openers.pop();
        scopes.pop();
      }
      const across = step.across;
      const opensScope = across !== undefined;
      if (opensScope) {
        scopes.push(new Set());
        openers.push(depth);
        problems.push(...checkAcross(across, [...path, 'across'], scopes));
      }
      if (kinds.length === 0) {
        problems.push(error('step-without-action', path, 'this step has modifiers but nothing to do', `add one of ${STEP_KIND_KEYS.join(', ')}`));
      } else if (kinds.length > 1) {
        problems.push(error('step-multiple-actions', [...path, kinds[1] as string], `a step does one thing, but this one has ${kinds.join(' and ')}`, 'split it into separate steps (wrap them in `do:` to keep them together)'));
      } else {
        problems.push(...checkStep(step, kinds[0] as (typeof STEP_KIND_KEYS)[number], path, opensScope, scopes));
      }
    }
  }
  return problems;
};

/** Step kinds whose key holds a name that must be an identifier. */
const NAMED_KINDS: ReadonlySet<string> = new Set(['get', 'put', 'task', 'set_pipeline', 'load_var']);

function checkStep(step: LooseRecord, kind: (typeof STEP_KIND_KEYS)[number], path: PathSegment[], underAcross: boolean, scopes: Array<Set<string>>): Problem[] {
  const problems: Problem[] = [];
  const name = asString(step[kind]);
  const named = NAMED_KINDS.has(kind);
  // Concourse lets task and set_pipeline names under `across` carry the var, e.g. test-((.:os)).
  const skipIdentifier = underAcross && (kind === 'task' || kind === 'set_pipeline');
  if (named && name !== undefined && !skipIdentifier && !(kind === 'set_pipeline' && name === 'self')) {
    const invalid = checkIdentifier(name, `${kind.replace('_', ' ')} step name`, [...path, kind]);
    if (invalid) problems.push(invalid);
  }
  if (kind === 'task') {
    const hasFile = step.file !== undefined;
    const hasConfig = step.config !== undefined;
    if (!hasFile && !hasConfig) {
      problems.push(error('task-without-config', [...path, 'task'], `task "${name ?? ''}" has neither file: nor config:`, 'point file: at a task config in an input (e.g. repo/ci/task.yml), or write the config inline under config:'));
    } else if (hasFile && hasConfig) {
      problems.push(error('task-file-and-config', [...path, 'config'], `task "${name ?? ''}" has both file: and config:`, 'keep one of them'));
    }
    const inline = asRecord(step.config);
    if (inline && step.image !== undefined && (inline.image_resource !== undefined || inline.rootfs_uri !== undefined)) {
      problems.push(warning('task-image-overridden', [...path, 'image'], 'image: on the step overrides the image in config:', 'remove one of them to make the intent clear'));
    }
    if (step.hermetic === true) {
      // Concourse warns on every hermetic: (only its containerd runtime keeps it); weir keeps it only in the sandbox.
      problems.push(
        warning(
          'task-hermetic-sandbox-only',
          [...path, 'hermetic'],
          'hermetic: is kept only by a task running in its image in the sandbox (and on Concourse only by the containerd runtime)',
          'give the task an image and run it in the sandbox: a hermetic task without an image, or sent to the cluster, errors instead of running with the network',
        ),
      );
    }
  }
  if ((kind === 'set_pipeline' || kind === 'load_var') && step.file === '') {
    problems.push(error('step-without-file', [...path, 'file'], `${kind} "${name ?? ''}" has an empty file:`, 'point file: at a file in an artifact of this plan, e.g. repo/ci/pipeline.yml'));
  }
  if (kind === 'load_var' && name !== undefined) problems.push(...declareLocalVar(name, [...path, 'load_var'], scopes));
  return problems;
}

function checkAcross(across: unknown, path: PathSegment[], scopes: Array<Set<string>>): Problem[] {
  const problems: Problem[] = [];
  if (!Array.isArray(across)) return problems;
  if (across.length === 0) problems.push(error('across-without-vars', path, 'across: lists no vars', 'add at least one {var: name, values: [...]}'));
  asArray(across).forEach((item, i) => {
    const entry = asRecord(item);
    if (!entry) return;
    const at = [...path, i];
    const name = asString(entry.var);
    if (name !== undefined) problems.push(...declareLocalVar(name, [...at, 'var'], scopes));
    // A missing `values:` is already a missing-key error from the schema.
    if (Array.isArray(entry.values) && entry.values.length === 0) {
      problems.push(warning('across-without-values', [...at, 'values'], `across var "${name ?? ''}" has an empty values list, so the step runs no times`, 'list at least one value'));
    }
  });
  return problems;
}

function declareLocalVar(name: string, path: PathSegment[], scopes: Array<Set<string>>): Problem[] {
  const current = scopes[scopes.length - 1] as Set<string>;
  if (current.has(name)) {
    return [error('duplicate-local-var', path, `local var "${name}" is already set in this scope`, 'use another name')];
  }
  current.add(name);
  // As in Concourse, a load_var's name is checked as a step name, and across vars not at all.
  if (scopes.slice(0, -1).some((s) => s.has(name))) {
    return [warning('shadowed-local-var', path, `local var "${name}" hides an outer var of the same name`, 'rename it to avoid confusion')];
  }
  return [];
}
