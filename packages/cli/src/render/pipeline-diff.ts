import { isDeepStrictEqual } from 'node:util';
import { structuredPatch } from 'diff';
import { stringify } from 'yaml';
import type { Palette } from './palette.js';

export type ChangeKind = 'added' | 'removed' | 'changed';

/** One named entry of a pipeline (a resource, a job, ...) or one other top-level key that differs. */
export interface ConfigChange {
  /** "resource", "job", ..., or the top-level key itself, e.g. "display". */
  what: string;
  /** The entry's name; empty for a top-level key. */
  name: string;
  kind: ChangeKind;
  before?: unknown;
  after?: unknown;
}

/** The lists of a pipeline whose entries have a `name`, so they are compared entry by entry. */
const NAMED_SECTIONS: ReadonlyArray<readonly [key: string, what: string]> = [
  ['var_sources', 'var source'],
  ['resource_types', 'resource type'],
  ['resources', 'resource'],
  ['jobs', 'job'],
  ['groups', 'group'],
];

/**
 * What setting `after` over `before` changes, entry by entry; `before` is undefined for a new
 * pipeline. Entries keep the order of the new config, removed ones follow.
 */
export function diffPipelineConfigs(before: Readonly<Record<string, unknown>> | undefined, after: Readonly<Record<string, unknown>>): ConfigChange[] {
  const old = plain(before ?? {}) as Record<string, unknown>;
  const next = plain(after) as Record<string, unknown>;
  const changes: ConfigChange[] = [];
  for (const [key, what] of NAMED_SECTIONS) {
    const oldEntries = byName(old[key]);
    const newEntries = byName(next[key]);
    for (const [name, entry] of newEntries) {
      const previous = oldEntries.get(name);
      if (previous === undefined) changes.push({ what, name, kind: 'added', after: entry });
      else if (!isDeepStrictEqual(previous, entry)) changes.push({ what, name, kind: 'changed', before: previous, after: entry });
    }
    for (const [name, entry] of oldEntries) {
      if (!newEntries.has(name)) changes.push({ what, name, kind: 'removed', before: entry });
    }
  }
  const named = new Set(NAMED_SECTIONS.map(([key]) => key));
  const otherKeys = [...new Set([...Object.keys(next), ...Object.keys(old)])].filter((key) => !named.has(key));
  for (const key of otherKeys) {
    const [was, is] = [old[key], next[key]];
    if (was === undefined) changes.push({ what: key, name: '', kind: 'added', after: is });
    else if (is === undefined) changes.push({ what: key, name: '', kind: 'removed', before: was });
    else if (!isDeepStrictEqual(was, is)) changes.push({ what: key, name: '', kind: 'changed', before: was, after: is });
  }
  return changes;
}

/** Each change with its YAML: all of it for an added or removed entry, a unified diff for a changed one. */
export function renderPipelineDiff(changes: readonly ConfigChange[], paint: Palette): string {
  return changes.map((change) => `${paint.bold(title(change))}\n${body(change, paint)}`).join('\n');
}

/** `2 added, 1 changed, 0 removed`. */
export function summarizeChanges(changes: readonly ConfigChange[]): string {
  const count = (kind: ChangeKind): number => changes.filter((c) => c.kind === kind).length;
  return `${count('added')} added, ${count('changed')} changed, ${count('removed')} removed`;
}

function title(change: ConfigChange): string {
  const subject = change.name === '' ? change.what : `${change.what} ${change.name}`;
  return `${subject} ${change.kind === 'changed' ? 'has changed' : `has been ${change.kind}`}:`;
}

function body(change: ConfigChange, paint: Palette): string {
  if (change.kind === 'added') return prefixLines(toYaml(change.after), '+ ', paint.green);
  if (change.kind === 'removed') return prefixLines(toYaml(change.before), '- ', paint.red);
  const after = toYaml(change.after);
  // The stored config comes back with sorted keys; in the file's order the diff shows only what changed.
  const before = toYaml(orderLike(change.before, change.after));
  const patch = structuredPatch('stored', 'new', before, after, undefined, undefined, { context: 3 });
  return patch.hunks
    .map((hunk) =>
      hunk.lines
        .filter((line) => !line.startsWith('\\'))
        .map((line) => {
          const text = line.slice(1);
          if (line.startsWith('+')) return paint.green(`+ ${text}`);
          if (line.startsWith('-')) return paint.red(`- ${text}`);
          return `  ${text}`;
        })
        .map((line) => `${line.trimEnd()}\n`)
        .join(''),
    )
    .join(`${paint.dim('  ...')}\n`);
}

function prefixLines(text: string, prefix: string, color: (text: string) => string): string {
  return text
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => `${color(`${prefix}${line}`.trimEnd())}\n`)
    .join('');
}

function toYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });
}

/** `value` with its mapping keys in the order `template` has them; keys only in `value` follow. */
export function orderLike(value: unknown, template: unknown): unknown {
  if (Array.isArray(value)) return value.map((item, index) => orderLike(item, Array.isArray(template) ? template[index] : undefined));
  if (!isMapping(value)) return value;
  const shape = isMapping(template) ? template : {};
  const keys = [...Object.keys(shape).filter((key) => key in value), ...Object.keys(value).filter((key) => !(key in shape))];
  return Object.fromEntries(keys.map((key) => [key, orderLike(value[key], shape[key])]));
}

function byName(list: unknown): Map<string, unknown> {
  const entries = new Map<string, unknown>();
  if (!Array.isArray(list)) return entries;
  list.forEach((entry, index) => {
    const name = isMapping(entry) && typeof entry.name === 'string' ? entry.name : `#${index + 1}`;
    entries.set(name, entry);
  });
  return entries;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** As the engine stores it: JSON, so a value read from YAML and one read back from the engine compare equal. */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}
