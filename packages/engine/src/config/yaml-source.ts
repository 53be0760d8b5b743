import {
  LineCounter,
  parseAllDocuments,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  visit,
  type Document,
  type Node as YamlNode,
  type SchemaOptions,
  type Range,
} from 'yaml';
import { readYamlFast } from './fast-yaml.js';
import { setOwn } from './set-var.js';
import { error, warning, type PathSegment, type Problem } from './problem.js';

export { setOwn };

/** Where one container came from: its own range, and per key (or index) the range of the key and of the value. */
export interface ContainerSpan {
  range: [number, number];
  keys: Map<PathSegment, [number, number]>;
  values: Map<PathSegment, [number, number]>;
}

/**
 * Maps the plain JS containers built from a YAML document back to their text ranges. Containers
 * made from an alias point at the anchored node, so a problem inside shared YAML is shown where
 * the shared YAML is written.
 */
export class SourceMap {
  private readonly spans = new WeakMap<object, ContainerSpan | (() => ContainerSpan)>();

  constructor(readonly text: string, private readonly lineCounter: LineCounter) {}

  /** A span, or a function that builds it when a position inside the container is first asked for. */
  record(container: object, span: ContainerSpan | (() => ContainerSpan)): void {
    this.spans.set(container, span);
  }

  private span(container: object): ContainerSpan | undefined {
    const recorded = this.spans.get(container);
    if (typeof recorded !== 'function') return recorded;
    const built = recorded();
    this.spans.set(container, built);
    return built;
  }

  /** What was recorded for one container; for comparing two readers' maps. */
  spanOf(container: object): Readonly<ContainerSpan> | undefined {
    return this.span(container);
  }

  /** Keeps the position of a key when interpolation renames it. */
  renameKey(container: object, from: string, to: string): void {
    const span = this.span(container);
    if (!span) return;
    for (const ranges of [span.keys, span.values]) {
      const range = ranges.get(from);
      if (range) {
        ranges.delete(from);
        ranges.set(to, range);
      }
    }
  }

  /**
   * The text range for a path into `root`. `at: 'key'` points at the key itself (for unknown or
   * duplicate keys); otherwise at the value. A path that leaves the recorded tree (a missing key,
   * a value that came from a var) resolves to the deepest place that exists.
   */
  locate(root: unknown, path: readonly PathSegment[], at: 'key' | 'value' = 'value'): [number, number] {
    let node: unknown = root;
    let best: [number, number] = [0, 0];
    const rootSpan = isObject(root) ? this.span(root) : undefined;
    if (rootSpan) best = rootSpan.range;
    for (let i = 0; i < path.length; i++) {
      if (!isObject(node)) break;
      const span = this.span(node);
      const segment = path[i] as PathSegment;
      if (!span) break;
      const last = i === path.length - 1;
      const keyRange = span.keys.get(segment);
      const valueRange = span.values.get(segment);
      const chosen = last && at === 'key' ? (keyRange ?? valueRange) : (valueRange ?? keyRange);
      if (!chosen) break;
      best = chosen;
      node = (node as Record<PathSegment, unknown>)[segment];
    }
    return best;
  }

  position(offset: number): { line: number; column: number } {
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, column: col };
  }
}

export interface ReadYamlOptions {
  /** Larger files are refused before parsing, so a runaway file cannot take the process down. */
  maxBytes?: number;
  /** Nodes that alias expansion may produce in total ("billion laughs" stops here). */
  maxNodes?: number;
  maxDepth?: number;
}

export interface YamlReadResult {
  /** `undefined` when the text has no usable document. */
  value: unknown;
  sourceMap: SourceMap;
  problems: Problem[];
  /**
   * Whether some plain scalar was read as a boolean from a word other than true or false (`no`,
   * `on`, `y`); undefined when the reader did not keep count.
   */
  booleanWords?: boolean;
}

/**
 * YAML as go-yaml v2 reads it: version 1.1, but timestamps and base-60 numbers left as strings
 * (go-yaml never read `22:30` as 81000, and real pipelines write times that way); duplicates are
 * reported by us.
 */
export const CONCOURSE_YAML_OPTIONS: { version: '1.1'; uniqueKeys: false; customTags: CustomTags } = {
  version: '1.1',
  uniqueKeys: false,
  customTags: (tags) =>
    tags.filter((tag) => (typeof tag === 'string' ? tag !== 'timestamp' : tag.tag !== 'tag:yaml.org,2002:timestamp' && tag.format !== 'TIME')),
};

type CustomTags = Extract<NonNullable<SchemaOptions['customTags']>, (tags: never) => unknown>;

/** yaml's YAML 1.1 float pattern also matches a bare "." (read as NaN); go-yaml keeps it a string. */
export function isMisreadNaN(value: unknown, source: unknown): boolean {
  return typeof value === 'number' && Number.isNaN(value) && !/^[-+]?\.nan$/i.test(String(source));
}

export const DEFAULT_YAML_LIMITS: Required<ReadYamlOptions> = {
  maxBytes: 8 * 1024 * 1024,
  maxNodes: 1_000_000,
  maxDepth: 200,
};

/**
 * Reads YAML the way Concourse does (go-yaml v2, so YAML 1.1: `yes`/`on` are booleans, `<<` merges,
 * timestamps stay strings) into plain JS values, keeping where every value came from.
 */
export function readYaml(text: string, options: ReadYamlOptions = {}): YamlReadResult {
  const limits = { ...DEFAULT_YAML_LIMITS, ...options };
  if (Buffer.byteLength(text, 'utf8') <= limits.maxBytes && !text.includes('\u0000')) {
    const fast = readYamlFast(text, limits);
    if (fast) return { ...fast, problems: [] };
  }
  return readYamlSlow(text, options);
}

/**
 * readYaml without its fast path: the reference the fast path is tested against, and what runs
 * whenever the fast path cannot be sure of giving the same result (every file with a problem).
 */
export function readYamlSlow(text: string, options: ReadYamlOptions = {}): YamlReadResult {
  const limits = { ...DEFAULT_YAML_LIMITS, ...options };
  const lineCounter = new LineCounter();
  const sourceMap = new SourceMap(text, lineCounter);
  const problems: Problem[] = [];

  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > limits.maxBytes) {
    problems.push(
      at(0, error(
        'file-too-large',
        [],
        `the file is ${formatBytes(bytes)}, more than the ${formatBytes(limits.maxBytes)} weir reads`,
        'split the pipeline, or move large data out of it (into a task file or a resource)',
      )),
    );
    return { value: undefined, sourceMap, problems };
  }
  const nul = text.indexOf('\u0000');
  if (nul >= 0) {
    problems.push(at(nul, error('not-text', [], 'the file contains NUL bytes: it is binary, not YAML', 'check that the right file was given')));
    return { value: undefined, sourceMap, problems };
  }

  let documents: Document.Parsed[];
  try {
    documents = parseAllDocuments(text, { ...CONCOURSE_YAML_OPTIONS, lineCounter, prettyErrors: false }) as Document.Parsed[];
  } catch (cause) {
    problems.push(error('yaml-unreadable', [], `the YAML parser gave up: ${describe(cause)}`, 'simplify the file (very deep nesting is the usual cause)'));
    return { value: undefined, sourceMap, problems };
  }
  if (!Array.isArray(documents)) documents = [];

  for (const doc of documents) {
    for (const e of doc.errors) problems.push(located(error(`yaml-${e.code.toLowerCase().replaceAll('_', '-')}`, [], e.message.split('\n')[0] ?? e.message), e.pos));
    for (const w of doc.warnings) problems.push(located(warning(`yaml-${w.code.toLowerCase().replaceAll('_', '-')}`, [], w.message.split('\n')[0] ?? w.message), w.pos));
  }
  if (documents.length > 1) {
    const second = documents[1] as Document.Parsed;
    problems.push(
      located(
        error('yaml-multiple-documents', [], `the file holds ${documents.length} YAML documents; a pipeline is one`, 'remove the extra `---` separators or split the file'),
        second.range ? [second.range[0], second.range[0] + 3] : [0, 0],
      ),
    );
  }
  if (problems.some((p) => p.severity === 'error')) return { value: undefined, sourceMap, problems };
  const first = documents[0];
  if (!first) {
    // yaml drops directives that no document follows, without a word.
    const directive = /^%/m.exec(text);
    if (directive) {
      problems.push(at(directive.index, error('yaml-directive-without-document', [], 'a YAML directive (a line starting with %) must be followed by a document', 'remove the directive, or add `---` and the content after it')));
      return { value: undefined, sourceMap, problems };
    }
    // Empty text, or only comments, has no document at all: that is an empty value.
    return { value: null, sourceMap, problems };
  }

  const aliases: AliasTargets = text.includes('*') ? resolveAliases(first) : new Map();
  const oversize = first.contents === null ? undefined : measure(aliases, first.contents as YamlNode, limits);
  if (oversize) {
    const range = rangeOf(oversize.node);
    const { line, column } = sourceMap.position(range[0]);
    problems.push({ ...oversize.problem, line, column, offset: range[0], endOffset: Math.max(range[1], range[0] + 1) });
    return { value: undefined, sourceMap, problems };
  }

  const builder = new ValueBuilder(aliases, sourceMap, limits, problems);
  let value: unknown;
  try {
    value = first.contents === null ? null : builder.build(first.contents as YamlNode, 0);
  } catch (cause) {
    if (!(cause instanceof BuildAborted)) throw cause;
    value = undefined;
  }
  return { value, sourceMap, problems };

  /** Position without a parse: the text is not (or not yet) known to be YAML. */
  function at(offset: number, problem: Problem): Problem {
    const before = text.slice(0, offset);
    const line = before.split('\n').length;
    const column = offset - before.lastIndexOf('\n');
    return { ...problem, line, column, offset, endOffset: offset + 1 };
  }

  function located(problem: Problem, pos: readonly [number, number]): Problem {
    const { line, column } = sourceMap.position(pos[0]);
    return { ...problem, line, column, offset: pos[0], endOffset: Math.max(pos[1], pos[0] + 1) };
  }
}

/**
 * Checks the size and depth the document will have once aliases are expanded, without expanding
 * them: each anchored node is measured once. An alias bomb is refused in microseconds instead of
 * after building a million values.
 */
function measure(aliases: AliasTargets, root: YamlNode, limits: Required<ReadYamlOptions>): { node: YamlNode; problem: Problem } | undefined {
  const sizes = new Map<YamlNode, { size: number; depth: number }>();
  const inProgress = new Set<YamlNode>();
  let failure: { node: YamlNode; problem: Problem } | undefined;

  const visit = (node: YamlNode | null, depth: number): { size: number; depth: number } => {
    if (failure || node === null) return { size: 0, depth: 0 };
    if (depth > limits.maxDepth) {
      failure = { node, problem: error('yaml-too-deep', [], `values are nested more than ${limits.maxDepth} levels deep`, 'flatten the structure') };
      return { size: 0, depth: 0 };
    }
    if (isAlias(node)) {
      const target = aliases.get(node);
      if (!target || inProgress.has(target)) return { size: 1, depth: 0 };
      return visit(target, depth);
    }
    const known = sizes.get(node);
    if (known) {
      if (depth + known.depth > limits.maxDepth) {
        failure = { node, problem: error('yaml-too-deep', [], `values are nested more than ${limits.maxDepth} levels deep`, 'flatten the structure') };
      }
      return known;
    }
    let size = 1;
    let deepest = 0;
    if (isSeq(node) || isMap(node)) {
      inProgress.add(node);
      for (const item of node.items as unknown[]) {
        const children = isPair(item) ? [item.key as YamlNode | null, item.value as YamlNode | null] : [item as YamlNode | null];
        for (const child of children) {
          const measured = visit(child, depth + 1);
          size += measured.size;
          deepest = Math.max(deepest, measured.depth + 1);
        }
        if (size > limits.maxNodes && !failure) {
          failure = { node, problem: tooManyValues(limits.maxNodes, aliases.size > 0, []) };
        }
        if (failure) break;
      }
      inProgress.delete(node);
    }
    const result = { size, depth: deepest };
    sizes.set(node, result);
    return result;
  };

  try {
    visit(root, 0);
  } catch (cause) {
    if (!(cause instanceof RangeError)) throw cause;
    return { node: root, problem: error('yaml-too-deep', [], 'the document is nested too deeply to read', 'flatten the structure') };
  }
  return failure;
}

type AliasTargets = Map<YamlNode, YamlNode>;

/**
 * Over the value limit: with aliases, most likely an alias bomb; without, a file that is simply
 * too large (a generated pipeline of 200,000 jobs), which must not be blamed on aliases.
 */
function tooManyValues(limit: number, hasAliases: boolean, path: PathSegment[]): Problem {
  return hasAliases
    ? error('yaml-too-many-nodes', path, `expanding aliases produces more than ${limit} values`, 'this looks like an alias bomb; use fewer nested aliases')
    : error('yaml-too-many-nodes', path, `the file holds more than ${limit} values, more than weir reads in one pipeline`, 'split it into several pipelines (one per team, service or environment), or generate fewer jobs and resources');
}

/**
 * Finds what every alias refers to in one pass: the latest node before it with that anchor.
 * yaml's own `Alias.resolve` searches the whole document on each call, which made a 66 KB
 * pipeline with many aliases take over a second to read.
 */
function resolveAliases(doc: Document.Parsed): AliasTargets {
  const anchors = new Map<string, YamlNode>();
  const targets: AliasTargets = new Map();
  visit(doc, {
    Node(_, node) {
      if (isAlias(node)) {
        const target = anchors.get(node.source);
        if (target) targets.set(node, target);
      } else if (node.anchor) {
        anchors.set(node.anchor, node);
      }
    },
  });
  return targets;
}

/** Thrown inside the builder only, to stop at the first limit that is exceeded. */
class BuildAborted extends Error {}

class ValueBuilder {
  private nodes = 0;
  private readonly inProgress = new Set<YamlNode>();

  constructor(
    private readonly aliases: AliasTargets,
    private readonly sourceMap: SourceMap,
    private readonly limits: Required<ReadYamlOptions>,
    private readonly problems: Problem[],
  ) {}

  build(node: YamlNode, depth: number): unknown {
    if (++this.nodes > this.limits.maxNodes) {
      const problem = tooManyValues(this.limits.maxNodes, this.aliases.size > 0, []);
      this.abort(problem.code, node, problem.message, problem.hint!);
    }
    if (depth > this.limits.maxDepth) {
      this.abort('yaml-too-deep', node, `values are nested more than ${this.limits.maxDepth} levels deep`, 'flatten the structure');
    }
    if (isAlias(node)) {
      const target = this.aliases.get(node);
      if (!target) this.abort('yaml-unknown-alias', node, `alias *${node.source} names no anchor`, 'define the anchor (&name) before using it');
      if (this.inProgress.has(target)) this.abort('yaml-alias-cycle', node, `alias *${node.source} refers to a value that contains itself`, 'break the cycle');
      return this.build(target, depth);
    }
    if (isScalar(node)) {
      const v = node.value;
      if (v instanceof Uint8Array || typeof v === 'symbol') return node.source;
      if (isMisreadNaN(v, node.source)) return String(node.source);
      return v;
    }
    if (isSeq(node) || isMap(node)) {
      this.inProgress.add(node);
      try {
        return isSeq(node) ? this.buildSeq(node, depth) : this.buildMap(node, depth);
      } finally {
        this.inProgress.delete(node);
      }
    }
    return null;
  }

  private buildSeq(node: YamlNode & { items: unknown[] }, depth: number): unknown[] {
    const out: unknown[] = [];
    const span = this.emptySpan(node);
    node.items.forEach((item, index) => {
      const child = item as YamlNode | null;
      out.push(child === null ? null : this.build(child, depth + 1));
      const r = child && 'range' in child ? rangeOf(child) : span.range;
      span.keys.set(index, r);
      span.values.set(index, r);
    });
    this.sourceMap.record(out, span);
    return out;
  }

  private buildMap(node: YamlNode & { items: unknown[] }, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const span = this.emptySpan(node);
    const merges: YamlNode[] = [];
    for (const item of node.items) {
      if (!isPair(item)) continue;
      const keyNode = item.key as YamlNode | null;
      const valueNode = item.value as YamlNode | null;
      if (isScalar(keyNode) && (keyNode.source === '<<' || typeof keyNode.value === 'symbol')) {
        if (valueNode) merges.push(valueNode);
        continue;
      }
      const key = this.keyOf(keyNode, node);
      const keyRange = keyNode ? rangeOf(keyNode) : span.range;
      if (span.keys.has(key)) {
        const first = span.keys.get(key) as [number, number];
        const { line } = this.sourceMap.position(first[0]);
        this.report(error('yaml-duplicate-key', [], `key "${key}" appears twice in one mapping (first on line ${line})`, 'remove one of them; YAML keeps only one and Concourse rejects the file'), keyRange);
        continue;
      }
      setOwn(out, key, valueNode === null ? null : this.build(valueNode, depth + 1));
      span.keys.set(key, keyRange);
      span.values.set(key, valueNode ? rangeOf(valueNode) : keyRange);
    }
    for (const merge of merges) this.mergeInto(out, span, merge, depth);
    this.sourceMap.record(out, span);
    return out;
  }

  /** `<<` adds the keys a mapping does not set itself; with a list, earlier mappings win. */
  private mergeInto(out: Record<string, unknown>, span: ContainerSpan, merge: YamlNode, depth: number): void {
    const resolved = isAlias(merge) ? this.aliases.get(merge) : merge;
    const sources = isSeq(resolved) ? (resolved.items as YamlNode[]) : [merge];
    for (const source of sources) {
      const value = this.build(source, depth + 1);
      if (!isObject(value) || Array.isArray(value)) {
        this.report(error('yaml-bad-merge', [], 'a `<<` merge key needs a mapping or a list of mappings', 'merge an anchored mapping, e.g. `<<: *defaults`'), rangeOf(source));
        continue;
      }
      const from = this.sourceMap;
      for (const [key, v] of Object.entries(value)) {
        if (span.keys.has(key)) continue;
        setOwn(out, key, v);
        const r = from.locate(value, [key], 'key');
        span.keys.set(key, r);
        span.values.set(key, from.locate(value, [key]));
      }
    }
  }

  private keyOf(keyNode: YamlNode | null, map: YamlNode): string {
    if (keyNode === null) return '';
    if (isAlias(keyNode)) return this.keyOf(this.aliases.get(keyNode) ?? null, map);
    if (isScalar(keyNode)) {
      const v = keyNode.value;
      return v === null ? 'null' : typeof v === 'symbol' ? String(keyNode.source) : String(v);
    }
    this.abort('yaml-complex-key', keyNode, 'a mapping key must be a plain value, not a list or mapping', 'use a string key');
  }

  private emptySpan(node: YamlNode): ContainerSpan {
    return { range: rangeOf(node), keys: new Map(), values: new Map() };
  }

  private report(problem: Problem, range: [number, number]): void {
    const { line, column } = this.sourceMap.position(range[0]);
    this.problems.push({ ...problem, line, column, offset: range[0], endOffset: range[1] });
  }

  private abort(code: string, node: YamlNode, message: string, hint: string): never {
    this.report(error(code, [], message, hint), rangeOf(node));
    throw new BuildAborted(code);
  }
}

function rangeOf(node: YamlNode): [number, number] {
  const range = (node as { range?: Range | null }).range;
  return range ? [range[0], range[1]] : [0, 0];
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}


function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${Math.ceil(n / 1024)} KiB`;
}
