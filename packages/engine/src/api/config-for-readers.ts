import { Redactor } from '../secrets/redactor.js';

/**
 * A pipeline config as `GET /pipelines/:pipeline` shows it: webhook tokens redacted, since reads
 * are open. Static var values are shown (they are not secrets); secrets are never in it, only
 * their `((references))`. The CLI applies it to a local config before comparing it with the
 * engine's, so only real changes show in its diff.
 */
export function configForReaders(config: unknown): unknown {
  return new Redactor(webhookTokens(config)).redactValue(config);
}

function webhookTokens(config: unknown): string[] {
  const resources = (config as { resources?: unknown }).resources;
  if (!Array.isArray(resources)) return [];
  return resources.flatMap((resource: { webhook_token?: unknown }) => (typeof resource.webhook_token === 'string' ? [resource.webhook_token] : []));
}
