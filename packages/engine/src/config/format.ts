import { isAlias, isMap, isNode, isScalar, isSeq, parseDocument, visit, type Node as YamlNode, type Pair, type YAMLMap } from 'yaml';
import { error, type Problem } from './problem.js';
import { CONCOURSE_YAML_OPTIONS, isMisreadNaN, readYaml } from './yaml-source.js';
import { isDeepStrictEqual } from 'node:util';

type Context = 'pipeline' | 'resource' | 'resource_type' | 'job' | 'step' | 'task' | 'image_resource' | 'run' | 'group' | 'var_source' | 'in_parallel' | 'across' | 'other';

const HOOKS = ['on_success', 'on_failure', 'on_error', 'on_abort', 'ensure'];
const STEP_ORDER = [
  'get', 'put', 'task', 'set_pipeline', 'load_var', 'in_parallel', 'do', 'try', 'run',
  'resource', 'type', 'message', 'passed', 'trigger', 'version', 'inputs', 'image', 'privileged', 'file', 'config',
  'format', 'reveal', 'team', 'instance_vars', 'vars', 'var_files', 'expire_after', 'params', 'get_params', 'no_get',
  'input_mapping', 'output_mapping', 'container_limits', 'hermetic',
  'across', 'fail_fast', 'tags', 'timeout', 'attempts', ...HOOKS,
];

/** The canonical order of keys in each kind of mapping; keys not listed keep their order after these. */
const ORDER: Record<Exclude<Context, 'other'>, string[]> = {
  pipeline: ['var_sources', 'resource_types', 'resources', 'prototypes', 'jobs', 'teardown_job', 'groups', 'display'],
  resource: ['name', 'old_name', 'type', 'icon', 'source', 'version', 'check_every', 'check_timeout', 'webhook_token', 'tags', 'public', 'expose_build_created_by'],
  resource_type: ['name', 'type', 'source', 'privileged', 'params', 'defaults', 'check_every', 'tags'],
  job: ['name', 'old_name', 'public', 'serial', 'serial_groups', 'max_in_flight', 'interruptible', 'disable_manual_trigger', 'build_log_retention', 'build_logs_to_retain', 'plan', ...HOOKS],
  step: STEP_ORDER,
  task: ['platform', 'image_resource', 'rootfs_uri', 'inputs', 'outputs', 'caches', 'params', 'run', 'container_limits'],
  image_resource: ['type', 'source', 'params', 'version'],
  run: ['path', 'args', 'dir', 'user'],
  group: ['name', 'jobs', 'resources'],
  var_source: ['name', 'type', 'config'],
  in_parallel: ['limit', 'fail_fast', 'steps'],
  across: ['var', 'values', 'max_in_flight'],
};

export interface FormatResult {
  /** The formatted text; undefined when the input could not be formatted safely. */
  text?: string;
  problems: Problem[];
}

/**
 * Rewrites a pipeline (or task config) with keys in a canonical order, keeping comments, anchors
 * and quoting. Formatting is refused rather than risked: if the result would mean anything
 * different from the input, nothing is returned.
 */
export function formatConfig(text: string): FormatResult {
  const before = readYaml(text);
  const errors = before.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0 || before.value === undefined) return { problems: errors };

  // yaml settles blank lines around comments one step per pass; a few passes reach the fixed point.
  let formatted = text;
  for (let pass = 0; pass < 4; pass++) {
    const next = formatOnce(formatted);
    if (next === undefined) return { problems: [unsafeProblem()] };
    if (next === formatted) break;
    formatted = next;
  }
  const after = readYaml(formatted);
  if (after.problems.some((p) => p.severity === 'error') || !isDeepStrictEqual(after.value, before.value)) {
    return { problems: [unsafeProblem()] };
  }
  return { text: formatted, problems: [] };
}

function unsafeProblem(): Problem {
  const unsafe = error('format-unsafe', [], 'formatting would change what the file means, so it was left as it is', 'please report this file to the weir maintainers');
  return { ...unsafe, line: 1, column: 1, offset: 0, endOffset: 1 };
}

/** One formatting pass; undefined when yaml finds a problem that the reader did not. */
function formatOnce(text: string): string | undefined {
  const doc = parseDocument(text, CONCOURSE_YAML_OPTIONS);
  if (doc.errors.length > 0) return undefined;
  visit(doc, {
    Scalar(_, node) {
      if (isMisreadNaN(node.value, node.source)) node.value = String(node.source);
    },
  });
  const root = doc.contents;
  if (isMap(root)) {
    const isTask = !root.has('jobs') && (root.has('run') || root.has('platform'));
    // A comment above the first key is the file's header; it stays at the top.
    const header = detachLeadingComment(root);
    reorder(root, isTask ? 'task' : 'pipeline');
    if (header) attachLeadingComment(root, header);
  }
  return doc.toString({ lineWidth: 0, indentSeq: true });
}

function detachLeadingComment(map: YAMLMap): string | undefined {
  const first = map.items[0]?.key;
  if (!isNode(first) || !first.commentBefore) return undefined;
  const comment = first.commentBefore;
  first.commentBefore = undefined;
  return comment;
}

function attachLeadingComment(map: YAMLMap, comment: string): void {
  const first = map.items[0]?.key;
  if (!isNode(first)) return;
  first.commentBefore = first.commentBefore ? `${comment}\n${first.commentBefore}` : comment;
}

function reorder(map: YAMLMap, context: Context): void {
  const order = context === 'other' ? undefined : ORDER[context];
  if (order) sortPairs(map, order);
  for (const pair of map.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    descend(pair.value as YamlNode | null, childContext(context, key));
  }
}

/** What the value under `key` is, given the kind of the mapping that holds it. */
function childContext(parent: Context, key: string): { item?: Context; value?: Context } {
  switch (parent) {
    case 'pipeline':
      return (
        { resources: { item: 'resource' }, resource_types: { item: 'resource_type' }, jobs: { item: 'job' }, groups: { item: 'group' }, var_sources: { item: 'var_source' } } as Record<string, { item: Context }>
      )[key] ?? {};
    case 'job':
      if (key === 'plan') return { item: 'step' };
      return HOOKS.includes(key) ? { value: 'step' } : {};
    case 'step':
      if (key === 'do') return { item: 'step' };
      if (key === 'in_parallel') return { item: 'step', value: 'in_parallel' };
      if (key === 'try' || HOOKS.includes(key)) return { value: 'step' };
      if (key === 'config') return { value: 'task' };
      if (key === 'across') return { item: 'across' };
      return {};
    case 'in_parallel':
      return key === 'steps' ? { item: 'step' } : {};
    case 'task':
      if (key === 'image_resource') return { value: 'image_resource' };
      return key === 'run' ? { value: 'run' } : {};
    default:
      return {};
  }
}

function descend(node: YamlNode | null, next: { item?: Context; value?: Context }): void {
  if (!node || isAlias(node)) return;
  if (isMap(node) && next.value) reorder(node, next.value);
  if (isSeq(node) && next.item) {
    for (const item of node.items) if (isMap(item)) reorder(item, next.item);
  }
}

/**
 * Sorts by canonical rank, but never places a pair before a sibling that defines an anchor it
 * aliases: a greedy topological order that takes the best-ranked pair whose anchors are ready.
 */
function sortPairs(map: YAMLMap, order: string[]): void {
  const pairs = map.items as Array<Pair<unknown, unknown>>;
  const rank = (pair: Pair<unknown, unknown>, index: number): number => {
    const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
    if (key === '<<' || (isScalar(pair.key) && typeof pair.key.value === 'symbol')) return -1;
    const at = key === undefined ? -1 : order.indexOf(key);
    return at >= 0 ? at : order.length + index / (pairs.length + 1);
  };
  const info = pairs.map((pair, index) => ({ pair, index, rank: rank(pair, index), ...anchorsOf(pair) }));
  const placed: typeof info = [];
  const defined = new Set<string>();
  const remaining = [...info];
  while (remaining.length > 0) {
    const candidates = remaining.filter((p) => [...p.uses].every((a) => defined.has(a) || !info.some((o) => o !== p && o.defines.has(a))));
    const pool = candidates.length > 0 ? candidates : remaining;
    const next = pool.reduce((best, p) => (p.rank < best.rank || (p.rank === best.rank && p.index < best.index) ? p : best));
    placed.push(next);
    for (const a of next.defines) defined.add(a);
    remaining.splice(remaining.indexOf(next), 1);
  }
  map.items = placed.map((p) => p.pair);
}

function anchorsOf(pair: Pair<unknown, unknown>): { defines: Set<string>; uses: Set<string> } {
  const defines = new Set<string>();
  const uses = new Set<string>();
  for (const part of [pair.key, pair.value]) {
    if (!isNode(part)) continue;
    visit(part, {
      Node(_, node) {
        if (isAlias(node)) uses.add(node.source);
        else if (node.anchor) defines.add(node.anchor);
      },
    });
  }
  for (const a of defines) uses.delete(a);
  return { defines, uses };
}
