import { describe, expect, it } from 'vitest';
import type { PipelineGraph } from '../src/api.js';
import { layoutGraph, layoutInParts, type LaidOutNode } from '../src/graph/layout.js';

/** `chains` independent chains of `length` jobs, each fed by its own resource, and `alone` resources no job uses. */
function chains(count: number, length: number, alone = 0): PipelineGraph {
  const graph: PipelineGraph = { jobs: [], resources: [], edges: [], groups: [] };
  for (let c = 0; c < count; c++) {
    graph.resources.push({ name: `repo-${c}`, type: 'mock' });
    for (let s = 0; s < length; s++) {
      graph.jobs.push({ name: `job-${c}-${s}`, groups: [] });
      const from = s === 0 ? `resource:repo-${c}` : `job:job-${c}-${s - 1}`;
      graph.edges.push({ from, to: `job:job-${c}-${s}`, resources: [`repo-${c}`], kind: s === 0 ? 'input' : 'passed', trigger: true });
    }
  }
  for (let a = 0; a < alone; a++) graph.resources.push({ name: `alone-${a}`, type: 'mock' });
  return graph;
}

const overlap = (a: LaidOutNode, b: LaidOutNode) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe('the pipeline graph layout', () => {
  it('lays out every node and edge, left to right, with no two nodes on top of each other', () => {
    const layout = layoutGraph(chains(30, 5, 12));
    expect(layout.nodes).toHaveLength(30 * 6 + 12);
    expect(layout.edges).toHaveLength(30 * 5);
    const byId = new Map(layout.nodes.map((node) => [node.id, node]));
    for (const edge of layout.edges) expect(byId.get(edge.from)!.x).toBeLessThan(byId.get(edge.to)!.x);
    const sorted = [...layout.nodes].sort((a, b) => a.y - b.y);
    for (let i = 0; i < sorted.length; i++) {
      for (let j = i + 1; j < sorted.length && sorted[j]!.y < sorted[i]!.y + sorted[i]!.height; j++) expect(overlap(sorted[i]!, sorted[j]!)).toBe(false);
    }
    for (const node of layout.nodes) {
      expect(node.x + node.width).toBeLessThanOrEqual(layout.width);
      expect(node.y + node.height).toBeLessThanOrEqual(layout.height);
    }
  });

  it('hands over the first chains in a small first part, in pipeline order, and the rest after', () => {
    const parts = [...layoutInParts(chains(100, 9))];
    expect(parts.length).toBeGreaterThan(1);
    expect(parts[0]!.nodes.length).toBeLessThanOrEqual(60);
    expect(parts[0]!.nodes.map((node) => node.id)).toContain('job:job-0-0');
    expect(parts.flatMap((part) => part.nodes)).toHaveLength(1000);
    // Each part lies below the ones before it, and the size given with it covers everything so far.
    for (let i = 1; i < parts.length; i++) {
      const top = Math.min(...parts[i]!.nodes.map((node) => node.y));
      expect(top).toBeGreaterThanOrEqual(Math.max(...parts[i - 1]!.nodes.map((node) => node.y + node.height)));
      expect(parts[i]!.height).toBeGreaterThan(parts[i - 1]!.height);
    }
  });

  it('keeps a pipeline whose jobs all share one resource in one part', () => {
    const graph = chains(20, 3);
    for (const job of graph.jobs) graph.edges.push({ from: 'resource:repo-0', to: `job:${job.name}`, resources: ['repo-0'], kind: 'input', trigger: false });
    const parts = [...layoutInParts(graph)];
    expect(parts).toHaveLength(1);
    expect(parts[0]!.nodes).toHaveLength(80);
  });

  it('lays out a pipeline without jobs or edges', () => {
    expect(layoutGraph({ jobs: [], resources: [], edges: [], groups: [] }).nodes).toEqual([]);
    expect(layoutGraph(chains(0, 0, 3)).nodes).toHaveLength(3);
  });
});
