import { error, warning, type PathSegment, type Problem } from './problem.js';
import { looksLikeSecretName } from './secret-name.js';
import { setOwn, type SourceMap } from './yaml-source.js';

/** A parsed `((source:path.field.field))` reference. */
export interface VarReference {
  /** The var source name; `.` means a local var set by `load_var` or `across` at run time. */
  source?: string;
  path: string;
  fields: string[];
  /** The text between the parentheses, as written. */
  raw: string;
}

/** Concourse's grammar: an optional source name, then path and fields; quotes protect dots. */
const REFERENCE = /\(\((([-/.\w\p{L}]+:)?[-/.:@"\w\p{L}]+)\)\)/gu;
const WHOLE_REFERENCE = new RegExp(`^${REFERENCE.source}$`, 'u');

export function isWholeVarReference(value: unknown): value is string {
  return typeof value === 'string' && WHOLE_REFERENCE.test(value);
}

export function findVarReferences(text: string): string[] {
  if (!text.includes('((')) return [];
  return [...text.matchAll(REFERENCE)].map((m) => m[1] as string);
}

export function parseVarReference(raw: string): VarReference | string {
  if ((raw.match(/"/g)?.length ?? 0) % 2 !== 0) return `var "${raw}" has an unclosed quote`;
  let rest = raw;
  let source: string | undefined;
  const colon = indexOfUnquoted(rest, ':');
  if (colon >= 0) {
    source = rest.slice(0, colon).replaceAll('"', '').trim();
    rest = rest.slice(colon + 1);
  }
  const segments: string[] = [];
  for (;;) {
    const dot = indexOfUnquoted(rest, '.');
    const segment = (dot >= 0 ? rest.slice(0, dot) : rest).trim().replaceAll('"', '');
    if (segment === '') return `var "${raw}" has an empty field`;
    segments.push(segment);
    if (dot < 0) break;
    rest = rest.slice(dot + 1);
  }
  const [path, ...fields] = segments as [string, ...string[]];
  return source === undefined ? { path, fields, raw } : { source, path, fields, raw };
}

function indexOfUnquoted(text: string, char: string): number {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (c === char && !quoted) return i;
  }
  return -1;
}

/** Values for `((name))` references, from `-v`, `-y`, `-l` and instance vars. */
export type StaticVars = Record<string, unknown>;

export type VarLookup = { found: true; value: unknown } | { found: false; reason?: string };

export function lookupVar(vars: StaticVars, ref: VarReference): VarLookup {
  if (!Object.hasOwn(vars, ref.path)) return { found: false };
  let value = vars[ref.path];
  for (const field of ref.fields) {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, field)) {
      return { found: false, reason: `var "${ref.path}" has no field "${field}"` };
    }
    value = (value as Record<string, unknown>)[field];
  }
  return { found: true, value };
}

export interface InterpolateOptions {
  vars: StaticVars;
  /** Names of declared `var_sources`: their vars are fetched at run time, never now. */
  varSources: ReadonlySet<string>;
  /** Missing vars are errors when a pipeline is set, warnings when it is only validated. */
  missing: 'error' | 'warning';
  /**
   * True when weir's secret store holds the var: its reference stays in the config and is
   * looked up each time it is used, never stored interpolated.
   */
  isStoredSecret?: (name: string) => boolean;
}

export interface InterpolationResult {
  value: unknown;
  problems: Problem[];
}

/**
 * Replaces `((vars))` in every key and value, in place, as `fly set-pipeline` does: a value that is
 * exactly one reference takes the var's value with its type; a reference inside a longer string
 * must be a string or number. Local (`((.:x))`) and var-source references stay for run time.
 */
export function interpolateVars(root: unknown, sourceMap: SourceMap, options: InterpolateOptions): InterpolationResult {
  const problems: Problem[] = [];
  const reportedMissing = new Set<string>();
  const warnedSecretLooking = new Set<string>();

  // The path of the value being visited. Copied only when a string holds a reference, because
  // building a fresh path for every node of the document was most of what interpolation cost.
  const path: PathSegment[] = [];

  const visit = (value: unknown): unknown => {
    if (typeof value === 'string') return value.includes('((') ? interpolateString(value, [...path]) : value;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        path.push(i);
        const item = value[i];
        const replaced = visit(item);
        if (replaced !== item) value[i] = replaced;
        path.pop();
      }
      return value;
    }
    if (typeof value === 'object' && value !== null) {
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        path.push(key);
        const old = record[key];
        const child = visit(old);
        const newKey = key.includes('((') ? interpolateString(key, [...path]) : key;
        if (typeof newKey === 'string' && newKey !== key) {
          delete record[key];
          setOwn(record, newKey, child);
          sourceMap.renameKey(record, key, newKey);
        } else if (child !== old) {
          record[key] = child;
        }
        path.pop();
      }
    }
    return value;
  };

  const interpolateString = (text: string, path: PathSegment[]): unknown => {
    const names = findVarReferences(text);
    if (names.length === 0) return text;
    let result = text;
    for (const raw of names) {
      const ref = parseVarReference(raw);
      if (typeof ref === 'string') {
        problems.push(error('var-invalid', path, ref, 'write vars as ((name)), ((name.field)) or ((source:path.field)); quote segments that contain dots'));
        continue;
      }
      if (ref.source !== undefined && (ref.source === '.' || options.varSources.has(ref.source))) continue;
      const lookup = lookupVar(options.vars, ref);
      if (!lookup.found && ref.source === undefined && !Object.hasOwn(options.vars, ref.path) && options.isStoredSecret?.(ref.path)) continue;
      if (!lookup.found) {
        if (ref.source !== undefined) {
          problems.push(error('var-source-unknown', path, `((${raw})) names var source "${ref.source}", which var_sources does not declare`, `declare it under var_sources, or drop the "${ref.source}:" prefix`));
        } else if (!reportedMissing.has(raw)) {
          reportedMissing.add(raw);
          const message = lookup.reason ?? `var ((${raw})) is not defined`;
          const hint = 'pass it with -v name=value, -y name=yaml, -l vars.yml or an instance var; for a secret, store it with `weir secrets set` (or a var source) so it is looked up at run time';
          problems.push(options.missing === 'error' ? error('var-undefined', path, message, hint) : warning('var-undefined', path, message, hint));
        }
        continue;
      }
      const found = lookup.value;
      warnIfSecretLooking(ref, path);
      if (WHOLE_REFERENCE.test(text)) return found;
      if (typeof found === 'string' || typeof found === 'number' || typeof found === 'bigint') {
        result = result.split(`((${raw}))`).join(String(found));
      } else {
        problems.push(error('var-not-scalar', path, `var ((${raw})) holds a ${describeType(found)}, which cannot be placed inside a longer string`, `make the whole value ((${raw})), or point at a string field of it`));
      }
    }
    return result;
  };

  // Static vars are shown in logs and stored as given: a name that says "secret" is probably a mistake.
  const warnIfSecretLooking = (ref: VarReference, path: PathSegment[]): void => {
    const name = [ref.path, ...ref.fields].join('.');
    if (warnedSecretLooking.has(ref.path) || !looksLikeSecretName(name)) return;
    warnedSecretLooking.add(ref.path);
    problems.push(warning('static-var-looks-secret', path, `static var ((${ref.raw})) looks like a secret, but static vars (-v, -y, -l, instance vars) are shown in build logs and stored as given`, `store it with \`weir secrets set ${ref.path}\` (or in a var source) and stop passing it as a static var: values from secret stores are redacted and never stored in clear`));
  };

  // A reference is either written out in the text or made by a double-quoted escape (`\x28(v))`,
  // an escaped line break): text with neither needs no walk.
  const value = sourceMap.text.includes('((') || sourceMap.text.includes('\\') ? visit(root) : root;
  return { value, problems };
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  return typeof value === 'object' ? 'mapping' : typeof value;
}
