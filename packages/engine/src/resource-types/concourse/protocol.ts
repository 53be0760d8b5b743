import type { BuildMetadata, MetadataField, Version, Versioned } from '@weir/resources';
import { WeirError } from '../../errors.js';

/**
 * Concourse's resource protocol (https://concourse-ci.org/implementing-resource-types.html):
 * one JSON request on the script's stdin, one JSON response on its stdout, logs on stderr.
 * Pure functions, so what weir sends and what it accepts are tested without an image.
 */

export type ResourceScript = 'check' | 'in' | 'out';

/** Where each script gets its directory (`$1`): the paths Concourse uses, so scripts that assume them work. */
export const SCRIPT_DIRS = { in: '/tmp/build/get', out: '/tmp/build/put' } as const;

/** A response is a small JSON document; a check listing thousands of versions stays far below this. */
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

export function scriptPath(script: ResourceScript): string {
  return `/opt/resource/${script}`;
}

/** `version` is left out of the first check, as Concourse does: the script then returns the current version. */
export function checkRequest(source: unknown, from: Version | undefined): string {
  return JSON.stringify(from === undefined ? { source } : { source, version: from });
}

export function inRequest(source: unknown, version: Version, params: unknown): string {
  return JSON.stringify({ source, version, params: params ?? {} });
}

export function outRequest(source: unknown, params: unknown): string {
  return JSON.stringify({ source, params: params ?? {} });
}

/**
 * The build's metadata for `in` and `out`, as Concourse documents it; `check` gets none, so a
 * check cannot depend on which build asked.
 */
export function buildEnvironment(build: BuildMetadata | undefined): Record<string, string> {
  if (build === undefined) return {};
  return {
    BUILD_ID: String(build.buildId),
    BUILD_NAME: build.buildName,
    BUILD_JOB_NAME: build.jobName,
    BUILD_PIPELINE_NAME: build.pipelineName,
    BUILD_TEAM_NAME: build.teamName,
    ...(build.externalUrl !== undefined && { ATC_EXTERNAL_URL: build.externalUrl }),
    ...(build.pipelineInstanceVars !== undefined && { BUILD_PIPELINE_INSTANCE_VARS: JSON.stringify(build.pipelineInstanceVars) }),
  };
}

/** A check prints the versions, oldest first: `[{"ref": "abc"}, ...]`. */
export function parseCheckResponse(typeName: string, stdout: string): Versioned[] {
  const value = parseJson(typeName, 'check', stdout);
  if (!Array.isArray(value)) throw badResponse(typeName, 'check', `printed ${describe(value)} instead of a list of versions`);
  return value.map((item, index) => ({ version: parseVersion(typeName, 'check', item, `version [${index}]`) }));
}

/** `in` and `out` print the version they fetched or made, and optional metadata to show with it. */
export function parseFetchResponse(typeName: string, script: 'in' | 'out', stdout: string): Versioned {
  const value = parseJson(typeName, script, stdout);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badResponse(typeName, script, `printed ${describe(value)} instead of {"version": {...}, "metadata": [...]}`);
  }
  const record = value as Record<string, unknown>;
  const version = parseVersion(typeName, script, record.version, '"version"');
  const metadata = parseMetadata(typeName, script, record.metadata);
  return metadata.length > 0 ? { version, metadata } : { version };
}

function parseJson(typeName: string, script: ResourceScript, stdout: string): unknown {
  const text = stdout.trim();
  if (text === '') throw badResponse(typeName, script, 'printed nothing on stdout');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badResponse(typeName, script, `printed something that is not JSON on stdout (${(error as Error).message}): ${excerpt(text)}`);
  }
}

function parseVersion(typeName: string, script: ResourceScript, value: unknown, what: string): Version {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badResponse(typeName, script, `printed ${describe(value)} as ${what}, not a map of strings`);
  }
  for (const [key, field] of Object.entries(value)) {
    if (typeof field !== 'string') throw badResponse(typeName, script, `printed ${describe(field)} as field "${key}" of ${what}, not a string`);
  }
  return value as Version;
}

/** Concourse leaves metadata out when it is null; a type that prints anything else gets an error. */
function parseMetadata(typeName: string, script: ResourceScript, value: unknown): MetadataField[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw badResponse(typeName, script, `printed ${describe(value)} as "metadata", not a list`);
  return value.map((entry, index) => {
    const field = entry as Record<string, unknown> | null;
    if (typeof field !== 'object' || field === null || typeof field.name !== 'string' || typeof field.value !== 'string') {
      throw badResponse(typeName, script, `printed ${describe(entry)} as "metadata" [${index}], not {"name": string, "value": string}`);
    }
    return { name: field.name, value: field.value };
  });
}

function badResponse(typeName: string, script: ResourceScript, what: string): WeirError {
  return new WeirError('resource-type-bad-response', `resource type ${typeName}: ${scriptPath(script)} ${what}`, {
    location: typeName,
    hint: `${scriptPath(script)} must print only its JSON response on stdout (logs go to stderr); the image declared for ${typeName} does not follow Concourse's resource protocol`,
  });
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${excerpt(JSON.stringify(value))}`;
}

function excerpt(text: string, max = 200): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
