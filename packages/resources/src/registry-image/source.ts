import type { ResourceContext } from '../interface.js';
import type { Credentials, TokenCache } from './auth.js';
import { DEFAULT_PLATFORM, type Platform } from './manifest.js';
import { assertValidTag, parseRepository, type RepositoryReference } from './reference.js';
import { RegistryClient } from './registry-client.js';
import { compileTagRegex, parseSemverConstraint, type SemverRules } from './tag-selection.js';

/** `source` as pipelines write it (Concourse registry-image-resource fields). */
export interface RegistryImageSource {
  repository: string;
  /** YAML turns `tag: 3.10` into a number; Concourse accepts it, so do we. */
  tag?: string | number;
  tag_regex?: string;
  semver_constraint?: string;
  variant?: string;
  pre_releases?: boolean;
  username?: string;
  password?: string;
  insecure?: boolean;
  platform?: PlatformOption;
  ca_certs?: string[];
  debug?: boolean;
}

export interface PlatformOption {
  os?: string;
  architecture?: string;
  variant?: string;
}

export type RegistryImageVersion = { tag: string; digest: string };

/** Which versions a check reports. */
export type CheckMode = { kind: 'tag'; tag: string } | { kind: 'regex'; regex: RegExp } | { kind: 'semver'; rules: SemverRules };

/** The source with defaults applied and every field checked, compiled once per call. */
export interface CompiledSource {
  /** As written, for the `repository` file a get writes. */
  repository: string;
  reference: RepositoryReference;
  insecure: boolean;
  credentials?: Credentials;
  caCerts?: string[];
  platform: Platform;
  mode: CheckMode;
  /** `source.tag`, pushed by every put. */
  tag?: string;
  variant?: string;
}

/**
 * Compiles a source. `tag` selects tag mode, else `tag_regex` selects regex mode, else semver
 * mode (Concourse's order). Credentials in get/put params replace the source's, as in Concourse.
 */
export function compileSource(source: RegistryImageSource, override: { username?: string; password?: string; platform?: PlatformOption } = {}): CompiledSource {
  const reference = parseRepository(source.repository);
  const tag = source.tag === undefined || source.tag === '' ? undefined : assertValidTag(String(source.tag), 'source.tag');
  const username = override.username || source.username;
  const password = override.password || source.password;
  const variant = source.variant || undefined;
  const platformOption = override.platform ?? source.platform;
  const constraint = source.semver_constraint ? parseSemverConstraint(source.semver_constraint) : undefined;
  const rules: SemverRules = { preReleases: source.pre_releases === true, ...(variant !== undefined && { variant }), ...(constraint && { constraint }) };
  const mode: CheckMode =
    tag !== undefined ? { kind: 'tag', tag } : source.tag_regex ? { kind: 'regex', regex: compileTagRegex(source.tag_regex) } : { kind: 'semver', rules };
  return {
    repository: source.repository,
    reference,
    insecure: source.insecure === true,
    ...(username && password && { credentials: { username, password } }),
    ...(source.ca_certs && source.ca_certs.length > 0 && { caCerts: source.ca_certs }),
    platform: {
      os: platformOption?.os || DEFAULT_PLATFORM.os,
      architecture: platformOption?.architecture || DEFAULT_PLATFORM.architecture,
      ...(platformOption?.variant && { variant: platformOption.variant }),
    },
    mode,
    ...(tag !== undefined && { tag }),
    ...(variant !== undefined && { variant }),
  };
}

export interface ConnectOptions {
  push?: boolean;
  pullFrom?: readonly string[];
  tagPageSize?: number;
}

/** A client for the source's repository, bound to the call's clock and abort signal. */
export function connect(ctx: ResourceContext, source: CompiledSource, tokens: TokenCache, options: ConnectOptions = {}): RegistryClient {
  return new RegistryClient({
    repository: source.reference,
    insecure: source.insecure,
    ...(source.credentials && { credentials: source.credentials }),
    ...(source.caCerts && { caCerts: source.caCerts }),
    push: options.push === true,
    ...(options.pullFrom && { pullFrom: options.pullFrom }),
    ...(options.tagPageSize !== undefined && { tagPageSize: options.tagPageSize }),
    tokens,
    now: () => ctx.now(),
    signal: ctx.signal,
  });
}
