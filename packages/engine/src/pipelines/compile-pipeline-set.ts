import type { ResourceTypeCatalog } from '../config/concourse-base-types.js';
import type { Problem } from '../config/problem.js';
import type { PipelineConfig } from '../config/schema/index.js';
import type { StaticVars } from '../config/vars.js';
import { WeirError } from '../errors.js';
import { hasSecretReferences } from '../secrets/substitute-vars.js';
import type { PipelineSave } from '../store/pipeline-store.js';
import type { PipelineRef } from '../store/records.js';
import { loadPipelineForSet } from './load-for-set.js';
import { planPipelineSave } from './plan-pipeline-save.js';

/**
 * Everything a set-pipeline needs to turn text into a save, as plain data: it crosses to the
 * pipeline compiler's worker thread by structured clone, so no callback into the store.
 */
export interface PipelineSetInput {
  text: string;
  file: string;
  vars?: StaticVars;
  /** Names weir's secret store holds for this pipeline or its team: vars it fills in at run time. */
  storedSecretNames: readonly string[];
  resourceTypes: ResourceTypeCatalog;
  ref: PipelineRef;
  options: { expectedConfigVersion?: number; pausedIfNew?: boolean; parent?: PipelineSave['parent'] };
}

export interface CompiledPipelineSet {
  save: PipelineSave;
  warnings: Problem[];
}

/**
 * Text → the save the store applies in one transaction: YAML, schema, rules, then the derived
 * rows. Pure (no store, no clock), so the engine runs it off its event loop. Throws
 * `PipelineInvalidError` with every problem, or a `WeirError`, as `setPipeline` reports them.
 */
export function compilePipelineSet(input: PipelineSetInput): CompiledPipelineSet {
  const storedSecrets = new Set(input.storedSecretNames);
  const loaded = loadPipelineForSet(input.text, {
    file: input.file,
    ...(input.vars && { vars: input.vars }),
    isStoredSecret: (name) => storedSecrets.has(name),
    resourceTypes: input.resourceTypes,
  });
  refuseSecretWebhookTokens(loaded.config, input.file);
  return { save: planPipelineSave(loaded.config, input.ref, input.options), warnings: loaded.warnings };
}

/**
 * Webhook tokens are compared as the engine stores them; a token from the secret store would be
 * stored as its reference. They are redacted from every reader instead: pass them as static vars.
 */
function refuseSecretWebhookTokens(config: PipelineConfig, file: string): void {
  for (const resource of config.resources ?? []) {
    if (typeof resource.webhook_token === 'string' && hasSecretReferences(resource.webhook_token)) {
      throw new WeirError('webhook-token-secret-unsupported', `resource ${resource.name}: webhook_token cannot come from a credential manager`, {
        location: `${file}: resources.${resource.name}.webhook_token`,
        hint: 'pass it as a static var (-v name=token): the API never shows webhook tokens',
      });
    }
  }
}
