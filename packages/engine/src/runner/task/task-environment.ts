import { WeirError } from '../../errors.js';

/** Variables that describe the build; a param of the same name cannot fake them. */
const BUILD_METADATA = /^(BUILD_|WEIR_)|^ATC_EXTERNAL_URL$/;

/**
 * The task's whole environment: the runner's base environment, then the params (config params
 * overridden by the step's), then the build metadata again so that it always wins, as in Concourse.
 */
export function taskEnvironment(
  baseEnv: Record<string, string>,
  params: Record<string, unknown>,
  location: string,
): Record<string, string> {
  const env: Record<string, string> = { ...baseEnv };
  for (const [name, value] of Object.entries(params)) {
    if (BUILD_METADATA.test(name) && Object.hasOwn(baseEnv, name)) continue;
    env[name] = paramValue(name, value, location);
  }
  return env;
}

/** Strings as they are, JSON for structures (Concourse does the same), "" for a declared but unset param. */
function paramValue(name: string, value: unknown, location: string): string {
  if (name === '' || name.includes('=') || name.includes('\0')) {
    throw new WeirError('task-param-invalid', `param "${name}" cannot be an environment variable name`, {
      location,
      hint: 'use a name without "=" (letters, digits and _ are safest)',
    });
  }
  const text = value === null || value === undefined ? '' : typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (text.includes('\0')) {
    throw new WeirError('task-param-invalid', `param "${name}" contains a NUL character, which an environment variable cannot hold`, {
      location,
      hint: 'remove the NUL character, or pass the value in a file through an input',
    });
  }
  return text;
}

/** What a task inherits from the engine's own environment: enough to find programs, nothing secret. */
const HOST_VARIABLES = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'USER'];

export function hostEnvironment(env: Readonly<Record<string, string | undefined>> = process.env): Record<string, string> {
  const inherited: Record<string, string> = {};
  for (const name of HOST_VARIABLES) {
    const value = env[name];
    if (value !== undefined) inherited[name] = value;
  }
  return inherited;
}
