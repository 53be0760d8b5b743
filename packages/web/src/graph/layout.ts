import dagre from '@dagrejs/dagre';
import type { PipelineGraph } from '../api.js';

export interface LaidOutNode {
  id: string;
  kind: 'job' | 'resource';
  name: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LaidOutEdge {
  from: string;
  to: string;
  kind: 'input' | 'passed' | 'output';
  trigger: boolean;
  resources: string[];
  points: Array<{ x: number; y: number }>;
}

export interface GraphLayout {
  nodes: LaidOutNode[];
  edges: LaidOutEdge[];
  width: number;
  height: number;
}

type GraphNode = Pick<LaidOutNode, 'id' | 'kind' | 'name'>;
type GraphEdge = PipelineGraph['edges'][number];

const NODE_HEIGHT = 30;
const CHAR_WIDTH = 7.2;
const MARGIN = 16;
/** Space between two parts of a pipeline that share no edge, stacked one under the other. */
const PART_GAP = 36;
/** Nodes with no edge at all are set in rows this wide at least (a column of them would be endless). */
const MIN_ROW_WIDTH = 900;

/** Above this many nodes in one layout dagre takes its fast options: one sweep of ordering, a simpler ranking. */
const LARGE_GRAPH = 400;
/** The first batch of parts laid out: about a screenful, drawn while the rest is laid out. */
const FIRST_BATCH = 60;
/** Later batches: large enough that dagre's cost per call does not add up, small enough to show progress. */
const LARGE_BATCH = 500;

/** The jobs of `group` (all when undefined) and the resources they get from or put to. */
export function graphForGroup(graph: PipelineGraph, group: string | undefined): PipelineGraph {
  if (group === undefined) return graph;
  const jobs = new Set(graph.groups.find((candidate) => candidate.name === group)?.jobs ?? []);
  const edges = graph.edges.filter((edge) => {
    const ends = [edge.from, edge.to];
    return ends.some((end) => end.startsWith('job:') && jobs.has(end.slice(4))) && ends.every((end) => !end.startsWith('job:') || jobs.has(end.slice(4)));
  });
  const used = new Set(edges.flatMap((edge) => [edge.from, edge.to]));
  return {
    ...graph,
    jobs: graph.jobs.filter((job) => jobs.has(job.name)),
    resources: graph.resources.filter((resource) => used.has(`resource:${resource.name}`)),
    edges,
  };
}

/**
 * Left to right, as Concourse draws pipelines: resources feed jobs, jobs feed jobs through
 * `passed`. The pipeline's connected parts are laid out by dagre in batches and stacked one
 * under the other in the order of their first job, each batch yielded as soon as it is done:
 * a pipeline of a hundred independent chains shows its first ones while the rest are laid
 * out, and no single layered layout (whose cost grows faster than the graph) gets them all.
 * Each yield holds the new nodes and edges, and the size of everything so far.
 */
export function* layoutInParts(graph: PipelineGraph): Generator<GraphLayout> {
  const nodes: GraphNode[] = [
    ...graph.jobs.map((job) => ({ id: `job:${job.name}`, kind: 'job' as const, name: job.name })),
    ...graph.resources.map((resource) => ({ id: `resource:${resource.name}`, kind: 'resource' as const, name: resource.name })),
  ];
  const known = new Set(nodes.map((node) => node.id));
  const edges = graph.edges.filter((edge) => known.has(edge.from) && known.has(edge.to) && edge.from !== edge.to);
  const isolated: GraphNode[] = [];
  let width = 0;
  let top = MARGIN;
  for (const batch of batches(connectedParts(nodes, edges), isolated)) {
    const part = layoutBatch(batch.nodes, batch.edges);
    const moved = moveBy(part, MARGIN, top);
    width = Math.max(width, part.width + 2 * MARGIN);
    top += part.height + PART_GAP;
    yield { ...moved, width, height: top - PART_GAP + MARGIN };
  }
  if (isolated.length > 0 || top === MARGIN) {
    const rows = moveBy(layoutInRows(isolated, Math.max(MIN_ROW_WIDTH, width - 2 * MARGIN)), MARGIN, top);
    yield { ...rows, width: Math.max(width, rows.width + 2 * MARGIN), height: top + rows.height + MARGIN };
  }
}

/** The whole layout at once. */
export function layoutGraph(graph: PipelineGraph): GraphLayout {
  const whole: GraphLayout = { nodes: [], edges: [], width: 0, height: 0 };
  for (const part of layoutInParts(graph)) {
    whole.nodes.push(...part.nodes);
    whole.edges.push(...part.edges);
    whole.width = part.width;
    whole.height = part.height;
  }
  return whole;
}

/**
 * Connected parts grouped into batches for dagre: a small first one (what fills the first
 * screen), then up to LARGE_BATCH nodes each. A part larger than that is a batch of its own.
 * Parts of a single node are set aside in `isolated`.
 */
function* batches(parts: Array<{ nodes: GraphNode[]; edges: GraphEdge[] }>, isolated: GraphNode[]): Generator<{ nodes: GraphNode[]; edges: GraphEdge[] }> {
  let limit = FIRST_BATCH;
  let batch: { nodes: GraphNode[]; edges: GraphEdge[] } | undefined;
  for (const part of parts) {
    if (part.nodes.length === 1) {
      isolated.push(part.nodes[0]!);
      continue;
    }
    if (batch && batch.nodes.length + part.nodes.length > limit) {
      yield batch;
      batch = undefined;
      limit = LARGE_BATCH;
    }
    if (!batch) batch = { nodes: [], edges: [] };
    batch.nodes.push(...part.nodes);
    batch.edges.push(...part.edges);
  }
  if (batch) yield batch;
}

function nodeSize(name: string): { width: number; height: number } {
  return { width: Math.min(260, Math.max(70, 24 + name.length * CHAR_WIDTH)), height: NODE_HEIGHT };
}

/** The graph's connected parts, in the order of their first node (jobs come first). */
function connectedParts(nodes: GraphNode[], edges: GraphEdge[]): Array<{ nodes: GraphNode[]; edges: GraphEdge[] }> {
  const index = new Map(nodes.map((node, position) => [node.id, position]));
  const parent = nodes.map((_, position) => position);
  const root = (position: number): number => {
    while (parent[position] !== position) {
      parent[position] = parent[parent[position]!]!;
      position = parent[position]!;
    }
    return position;
  };
  for (const edge of edges) {
    const a = root(index.get(edge.from)!);
    const b = root(index.get(edge.to)!);
    // The smaller position stays the root, so a part is named by its first node.
    if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
  }
  const parts = new Map<number, { nodes: GraphNode[]; edges: GraphEdge[] }>();
  nodes.forEach((node, position) => {
    const key = root(position);
    let part = parts.get(key);
    if (!part) parts.set(key, (part = { nodes: [], edges: [] }));
    part.nodes.push(node);
  });
  for (const edge of edges) parts.get(root(index.get(edge.from)!))!.edges.push(edge);
  return [...parts.entries()].sort((a, b) => a[0] - b[0]).map(([, part]) => part);
}

/** Connected parts by dagre, with the top left corner at 0,0. */
function layoutBatch(nodes: GraphNode[], edges: GraphEdge[]): GraphLayout {
  const g = new dagre.graphlib.Graph({ multigraph: false });
  const large = nodes.length > LARGE_GRAPH;
  g.setGraph({ rankdir: 'LR', ranksep: 56, nodesep: 10, edgesep: 6, marginx: 0, marginy: 0, ...(large && { ranker: 'longest-path' }) });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of nodes) g.setNode(node.id, nodeSize(node.name));
  for (const edge of edges) g.setEdge(edge.from, edge.to, {});
  dagre.layout(g, { disableOptimalOrderHeuristic: large });
  const laidOutNodes = nodes.map((node) => {
    const box = g.node(node.id) as unknown as { x: number; y: number; width: number; height: number };
    return { ...node, x: box.x - box.width / 2, y: box.y - box.height / 2, width: box.width, height: box.height };
  });
  const laidOutEdges = edges.map((edge) => ({ ...edge, points: (g.edge(edge.from, edge.to) as { points: Array<{ x: number; y: number }> }).points }));
  const label = g.graph() as { width?: number; height?: number };
  return { nodes: laidOutNodes, edges: laidOutEdges, width: label.width ?? 0, height: label.height ?? 0 };
}

/** Nodes with no edges, left to right in rows no wider than `width`. */
function layoutInRows(nodes: GraphNode[], width: number): GraphLayout {
  const laidOut: LaidOutNode[] = [];
  let x = 0;
  let y = 0;
  let widest = 0;
  for (const node of nodes) {
    const size = nodeSize(node.name);
    if (x > 0 && x + size.width > width) {
      x = 0;
      y += NODE_HEIGHT + 10;
    }
    laidOut.push({ ...node, x, y, ...size });
    x += size.width + 10;
    widest = Math.max(widest, x - 10);
  }
  return { nodes: laidOut, edges: [], width: widest, height: y + NODE_HEIGHT };
}

/** `layout` moved by dx, dy. */
function moveBy(layout: GraphLayout, dx: number, dy: number): GraphLayout {
  return {
    nodes: layout.nodes.map((node) => ({ ...node, x: node.x + dx, y: node.y + dy })),
    edges: layout.edges.map((edge) => ({ ...edge, points: edge.points.map((point) => ({ x: point.x + dx, y: point.y + dy })) })),
    width: layout.width,
    height: layout.height,
  };
}
