/**
 * The contract between weir's engine and a resource type. The engine depends on this file
 * only; a resource type depends on nothing of the engine. A new type is one folder that
 * exports a `ResourceType` and is listed in `builtin-types.ts`.
 */
import type { LocalPathPolicy } from './local-paths.js';

/** A version as Concourse shapes it: a flat map of strings, e.g. `{ref: "abc123"}`. */
export type Version = Record<string, string>;

/** Name/value pairs shown next to a version (commit message, author, digest, ...). */
export interface MetadataField {
  name: string;
  value: string;
}

export interface Versioned<V extends Version = Version> {
  version: V;
  metadata?: MetadataField[];
}

/** A JSON Schema (draft-07) document, as plain data. */
export type JsonSchema = { [keyword: string]: unknown };

/** The part of a structured logger a resource type may use; pino's Logger satisfies it. */
export interface ResourceLogger {
  debug(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}

/** Who runs a get or put: shown in logs and written into labels, commit statuses, etc. */
export interface BuildMetadata {
  buildId: number;
  buildName: string;
  jobName: string;
  pipelineName: string;
  teamName: string;
  /** The build's page, for links back from GitHub statuses and the like. */
  url: string;
  /** The engine's URL (Concourse's `ATC_EXTERNAL_URL`). */
  externalUrl?: string;
  /** The instance vars of the build's pipeline, for an instanced pipeline. */
  pipelineInstanceVars?: Record<string, unknown>;
  /**
   * Inside a hook, how the step it follows ended (`succeeded` in `on_success`, `failed` in
   * `on_failure`, `errored`, `aborted`; either of the first two in `ensure`); absent elsewhere.
   */
  status?: 'succeeded' | 'failed' | 'errored' | 'aborted';
}

export interface ResourceContext {
  logger: ResourceLogger;
  /** Aborted when the check times out, the build is aborted or the engine stops. */
  signal: AbortSignal;
  /** A line for the user: the build's log during get/put, the resource's check log otherwise. */
  log(line: string): void;
  /** Replaces every secret the pipeline's vars supplied with `((redacted))`. */
  redact(text: string): string;
  /**
   * A directory owned by this resource's version history, kept between calls (e.g. a bare
   * clone). It may not exist yet: create it when you first need it.
   */
  cacheDir: string;
  /** Present for get and put inside a build. */
  build?: BuildMetadata;
  /** The engine's clock: types that version time (time, cron) read it here, so tests can set it. */
  now(): Date;
  /** Where a pipeline may name paths on the engine's machine; see `confineLocalPath`. */
  localPaths: LocalPathPolicy;
  /**
   * A copy of `value` with the ((vars)) a credential manager supplies filled in (and their values
   * redacted from then on), for config the engine hands over unread: a declared resource type's
   * `source`, `params` and `defaults`. Absent where no pipeline's secrets apply.
   */
  resolveSecrets?<T>(value: T, location: string): Promise<T>;
}

export interface ResourceType<
  Source = Record<string, unknown>,
  V extends Version = Version,
  GetParams = Record<string, unknown>,
  PutParams = Record<string, unknown>,
> {
  /** The name pipelines use in `type:`. */
  name: string;
  /** Other names accepted in `type:` (e.g. `pull-request` for `github-pr`). */
  aliases?: readonly string[];
  /** One sentence for `weir` help and the published schema. */
  description: string;
  /** Validated by the engine before any call, so the methods can trust `source`. */
  sourceSchema: JsonSchema;
  /**
   * The params of a get (and of a put's `get_params`) and of a put. The engine checks them
   * before each call, after ((vars)) are filled in, and hands over a copy in which text became
   * the booleans and numbers the schema asks for; an unknown param errors the step. Absent: the
   * type takes any params.
   */
  getParamsSchema?: JsonSchema;
  putParamsSchema?: JsonSchema;
  /**
   * Versions oldest → newest. Given `from`, return it first if it still exists, then every
   * newer version; without `from`, return at least the newest version.
   */
  check(ctx: ResourceContext, source: Source, from?: V): Promise<Versioned<V>[]>;
  /**
   * `check` without `from` returns every version that still exists (snapshots, not commits), so
   * one it leaves out has vanished: pruned, or deleted by someone. The engine then always checks
   * without `from` and marks the versions a check no longer reports as gone: shown so, never
   * scheduled, not pinnable (Concourse's "version no longer exists").
   */
  checkReportsAll?: boolean;
  /**
   * For types whose versions appear at known times (cron, delay): when the next one is due,
   * after `now`. The checker checks right then instead of waiting for `check_every`.
   * `cacheDir` is the history's directory, as `ResourceContext.cacheDir`.
   */
  nextVersionAt?(source: Source, now: Date, cacheDir: string): Date | undefined;
  /**
   * The put schedules a version instead of making one (a delay): the engine does not add its
   * result to the history, where it would trigger jobs at once, and skips the get after it;
   * it checks the resource right after the put, and check reports the version when it is due.
   */
  putSchedulesVersion?: boolean;
  /** Fetch `version` into `dir` (an empty directory). */
  get(ctx: ResourceContext, source: Source, version: V, params: GetParams, dir: string): Promise<Versioned<V>>;
  /** Push from `workdir` (holding the build's artifacts by name) and return the new version. */
  put(ctx: ResourceContext, source: Source, params: PutParams, workdir: string): Promise<Versioned<V>>;
}

/**
 * Any resource type, for registries that hold many kinds. `any` because method parameters are
 * contravariant: a type's own Source is checked where it is defined, and the engine validates
 * every source against `sourceSchema` before calling.
 */
export type AnyResourceType = ResourceType<any, any, any, any>;

/**
 * A failure the user can fix (bad credentials, a missing branch, a malformed param), as
 * opposed to a bug. The engine shows `message` and `hint` as they are.
 */
export class ResourceError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'ResourceError';
  }
}
