import { FAILSAFE_SCHEMA, Type, load, type LoadOptions } from 'js-yaml';
import { LineCounter } from 'yaml';
import { isMisreadNaN, setOwn, SourceMap, type ContainerSpan, type ReadYamlOptions } from './yaml-source.js';

/**
 * A fast reader for the common case: plain, well-formed, single-document YAML. js-yaml parses in
 * a fraction of the time the `yaml` package needs; this file rebuilds from its parse events
 * exactly the value and the source ranges `readYamlSlow` produces (the `yaml` package's ranges,
 * quirks included). Anything it cannot reproduce with certainty makes it give up, and the slow
 * reader runs instead: that is also how every problem gets reported, since the fast reader reports
 * none. test/config/fast-yaml.test.ts holds it to the slow reader on the corpus and on fuzzed input.
 */

/**
 * js-yaml takes a `#` right after a closing quote or bracket, or after a flow collection's
 * opening bracket, comma or a quoted key's colon, for a comment; the `yaml` package wants white space before it. The
 * reader gives up on all of these.
 */
const FLOW_TIGHT_COMMENT = /[[{,:]#/;

/** Thrown to give up; caught at the top so that the slow reader runs. */
class Bail extends Error {}

function bail(): never {
  throw new Bail();
}

/** The plain-scalar resolution of the `yaml` package's YAML 1.1 schema, in its order, without timestamps and base-60 numbers. */
const RESOLVERS: ReadonlyArray<[RegExp, (source: string) => unknown]> = [
  [/^(?:~|[Nn]ull|NULL)?$/, () => null],
  [/^(?:Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/, () => true],
  [/^(?:N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/, () => false],
  [/^[-+]?0b[0-1_]+$/, (s) => parseInteger(s, 2, 2)],
  [/^[-+]?0[0-7_]+$/, (s) => parseInteger(s, 1, 8)],
  [/^[-+]?[0-9][0-9_]*$/, (s) => parseInteger(s, 0, 10)],
  [/^[-+]?0x[0-9a-fA-F_]+$/, (s) => parseInteger(s, 2, 16)],
  [/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/, (s) => (s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? -Infinity : Infinity)],
  [/^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+$/, (s) => parseFloat(s.replace(/_/g, ''))],
  [/^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*$/, (s) => parseFloat(s.replace(/_/g, ''))],
];

/**
 * Which resolvers can match, by first character: null and booleans start with a letter (or `~`),
 * numbers never do (but for an exponent's `e`). Anything else is a string without a test.
 */
const WORD_RESOLVERS = RESOLVERS.slice(0, 3);
const NUMBER_RESOLVERS = RESOLVERS.slice(3);
const STARTS_WORD = /^[~nNyYtTfFoO]/;
const STARTS_NUMBER = /^[-+0-9.eE]/;

function parseInteger(source: string, offset: number, radix: number): number {
  const sign = source[0];
  const digits = source.substring(sign === '-' || sign === '+' ? offset + 1 : offset).replace(/_/g, '');
  const n = parseInt(digits, radix);
  return sign === '-' ? -1 * n : n;
}

/** Keys `<<` must carry js-yaml's merge tag, or two of them in one mapping would be a duplicate key. */
const MERGE = new Type('tag:yaml.org,2002:merge', { kind: 'scalar', resolve: (data: unknown) => data === '<<' });

/**
 * Plain scalars read as booleans from another word than true or false since the last read began:
 * js-yaml calls `construct` without the reader at hand, and reads are synchronous.
 */
let booleanWords = 0;
const TRUE_OR_FALSE = /^(?:true|false)$/i;

/** Resolves every plain scalar, NaN included (keys use it unchanged; values get isMisreadNaN later). */
const YAML_1_1 = new Type('tag:weir,yaml-1.1', {
  kind: 'scalar',
  resolve: () => true,
  construct: (source: string) => {
    const resolvers = STARTS_WORD.test(source) ? WORD_RESOLVERS : STARTS_NUMBER.test(source) ? NUMBER_RESOLVERS : undefined;
    if (resolvers === undefined) return source;
    for (const [test, resolve] of resolvers) {
      if (!test.test(source)) continue;
      const value = resolve(source);
      if (typeof value === 'boolean' && !TRUE_OR_FALSE.test(source)) booleanWords++;
      return value;
    }
    return source;
  },
});

const SCHEMA = FAILSAFE_SCHEMA.extend({ implicit: [MERGE, YAML_1_1] });

/** The part of js-yaml's parser state its listener sees and this file reads (not all of it is in @types/js-yaml). */
interface ParserState {
  position: number;
  kind: string | null;
  result: unknown;
  anchor: string | null;
}

/** One composeNode call of js-yaml: where it began and ended, and the nodes composed inside it. */
interface Frame {
  open: number;
  close: number;
  kind: string | null;
  result: unknown;
  anchor: string | null;
  children: Frame[];
}

interface NodeBase {
  start: number;
  end: number;
  anchor?: string;
}
interface ScalarNode extends NodeBase {
  type: 'scalar';
  value: unknown;
  style: 'plain' | 'quoted' | 'block';
}
interface AliasNode extends NodeBase {
  type: 'alias';
  name: string;
}
interface EmptyNode extends NodeBase {
  type: 'empty';
}
interface MapNode extends NodeBase {
  type: 'map';
  flow: boolean;
  indent: number;
  pairs: Array<[ScalarNode, FastNode]>;
  /** Set once the block collection's end is known (see `finish`). */
  finished: Finished | undefined;
}
interface SeqNode extends NodeBase {
  type: 'seq';
  flow: boolean;
  indent: number;
  items: FastNode[];
  finished: Finished | undefined;
}
type FastNode = ScalarNode | AliasNode | EmptyNode | MapNode | SeqNode;
type BlockNode = (MapNode | SeqNode) & { flow: false };

/**
 * Shapes that js-yaml and the `yaml` package read differently, or that the `yaml` package ranges in
 * ways not worth reproducing: tabs and CRs (indentation and line counting), a BOM (js-yaml drops it,
 * shifting every offset), directives, document end markers and content on a `---` line, explicit
 * `?` keys, and non-ASCII line breaks. Of lines starting `---`, only a bare document start is
 * read: js-yaml also takes `---x` for one, where the `yaml` package sees a plain scalar.
 */
function hasUnhandledText(text: string): boolean {
  // Searches for single characters and looks closer only where one is found: a regular expression
  // over the whole text was the costliest step before parsing.
  for (const character of UNHANDLED_CHARACTERS) if (text.includes(character)) return true;
  for (let lineStart = 0; lineStart >= 0 && lineStart < text.length; ) {
    const c = text[lineStart];
    if (c === '%' || c === '.' || c === '-') {
      UNHANDLED_LINE_START.lastIndex = lineStart;
      if (UNHANDLED_LINE_START.test(text)) return true;
    }
    const nl = text.indexOf('\n', lineStart);
    lineStart = nl < 0 ? -1 : nl + 1;
  }
  for (let at = text.indexOf('?'); at >= 0; at = text.indexOf('?', at + 1)) {
    if ((at === 0 || BEFORE_EXPLICIT_KEY.test(text[at - 1] as string)) && (at + 1 === text.length || /\s/.test(text[at + 1] as string))) return true;
  }
  return false;
}

const UNHANDLED_CHARACTERS = ['\t', '\r', '\ufeff', '\u0085', '\u2028', '\u2029'];
const UNHANDLED_LINE_START = /%|\.\.\.|---(?!(?:[ ]+#.*)?[ ]*$)/my;
const BEFORE_EXPLICIT_KEY = /[\s[{,]/;

export interface FastRead {
  value: unknown;
  sourceMap: SourceMap;
  booleanWords: boolean;
}

/**
 * The value and source map `readYamlSlow` would give for `text`, or undefined where this reader
 * cannot be sure of that (then the slow reader must run). Assumes the caller has already refused
 * oversized and binary text.
 */
export function readYamlFast(text: string, limits: Required<ReadYamlOptions>): FastRead | undefined {
  if (hasUnhandledText(text)) return undefined;
  try {
    return new FastReader(text, limits).read();
  } catch (cause) {
    if (cause instanceof Bail) return undefined;
    throw cause;
  }
}

class FastReader {
  private readonly lineCounter = new LineCounter();
  private readonly sourceMap: SourceMap;
  private readonly anchors = new Map<string, FastNode>();
  private readonly aliasTargets = new Map<AliasNode, FastNode>();
  /** Anchors of the nodes being converted, whose own anchor is not registered yet. */
  private readonly openAnchors: string[] = [];
  private nodes = 0;
  private readonly inProgress = new Set<FastNode>();

  constructor(private readonly text: string, private readonly limits: Required<ReadYamlOptions>) {
    this.sourceMap = new SourceMap(text, this.lineCounter);
  }

  read(): FastRead {
    const roots: Frame[] = [];
    const stack: Frame[] = [];
    const options: LoadOptions = {
      schema: SCHEMA,
      listener: (event, raw) => {
        const state = raw as unknown as ParserState;
        if (event === 'open') {
          stack.push({ open: state.position, close: 0, kind: null, result: null, anchor: null, children: [] });
          return;
        }
        const frame = stack.pop() as Frame;
        frame.close = state.position;
        frame.kind = state.kind;
        frame.result = state.result;
        frame.anchor = state.anchor;
        (stack.length > 0 ? (stack[stack.length - 1] as Frame).children : roots).push(frame);
      },
    };
    booleanWords = 0;
    try {
      load(this.text, options);
    } catch {
      // Whatever js-yaml refuses, the slow reader explains.
      bail();
    }
    if (roots.length > 1) bail();
    this.countLines();
    const rootFrame = roots[0];
    if (rootFrame === undefined) return { value: null, sourceMap: this.sourceMap, booleanWords: false };
    const root = this.convert(rootFrame, false);
    const value = root.type === 'empty' ? null : this.build(root, 0);
    return { value, sourceMap: this.sourceMap, booleanWords: booleanWords > 0 };
  }

  /** The positions SourceMap.position reports are the `yaml` package's: line starts after every LF. */
  private countLines(): void {
    const { text, lineCounter } = this;
    lineCounter.addNewLine(0);
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineCounter.addNewLine(i + 1);
  }

  // ---- From js-yaml's frames to nodes with the `yaml` package's ranges ----

  /**
   * Converts in document order, so anchors are registered and aliases resolved on the way: an
   * alias refers to the latest node before it with that anchor. Block collections are finished
   * here too, children first, since where one ends depends on its last value.
   */
  private convert(frame: Frame, inFlow: boolean): FastNode {
    if (frame.anchor !== null) this.openAnchors.push(frame.anchor);
    const node = this.convertFrame(frame, inFlow);
    if (frame.anchor !== null) this.openAnchors.pop();
    if (node.type === 'alias') {
      // An alias inside the node its anchor names is recursive, or names a node redefined inside it.
      const target = this.anchors.get(node.name);
      if (target === undefined || this.openAnchors.includes(node.name)) bail();
      this.aliasTargets.set(node, target);
      return node;
    }
    if (node.anchor !== undefined) {
      if (this.openAnchors.includes(node.anchor)) bail();
      this.anchors.set(node.anchor, node);
    }
    if ((node.type === 'map' || node.type === 'seq') && !node.flow) this.finish(node as BlockNode);
    return node;
  }

  private convertFrame(frame: Frame, inFlow: boolean): FastNode {
    // js-yaml reads a value on its own line as a would-be mapping key first; when no `:` follows,
    // the frame keeps its only child's result, and that child is the node.
    const only = frame.children.length === 1 ? (frame.children[0] as Frame) : undefined;
    if (only && (frame.kind === 'mapping' || frame.kind === 'sequence') && only.kind === frame.kind && only.result === frame.result) {
      if (frame.anchor !== null && only.anchor !== null) bail();
      return this.withAnchor(this.convert(only, inFlow), frame.anchor ?? only.anchor);
    }
    const { text } = this;
    let start = this.skipSpace(frame.open);
    for (let ch = text[start]; ch === '&' || ch === '!'; ch = text[start]) {
      if (ch === '!') bail();
      const end = this.nameEnd(start + 1);
      // The `yaml` package refuses an anchor or alias ending in `:` as ambiguous, and an anchor
      // running into the next token (`&a{`).
      if (text[end - 1] === ':' || isFlowIndicator(text.charCodeAt(end))) bail();
      start = this.skipSpace(end);
    }
    const anchor = frame.anchor ?? undefined;
    switch (frame.kind) {
      case 'scalar':
        // Any children were js-yaml trying the scalar as a mapping key and rolling back.
        return this.scalar(frame, start, anchor);
      case 'mapping':
        return this.mapping(frame, start, anchor, inFlow);
      case 'sequence':
        return this.sequence(frame, start, anchor, inFlow);
      default:
        if (text[start] === '*') {
          if (anchor !== undefined) bail();
          const end = this.nameEnd(start + 1);
          const name = text.slice(start + 1, end);
          if (name.endsWith(':')) bail();
          return { type: 'alias', start, end, name };
        }
        // The `yaml` package places an empty value after the indicator and the spaces that follow it.
        if (frame.result !== null || frame.children.length > 0 || inFlow || anchor !== undefined) bail();
        let at = frame.open;
        while (text[at] === ' ') at++;
        return { type: 'empty', start: at, end: at };
    }
  }

  private withAnchor(node: FastNode, anchor: string | null): FastNode {
    if (anchor !== null) node.anchor = anchor;
    return node;
  }

  private scalar(frame: Frame, start: number, anchor: string | undefined): ScalarNode {
    const { text } = this;
    const ch = text[start];
    let end: number;
    let style: ScalarNode['style'] = 'quoted';
    if (ch === '"') end = this.doubleQuotedEnd(start);
    else if (ch === "'") end = this.singleQuotedEnd(start);
    else if (ch === '|' || ch === '>') {
      // Without content lines, where the scalar ends depends on the parent's indentation.
      if (frame.result === '') bail();
      style = 'block';
      end = this.blockScalarEnd(start);
    } else {
      style = 'plain';
      end = frame.close;
      while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
      if (end <= start) bail();
    }
    if (style === 'quoted' && text[end] === '#') bail();
    if (style !== 'block') this.checkContinuation(start, end, false);
    return { type: 'scalar', start, end, value: frame.result, style, ...(anchor === undefined ? {} : { anchor }) };
  }

  /**
   * js-yaml lets the lines of a quoted, plain or flow node go back to any indentation; the `yaml`
   * lexer wants them indented deeper than the line the node starts on (a closing bracket alone
   * may stay at that line's indentation). Stricter than the lexer, so never wrongly accepted.
   */
  private checkContinuation(start: number, end: number, closes: boolean): void {
    const { text } = this;
    const indent = this.indentAt(start);
    for (let nl = text.indexOf('\n', start); nl >= 0 && nl < end; nl = text.indexOf('\n', nl + 1)) {
      let content = nl + 1;
      while (text[content] === ' ') content++;
      if (text[content] === '\n') continue;
      const depth = content - nl - 1;
      if (depth > indent) continue;
      if (!(closes && depth === indent && content === end - 1)) bail();
    }
  }

  private mapping(frame: Frame, start: number, anchor: string | undefined, inFlow: boolean): MapNode {
    const flow = this.text[start] === '{';
    const children = frame.children;
    if (children.length % 2 !== 0) bail();
    const pairs: Array<[ScalarNode, FastNode]> = [];
    for (let i = 0; i < children.length; i += 2) {
      const key = this.convert(children[i] as Frame, flow || inFlow);
      const value = this.convert(children[i + 1] as Frame, flow || inFlow);
      // Complex and alias keys, and keys so long the `yaml` package refuses them, are the slow reader's.
      if (key.type !== 'scalar' || key.style === 'block' || key.end - key.start > 1000) bail();
      // A flow mapping entry without `:` has no value frame, so the frames would pair up wrongly.
      if (flow && this.text[this.skipSpace(key.end)] !== ':') bail();
      // js-yaml reads `a: &x b: c` as a nested mapping; the `yaml` package refuses it.
      if ((value.type === 'map' || value.type === 'seq') && !value.flow && !this.text.slice(key.end, value.start).includes('\n')) bail();
      pairs.push([key, value]);
    }
    return this.collection({ type: 'map', start, end: flow ? this.flowEnd(frame, '}', inFlow) : 0, flow, indent: 0, pairs, finished: undefined }, anchor);
  }

  private sequence(frame: Frame, start: number, anchor: string | undefined, inFlow: boolean): SeqNode {
    const flow = this.text[start] === '[';
    // Empty block items and flow pairs (`[a: b]`) have no frame of their own.
    if (frame.children.length !== (frame.result as unknown[]).length) bail();
    const items = frame.children.map((child) => this.convert(child, flow || inFlow));
    return this.collection({ type: 'seq', start, end: flow ? this.flowEnd(frame, ']', inFlow) : 0, flow, indent: 0, items, finished: undefined }, anchor);
  }

  private collection<T extends MapNode | SeqNode>(node: T, anchor: string | undefined): T {
    if (anchor !== undefined) node.anchor = anchor;
    if (!node.flow) node.indent = this.indentAt(node.start);
    return node;
  }

  private flowEnd(frame: Frame, terminator: string, inFlow: boolean): number {
    const { text } = this;
    if (text[frame.close - 1] !== terminator || text[frame.close] === '#') bail();
    if (!inFlow) {
      const start = this.skipSpace(frame.open);
      // Also within quoted scalars inside, where it is content: giving up there is only slower.
      if (FLOW_TIGHT_COMMENT.test(text.slice(start, frame.close))) bail();
      this.checkContinuation(start, frame.close, true);
    }
    return frame.close;
  }

  /**
   * The `yaml` parser's indentation for a block collection starting at `start`: the spaces, and the
   * `-`, `?` and `:` indicators with their spaces, that open its line.
   */
  private indentAt(start: number): number {
    const { text } = this;
    const lineStart = text.lastIndexOf('\n', start - 1) + 1;
    let i = lineStart;
    while (i < start) {
      const ch = text[i];
      if (ch === ' ') i++;
      else if ((ch === '-' || ch === '?' || ch === ':') && (text[i + 1] === ' ' || text[i + 1] === '\n')) i++;
      else break;
    }
    return i - lineStart;
  }

  // ---- Scanning ----

  /** Skips spaces, line breaks and comments, as js-yaml does between a node's indicator and its content. */
  private skipSpace(from: number): number {
    const { text } = this;
    let i = from;
    for (;;) {
      const ch = text[i];
      if (ch === ' ' || ch === '\n') i++;
      else if (ch === '#') {
        const nl = text.indexOf('\n', i);
        i = nl < 0 ? text.length : nl;
      } else return i;
    }
  }

  /** Where an anchor or alias name ends: js-yaml's rule, which the `yaml` package shares. */
  private nameEnd(from: number): number {
    const { text } = this;
    let i = from;
    while (i < text.length && !isSpace(text.charCodeAt(i)) && !isFlowIndicator(text.charCodeAt(i))) i++;
    if (i === from) bail();
    return i;
  }

  private doubleQuotedEnd(start: number): number {
    const { text } = this;
    for (let i = start + 1; i < text.length; i++) {
      if (text[i] === '\\') i++;
      else if (text[i] === '"') return i + 1;
    }
    bail();
  }

  private singleQuotedEnd(start: number): number {
    const { text } = this;
    for (let i = start + 1; i < text.length; i++) {
      if (text[i] === "'") {
        if (text[i + 1] !== "'") return i + 1;
        i++;
      }
    }
    bail();
  }

  /**
   * The end of a block scalar as the `yaml` lexer cuts it: after the line break of its last
   * non-empty line. Keep chomping, indentation indicators and whitespace-only lines move that end
   * by rules not reproduced here.
   */
  private blockScalarEnd(start: number): number {
    const { text } = this;
    let i = start + 1;
    while (text[i] === '-') i++;
    if (text[i] !== ' ' && text[i] !== '\n' && text[i] !== '#' && i < text.length) bail();
    const headerEnd = text.indexOf('\n', i);
    if (headerEnd < 0) bail();
    let end = -1;
    let textIndent = -1;
    for (let lineStart = headerEnd + 1; lineStart < text.length; ) {
      let content = lineStart;
      while (text[content] === ' ') content++;
      const nl = text.indexOf('\n', lineStart);
      const lineEnd = nl < 0 ? text.length : nl;
      if (content === lineEnd) {
        if (content !== lineStart) bail();
      } else {
        const indent = content - lineStart;
        if (textIndent < 0) textIndent = indent;
        if (indent < textIndent) break;
        end = nl < 0 ? text.length : nl + 1;
      }
      lineStart = lineEnd + 1;
    }
    if (end < 0) bail();
    return end;
  }

  // ---- Where block collections end ----

  /**
   * The `yaml` package ends a block collection (range[1]) where its last value's node ends
   * (range[2]): after the line break of the value's last line, plus comment lines it keeps. Which
   * comment lines go where follows the `yaml` parser: a comment line indented deeper than the
   * collection, after only blank lines, joins a trailing flow value; the remaining comment lines
   * before the next content stay with the innermost ending collection that some comment is
   * indented at least as deep as (never one at indentation 0), which then ends (range[2]) at the
   * next content.
   */
  private finish(node: BlockNode): Finished {
    if (node.finished !== undefined) return node.finished;
    const last = node.type === 'map' ? node.pairs[node.pairs.length - 1]?.[1] : node.items[node.items.length - 1];
    if (last === undefined) bail();
    let end: number;
    let kept: boolean;
    let next: number;
    let deepestComment: number;
    if ((last.type === 'map' || last.type === 'seq') && !last.flow) {
      const inner = this.finish(last as BlockNode);
      end = inner.outer;
      kept = inner.kept;
      next = inner.next;
      deepestComment = inner.deepestComment;
    } else {
      if (last.type === 'empty' || (last.type === 'scalar' && last.style === 'block')) end = last.end;
      else end = this.absorbComments(this.afterLine(last.end), node.indent);
      const trivia = this.trivia(end);
      if (last.type === 'empty' && trivia.deepestComment >= 0) bail();
      kept = false;
      next = trivia.next;
      deepestComment = trivia.deepestComment;
    }
    let outer = end;
    if (!kept && node.indent !== 0 && deepestComment >= node.indent) {
      outer = next;
      kept = true;
    }
    node.end = end;
    node.finished = { end, outer, kept, next, deepestComment };
    return node.finished;
  }

  /** After the rest of the line `from` is on, which may hold only spaces and a comment. */
  private afterLine(from: number): number {
    const { text } = this;
    let i = from;
    while (text[i] === ' ') i++;
    if (text[i] === '#') {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl;
    }
    if (i >= text.length) return text.length;
    if (text[i] !== '\n') bail();
    return i + 1;
  }

  /** Comment lines indented deeper than `indent`, each after only blank lines, that a flow value ending at `from` takes in. */
  private absorbComments(from: number, indent: number): number {
    const { text } = this;
    let end = from;
    let i = from;
    while (i < text.length) {
      let content = i;
      while (text[content] === ' ') content++;
      if (text[content] === '\n') {
        i = content + 1;
        continue;
      }
      if (text[content] !== '#' || content - i <= indent) break;
      const nl = text.indexOf('\n', content);
      end = i = nl < 0 ? text.length : nl + 1;
    }
    return end;
  }

  /** From `from` (a line start, or a place followed only by spaces on its line): the next content, and the deepest comment before it. */
  private trivia(from: number): { next: number; deepestComment: number } {
    const { text } = this;
    let deepestComment = -1;
    let i = from;
    let lineStart = text.lastIndexOf('\n', from - 1) + 1;
    while (i < text.length) {
      while (text[i] === ' ') i++;
      if (text[i] === '#') {
        deepestComment = Math.max(deepestComment, i - lineStart);
        const nl = text.indexOf('\n', i);
        i = nl < 0 ? text.length : nl;
      }
      if (i >= text.length) break;
      if (text[i] !== '\n') return { next: i, deepestComment };
      i++;
      lineStart = i;
    }
    return { next: text.length, deepestComment };
  }

  // ---- Values, as readYamlSlow's ValueBuilder builds them ----

  /**
   * readYamlSlow refuses a document whose expansion is too deep or too big before building it.
   * Building counts depth as its measure does (merge sources inside a sequence one deeper), and
   * bails at a third of the size limit: measure also counts keys and merge sequences, at most
   * three nodes per value built. So whatever the slow reader refuses, this bails on.
   */
  private build(node: FastNode, depth: number): unknown {
    if (++this.nodes * 3 > this.limits.maxNodes || depth > this.limits.maxDepth) bail();
    if (node.type === 'alias') {
      const target = this.aliasTargets.get(node) as FastNode;
      if (this.inProgress.has(target)) bail();
      return this.build(target, depth);
    }
    if (node.type === 'empty') return null;
    if (node.type === 'scalar') {
      const source = this.text.slice(node.start, node.end);
      return node.style === 'plain' && isMisreadNaN(node.value, source) ? source : node.value;
    }
    this.inProgress.add(node);
    try {
      return node.type === 'seq' ? this.buildSeq(node, depth) : this.buildMap(node, depth);
    } finally {
      this.inProgress.delete(node);
    }
  }

  private buildSeq(node: SeqNode, depth: number): unknown[] {
    const out = node.items.map((item) => this.build(item, depth + 1));
    this.sourceMap.record(out, () => seqSpan(node));
    return out;
  }

  private buildMap(node: MapNode, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    let merges: FastNode[] | undefined;
    for (const [keyNode, valueNode] of node.pairs) {
      // The slow reader merges on a quoted "<<" key as well as on the plain one.
      if (keyNode.value === '<<') {
        (merges ??= []).push(valueNode);
        continue;
      }
      const key = keyString(keyNode);
      if (Object.hasOwn(out, key)) bail();
      setOwn(out, key, this.build(valueNode, depth + 1));
    }
    if (merges === undefined) {
      // Built only if a problem is located inside: most documents never need their spans.
      this.sourceMap.record(out, () => mapSpan(node));
      return out;
    }
    // Merged keys point into the merged mappings, whose own keys interpolation may rename later:
    // located now, while they are as written.
    const span = mapSpan(node);
    for (const merge of merges) this.mergeInto(out, span, merge, depth);
    this.sourceMap.record(out, span);
    return out;
  }

  private mergeInto(out: Record<string, unknown>, span: ContainerSpan, merge: FastNode, depth: number): void {
    const resolved = merge.type === 'alias' ? this.aliasTargets.get(merge) : merge;
    const sources = resolved?.type === 'seq' ? resolved.items : [merge];
    // Nothing built here, yet measure counts the key and the empty list: the bound above needs a value.
    if (sources.length === 0) bail();
    const sourceDepth = resolved?.type === 'seq' ? depth + 2 : depth + 1;
    for (const source of sources) {
      const value = this.build(source, sourceDepth);
      if (typeof value !== 'object' || value === null || Array.isArray(value)) bail();
      for (const [key, v] of Object.entries(value)) {
        if (span.keys.has(key)) continue;
        setOwn(out, key, v);
        span.keys.set(key, this.sourceMap.locate(value, [key], 'key'));
        span.values.set(key, this.sourceMap.locate(value, [key]));
      }
    }
  }
}

interface Finished {
  /** range[1] of the collection. */
  end: number;
  /** range[2]: where its parent, if this is the parent's last value, ends. */
  outer: number;
  /** Whether this collection or one inside it keeps the trailing comment lines. */
  kept: boolean;
  /** The next content after the last value and its trailing comment and blank lines. */
  next: number;
  /** Indentation of the deepest of those comment lines; -1 when there are none. */
  deepestComment: number;
}

function emptySpan(node: MapNode | SeqNode): ContainerSpan {
  return { range: [node.start, node.end], keys: new Map(), values: new Map() };
}

function keyString(keyNode: ScalarNode): string {
  return keyNode.value === null ? 'null' : String(keyNode.value);
}

/** The span of a mapping's own pairs, merges left out. */
function mapSpan(node: MapNode): ContainerSpan {
  const span = emptySpan(node);
  for (const [keyNode, valueNode] of node.pairs) {
    if (keyNode.value === '<<') continue;
    const key = keyString(keyNode);
    span.keys.set(key, [keyNode.start, keyNode.end]);
    span.values.set(key, [valueNode.start, valueNode.end]);
  }
  return span;
}

function seqSpan(node: SeqNode): ContainerSpan {
  const span = emptySpan(node);
  node.items.forEach((item, index) => {
    span.keys.set(index, [item.start, item.end]);
    span.values.set(index, [item.start, item.end]);
  });
  return span;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

function isFlowIndicator(c: number): boolean {
  return c === 0x2c || c === 0x5b || c === 0x5d || c === 0x7b || c === 0x7d;
}
