import type { Rule } from './rule.js';
import { asRecord, asString, records, type LooseRecord } from '../loose.js';
import { parseDuration } from '../duration.js';
import { error, warning, type PathSegment, type Problem } from '../problem.js';
import { rootfsUriImage } from '../rootfs-uri.js';
import { findVarReferences, isWholeVarReference } from '../vars.js';

/**
 * Rules for a task config, inline under a task step or in its own file. `imageArtifact`: the step
 * names its image with `image:`, which takes precedence over the config's own.
 */
export function checkTaskConfig(config: LooseRecord, path: PathSegment[], imageArtifact = false): Problem[] {
  const problems: Problem[] = [];
  for (const list of ['inputs', 'outputs'] as const) {
    const seen = new Set<string>();
    for (const [i, item] of records(config[list])) {
      const name = asString(item.name);
      if (name === undefined) continue;
      if (seen.has(name)) {
        problems.push(error(`duplicate-task-${list === 'inputs' ? 'input' : 'output'}`, [...path, list, i, 'name'], `${list === 'inputs' ? 'input' : 'output'} "${name}" is listed twice`, 'remove the duplicate'));
      }
      seen.add(name);
    }
  }
  for (const [i, cache] of records(config.caches)) {
    const ttl = asString(cache.ttl);
    if (ttl === undefined || ttl === '' || isWholeVarReference(ttl)) continue;
    const ms = parseDuration(ttl);
    if (ms === undefined || ms < 1000) {
      problems.push(error('task-cache-ttl', [...path, 'caches', i, 'ttl'], ms === undefined ? `"${ttl}" is not a duration` : `cache ttl "${ttl}" is shorter than 1s`, 'write a duration of at least 1s, such as 12h'));
    }
  }
  const run = asRecord(config.run);
  if (run && asString(run.path) === '') {
    problems.push(error('task-run-path-empty', [...path, 'run', 'path'], 'run.path is empty', 'give the command to run, e.g. path: sh'));
  }
  if (!imageArtifact) problems.push(...checkRootfsUri(config, path));
  return problems;
}

/** As in Concourse, `image_resource` wins over `rootfs_uri`; alone, it must be a form weir runs (see rootfsUriImage). */
function checkRootfsUri(config: LooseRecord, path: PathSegment[]): Problem[] {
  const uri = asString(config.rootfs_uri);
  if (uri === undefined) return [];
  const at = [...path, 'rootfs_uri'];
  if (config.image_resource !== undefined) {
    return [warning('task-rootfs-uri-ignored', at, 'rootfs_uri is not used: image_resource gives the task its image', 'remove rootfs_uri')];
  }
  // Checked once the var is filled in, when the task runs.
  if (findVarReferences(uri).length > 0) return [];
  const resolved = rootfsUriImage(uri);
  return 'problem' in resolved ? [error(resolved.problem.code, at, resolved.problem.message, resolved.problem.hint)] : [];
}

/** Inline task configs in a pipeline follow the same rules as task files. */
export const inlineTaskConfigs: Rule = ({ jobs }) => {
  const problems: Problem[] = [];
  for (const { steps } of jobs) {
    for (const { step, path, kinds } of steps) {
      const inline = asRecord(step.config);
      if (kinds.includes('task') && inline) problems.push(...checkTaskConfig(inline, [...path, 'config'], step.image !== undefined));
    }
  }
  return problems;
};
