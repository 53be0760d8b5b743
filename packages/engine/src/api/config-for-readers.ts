import type { InstanceVars } from '../store/records.js';
import { redactSecrets } from './redact-secrets.js';

/**
 * The values vars supplied that readers must not see: all but those of instance vars, which
 * name the pipeline and are shown beside it anyway.
 */
export function hiddenVarValues(secretValues: Iterable<string>, instanceVars: InstanceVars): string[] {
  const shown = new Set(Object.values(instanceVars).filter((value) => typeof value !== 'object').map(String));
  return [...secretValues].filter((secret) => secret !== '' && !shown.has(secret));
}

/**
 * A pipeline config as `GET /pipelines/:pipeline` shows it: the hidden var values and the
 * webhook tokens redacted, since reads are open. The CLI applies it to a local config before
 * comparing it with the engine's, so only real changes show in its diff.
 */
export function configForReaders(config: unknown, secretValues: Iterable<string>, instanceVars: InstanceVars): unknown {
  return redactSecrets(config, [...hiddenVarValues(secretValues, instanceVars), ...webhookTokens(config)]);
}

function webhookTokens(config: unknown): string[] {
  const resources = (config as { resources?: unknown }).resources;
  if (!Array.isArray(resources)) return [];
  return resources.flatMap((resource: { webhook_token?: unknown }) => (typeof resource.webhook_token === 'string' ? [resource.webhook_token] : []));
}
