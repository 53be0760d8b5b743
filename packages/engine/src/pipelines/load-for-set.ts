import { loadPipeline } from '../config/load-pipeline.js';
import { hasErrors, type Problem } from '../config/problem.js';
import type { PipelineConfig } from '../config/schema/index.js';
import type { ResourceTypeCatalog } from '../config/concourse-base-types.js';
import type { StaticVars } from '../config/vars.js';
import { WeirError } from '../errors.js';

/** A pipeline that cannot be set, with every problem found in it. */
export class PipelineInvalidError extends WeirError {
  constructor(
    readonly file: string,
    readonly problems: Problem[],
  ) {
    const errors = problems.filter((p) => p.severity === 'error');
    const first = errors[0];
    super(
      'pipeline-invalid',
      `${file} has ${errors.length} error${errors.length === 1 ? '' : 's'}${first ? `; the first: ${first.line}:${first.column} ${first.message}` : ''}`,
      { location: first ? `${file}:${first.line}:${first.column}` : file, hint: `run \`weir validate ${file}\` to see every problem` },
    );
    this.name = 'PipelineInvalidError';
  }
}

/**
 * Text → a config ready to store. Stricter than `weir validate`: a var that is neither static
 * nor in weir's secret store is an error, because nothing could fill it in later.
 */
export function loadPipelineForSet(
  text: string,
  options: { file: string; vars?: StaticVars; resourceTypes: ResourceTypeCatalog; isStoredSecret?: (name: string) => boolean },
): { config: PipelineConfig; warnings: Problem[] } {
  const loaded = loadPipeline(text, {
    file: options.file,
    ...(options.vars && { vars: options.vars }),
    missingVars: 'error',
    ...(options.isStoredSecret && { isStoredSecret: options.isStoredSecret }),
    resourceTypes: options.resourceTypes,
  });
  if (!loaded.config || hasErrors(loaded.problems)) throw new PipelineInvalidError(options.file, loaded.problems);
  return { config: loaded.config, warnings: loaded.problems };
}
