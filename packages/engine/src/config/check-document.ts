import { booleanKeyWarnings } from './boolean-keys.js';
import { displayPath } from './display-path.js';
import { hasErrors, error, type Problem } from './problem.js';
import type { SchemaChecker } from './schema-check.js';
import { interpolateVars, type StaticVars } from './vars.js';
import { readYaml, type SourceMap } from './yaml-source.js';
import { asRecord, records, asString, type LooseRecord } from './loose.js';

export interface CheckDocumentOptions {
  /** Shown in problems; not read. */
  file?: string;
  vars?: StaticVars;
  /** Missing vars fail `set-pipeline` but only warn in `validate`, which runs without secrets. */
  missingVars?: 'error' | 'warning';
  /** Vars weir's secret store holds: they stay `((references))`, looked up at run time. */
  isStoredSecret?: (name: string) => boolean;
}

export interface CheckedDocument<T> {
  /** The typed config, present only when there is no error. */
  config?: T;
  /** Every problem, errors and warnings, in the order they appear in the file. */
  problems: Problem[];
}

export interface DocumentKind {
  /** "pipeline" or "task config", for messages. */
  subject: string;
  schema: SchemaChecker;
  rules: (config: LooseRecord) => Problem[];
  /** Refuses a document too large to check further, before the layers whose cost grows with it. */
  sizeLimits?: (document: LooseRecord) => Problem[];
  /** Drops problems that a more precise one already explains. */
  reconcile?: (problems: Problem[]) => Problem[];
}

/**
 * The layers every config file goes through: YAML (with positions), vars, JSON Schema, semantic
 * rules. Each layer reports problems instead of throwing, and every problem ends up with a line,
 * a column and a readable path.
 */
export function checkDocument<T>(text: string, kind: DocumentKind, options: CheckDocumentOptions): CheckedDocument<T> {
  const read = readYaml(text);
  const problems = [...read.problems];
  if (hasErrors(problems) || read.value === undefined) return finish(undefined);

  let root: unknown = read.value;
  const record = asRecord(root);
  if (!record) {
    const what = root === null ? 'the file is empty' : `the file holds ${Array.isArray(root) ? 'a list' : 'a single value'}, not a mapping`;
    problems.push(error(root === null ? 'empty-document' : 'not-a-mapping', [], `${what}; a ${kind.subject} is a mapping of keys`, kind.subject === 'pipeline' ? 'start with `resources:` and `jobs:`' : 'start with `platform:` and `run:`'));
    return finish(undefined);
  }

  const tooLarge = kind.sizeLimits?.(record) ?? [];
  if (tooLarge.length > 0) {
    problems.push(...tooLarge);
    return finish(root);
  }

  problems.push(...booleanKeyWarnings(root, read));
  const varSources = new Set(records(record.var_sources).map(([, s]) => asString(s.name)).filter((n): n is string => n !== undefined));
  const interpolated = interpolateVars(root, read.sourceMap, { vars: options.vars ?? {}, varSources, missing: options.missingVars ?? 'error', ...(options.isStoredSecret && { isStoredSecret: options.isStoredSecret }) });
  root = interpolated.value;
  problems.push(...interpolated.problems);
  problems.push(...kind.schema.check(root));
  problems.push(...kind.rules(root as LooseRecord));
  if (kind.reconcile) problems.splice(0, problems.length, ...kind.reconcile(problems));
  return finish(root);

  function finish(value: unknown): CheckedDocument<T> {
    const located = problems.map((p) => locate(p, value, read.sourceMap, options.file));
    located.sort((a, b) => (a.offset ?? 0) - (b.offset ?? 0) || (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
    const result: CheckedDocument<T> = { problems: located };
    if (value !== undefined && !hasErrors(located)) result.config = value as T;
    return result;
  }
}

function locate(problem: Problem, root: unknown, sourceMap: SourceMap, file: string | undefined): Problem {
  const out: Problem = { ...problem };
  if (file !== undefined) out.file = file;
  if (out.offset === undefined) {
    const [start, end] = sourceMap.locate(root, problem.path, problem.at ?? 'value');
    const { line, column } = sourceMap.position(start);
    Object.assign(out, { offset: start, endOffset: Math.max(end, start + 1), line, column });
  }
  out.displayPath = displayPath(root, problem.path);
  return out;
}
