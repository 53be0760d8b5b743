import type { ResourceContext } from '@weir/resources';
import { parseDuration } from '../../config/duration.js';
import { hasSecretReferences } from '../../secrets/substitute-vars.js';
import { asRecord, asString, records } from '../../config/loose.js';

/** A `resource_types` entry as weir runs it: defaults filled in, nothing left to look up in raw config. */
export interface TypeDeclaration {
  name: string;
  /** The type that fetches this type's image: usually `registry-image`, or another declared type. */
  type: string;
  /** Where that type finds the image. */
  source: Record<string, unknown>;
  /** The get params for fetching the image. */
  params: Record<string, unknown>;
  privileged: boolean;
  /** Laid under the `source` of every resource of this type; a resource's own fields win. */
  defaults: Record<string, unknown>;
  /** How long the image's version is trusted before it is checked again; null for `never`. */
  checkEveryMs?: number | null;
}

/** Concourse checks a type's image as often as a resource's: every minute unless told otherwise. */
export const DEFAULT_TYPE_CHECK_EVERY_MS = 60_000;

/**
 * The pipeline's `resource_types`, by name. The pipeline was validated when it was set, so an
 * entry without a name or type is only skipped here (it cannot be used by anything).
 */
export function readTypeDeclarations(pipelineConfig: unknown): Map<string, TypeDeclaration> {
  const declarations = new Map<string, TypeDeclaration>();
  for (const [, entry] of records(asRecord(pipelineConfig)?.resource_types)) {
    const name = asString(entry.name);
    const type = asString(entry.type);
    if (name === undefined || type === undefined) continue;
    const every = asString(entry.check_every);
    declarations.set(name, {
      name,
      type,
      source: asRecord(entry.source) ?? {},
      params: asRecord(entry.params) ?? {},
      privileged: entry.privileged === true,
      defaults: asRecord(entry.defaults) ?? {},
      ...(every !== undefined && { checkEveryMs: every === 'never' ? null : (parseDuration(every) ?? DEFAULT_TYPE_CHECK_EVERY_MS) }),
    });
  }
  return declarations;
}

/**
 * A resource's source as the type's scripts get it: the type's `defaults` (their secrets filled
 * in) with the resource's own fields over them.
 */
export async function sourceWithDefaults(declaration: TypeDeclaration, source: unknown, ctx: ResourceContext): Promise<unknown> {
  const own = asRecord(source);
  if (Object.keys(declaration.defaults).length === 0) return source;
  return { ...(await withSecrets(ctx, declaration.defaults, `the defaults of resource type ${declaration.name}`)), ...(own ?? {}) };
}

/**
 * The declaration's config with its credential manager ((vars)) filled in: a pipeline is stored
 * with them unresolved, and a type's registry password or webhook URL is looked up when used.
 */
export function withSecrets<T>(ctx: ResourceContext, value: T, location: string): Promise<T> {
  return ctx.resolveSecrets && hasSecretReferences(value) ? ctx.resolveSecrets(value, location) : Promise.resolve(value);
}
