import { parse as parseYaml } from 'yaml';
import { setVar } from '@weir/engine/set-var';
import { CliError } from './cli-error.js';

export type InstanceVars = Record<string, unknown>;

/** A pipeline as fly names it: `my-app`, or one instance of it, `my-app/pr:12,branch:main`. */
export interface PipelineName {
  name: string;
  /** Empty for a pipeline without instances. */
  instanceVars: InstanceVars;
}

/** `my-app/build`, or `my-app/pr:12/build` for a job of an instance. */
export interface JobName {
  pipeline: PipelineName;
  job: string;
}

/** `my-app/repo`, or `my-app/pr:12/repo` for a resource of an instance. */
export interface ResourceName {
  pipeline: PipelineName;
  resource: string;
}

export function parsePipelineName(text: string, flag = '-p'): PipelineName {
  const slash = text.indexOf('/');
  const name = slash < 0 ? text : text.slice(0, slash);
  if (name.trim() === '') {
    throw new CliError(`${flag} ${JSON.stringify(text)} names no pipeline`, `write ${flag} my-app, or ${flag} my-app/pr:12 for an instance of an instanced pipeline`);
  }
  if (slash < 0) return { name, instanceVars: {} };
  return { name, instanceVars: parseInstanceVars(text.slice(slash + 1), text, flag) };
}

export function parseJobName(text: string, flag = '-j'): JobName {
  const { pipeline, last } = splitLast(text, flag, 'job', 'my-app/build');
  return { pipeline, job: last };
}

export function parseResourceName(text: string, flag = '-r'): ResourceName {
  const { pipeline, last } = splitLast(text, flag, 'resource', 'my-app/repo');
  return { pipeline, resource: last };
}

/** The inverse of `parsePipelineName`: what a user would type to name this pipeline again. */
export function formatPipelineName(pipeline: PipelineName): string {
  const pairs = Object.entries(pipeline.instanceVars).map(([key, value]) => `${key}:${formatInstanceValue(value)}`);
  return pairs.length === 0 ? pipeline.name : `${pipeline.name}/${pairs.join(',')}`;
}

/** The pipeline part may itself hold "/" (in an instance var's value), the job or resource never does. */
function splitLast(text: string, flag: string, what: string, example: string): { pipeline: PipelineName; last: string } {
  const slash = text.lastIndexOf('/');
  const last = text.slice(slash + 1);
  if (slash <= 0 || last === '') {
    throw new CliError(`${flag} ${JSON.stringify(text)} does not name a ${what} of a pipeline`, `write ${flag} ${example}, or ${flag} ${example.replace('/', '/pr:12/')} for an instance of an instanced pipeline`);
  }
  return { pipeline: parsePipelineName(text.slice(0, slash), flag), last };
}

/** `pr:12,branch:main`: values are YAML scalars, so `12` is a number; quote a value holding a comma. */
function parseInstanceVars(text: string, whole: string, flag: string): InstanceVars {
  const vars: InstanceVars = {};
  for (const pair of splitOutsideQuotes(text, ',')) {
    const colon = pair.indexOf(':');
    const key = pair.slice(0, colon).trim();
    if (colon < 0 || key === '') {
      throw new CliError(`${flag} ${JSON.stringify(whole)}: the instance var ${JSON.stringify(pair)} is not key:value`, `write ${flag} my-app/pr:12,branch:main`);
    }
    setVar(vars, key, parseScalar(pair.slice(colon + 1), key, flag));
  }
  return vars;
}

function parseScalar(text: string, key: string, flag: string): unknown {
  let value: unknown;
  try {
    value = parseYaml(text.trim() === '' ? '""' : text);
  } catch (cause) {
    throw new CliError(`${flag}: the value of instance var ${key} is not a YAML scalar: ${(cause as Error).message.split('\n')[0]}`, `quote it, e.g. ${key}:"${text.trim()}"`);
  }
  if (typeof value === 'object' && value !== null) {
    throw new CliError(`${flag}: the value of instance var ${key} is a ${Array.isArray(value) ? 'list' : 'mapping'}, not a scalar`, `quote it, e.g. ${key}:"${text.trim()}"`);
  }
  return value;
}

function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (const char of text) {
    if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === separator) {
      parts.push(current);
      current = '';
      continue;
    }
    current += char;
  }
  parts.push(current);
  return parts;
}

/** Quotes only what would otherwise read back as another value (a string "12", or one with a comma). */
function formatInstanceValue(value: unknown): string {
  if (typeof value !== 'string') return JSON.stringify(value);
  const readsBack = !/[,"']/.test(value) && value.trim() === value && value !== '' && parseScalarQuietly(value) === value;
  return readsBack ? value : JSON.stringify(value);
}

function parseScalarQuietly(text: string): unknown {
  try {
    return parseYaml(text);
  } catch {
    return undefined;
  }
}
