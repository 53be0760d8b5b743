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

const NODE_HEIGHT = 30;
const CHAR_WIDTH = 7.2;

/** Above this many nodes the layered layout takes its fast options: one sweep of ordering, a simpler ranking. */
const LARGE_GRAPH = 400;

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

/** Left to right, as Concourse draws pipelines: resources feed jobs, jobs feed jobs through `passed`. */
export function layoutGraph(graph: PipelineGraph): GraphLayout {
  const g = new dagre.graphlib.Graph({ multigraph: false });
  const nodeCount = graph.jobs.length + graph.resources.length;
  const large = nodeCount > LARGE_GRAPH;
  g.setGraph({ rankdir: 'LR', ranksep: 56, nodesep: 10, edgesep: 6, marginx: 16, marginy: 16, ...(large && { ranker: 'longest-path' }) });
  g.setDefaultEdgeLabel(() => ({}));
  const size = (name: string) => ({ width: Math.min(260, Math.max(70, 24 + name.length * CHAR_WIDTH)), height: NODE_HEIGHT });
  for (const job of graph.jobs) g.setNode(`job:${job.name}`, { ...size(job.name), kind: 'job', name: job.name });
  for (const resource of graph.resources) g.setNode(`resource:${resource.name}`, { ...size(resource.name), kind: 'resource', name: resource.name });
  for (const edge of graph.edges) if (g.hasNode(edge.from) && g.hasNode(edge.to)) g.setEdge(edge.from, edge.to, {});
  dagre.layout(g, { disableOptimalOrderHeuristic: large });
  const nodes = g.nodes().map((id) => {
    const node = g.node(id) as unknown as { x: number; y: number; width: number; height: number; kind: 'job' | 'resource'; name: string };
    return { id, kind: node.kind, name: node.name, x: node.x - node.width / 2, y: node.y - node.height / 2, width: node.width, height: node.height };
  });
  const edges = graph.edges
    .filter((edge) => g.hasEdge(edge.from, edge.to))
    .map((edge) => ({ ...edge, points: (g.edge(edge.from, edge.to) as { points: Array<{ x: number; y: number }> }).points }));
  const label = g.graph() as { width?: number; height?: number };
  return { nodes, edges, width: label.width ?? 0, height: label.height ?? 0 };
}
