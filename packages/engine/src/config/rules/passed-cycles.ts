import { asArray, asString } from '../loose.js';
import { error, type PathSegment, type Problem } from '../problem.js';
import { globMatcher, isGlob } from '../glob.js';
import type { Rule } from './rule.js';

interface PassedEdge {
  /** Index of the upstream job in the pipeline's job list. */
  to: number;
  /** Where the `passed` entry naming it is written. */
  path: PathSegment[];
}

/**
 * `passed` constraints may not loop (a job naming itself, or a → b → a, globs included): a
 * version could then never pass, and Concourse refuses such a pipeline ("pipeline contains a
 * cycle that starts at Job …"). Each loop is reported once, at the `passed` entry of its first
 * job (in config order) that leads back into it.
 */
export const passedCycles: Rule = ({ jobs }) => {
  const names = jobs.map(({ job }) => asString(job.name));
  const byName = new Map<string, number[]>();
  names.forEach((name, j) => {
    if (name !== undefined) byName.set(name, [...(byName.get(name) ?? []), j]);
  });
  // Most entries are plain names: looked up, not matched against every job.
  const upstreamOf = (pattern: string): number[] => {
    if (!isGlob(pattern)) return byName.get(pattern) ?? [];
    const matches = globMatcher(pattern);
    return names.flatMap((name, j) => (name !== undefined && matches(name) ? [j] : []));
  };
  const edges: PassedEdge[][] = jobs.map(({ steps }) => {
    const out: PassedEdge[] = [];
    for (const { step, path, kinds } of steps) {
      if (!kinds.includes('get')) continue;
      asArray(step.passed).forEach((entry, i) => {
        const pattern = asString(entry);
        if (pattern === undefined) return;
        for (const to of upstreamOf(pattern)) out.push({ to, path: [...path, 'passed', i] });
      });
    }
    return out;
  });

  const problems: Problem[] = [];
  for (const component of stronglyConnected(edges)) {
    const members = new Set(component);
    const looping = component.length > 1 || edges[component[0] as number]?.some((e) => e.to === component[0]);
    if (!looping) continue;
    const first = Math.min(...component);
    const edge = (edges[first] as PassedEdge[]).find((e) => members.has(e.to)) as PassedEdge;
    const loop = component
      .slice()
      .sort((a, b) => a - b)
      .map((j) => names[j] ?? `#${j}`);
    const start = names[first] ?? `#${first}`;
    const message =
      loop.length === 1
        ? `job "${start}" lists itself in passed, so no version can ever pass`
        : `passed constraints form a cycle through jobs ${loop.map((n) => `"${n}"`).join(', ')}, so no version can ever pass`;
    problems.push(error('passed-cycle', edge.path, message, 'a job may only wait for jobs upstream of it; remove the entry that leads back (Concourse refuses pipelines whose passed constraints loop)'));
  }
  return problems;
};

/** Tarjan's algorithm, iterative so that a pipeline with thousands of chained jobs cannot overflow the stack. */
function stronglyConnected(edges: readonly (readonly PassedEdge[])[]): number[][] {
  const index = new Array<number>(edges.length).fill(-1);
  const low = new Array<number>(edges.length).fill(0);
  const onStack = new Array<boolean>(edges.length).fill(false);
  const stack: number[] = [];
  const components: number[][] = [];
  let counter = 0;
  for (let root = 0; root < edges.length; root++) {
    if (index[root] !== -1) continue;
    const work: Array<{ node: number; next: number }> = [{ node: root, next: 0 }];
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = true;
    while (work.length > 0) {
      const frame = work[work.length - 1] as { node: number; next: number };
      const out = edges[frame.node] as readonly PassedEdge[];
      if (frame.next < out.length) {
        const to = (out[frame.next++] as PassedEdge).to;
        if (index[to] === -1) {
          index[to] = low[to] = counter++;
          stack.push(to);
          onStack[to] = true;
          work.push({ node: to, next: 0 });
        } else if (onStack[to]) low[frame.node] = Math.min(low[frame.node] as number, index[to] as number);
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low[parent.node] = Math.min(low[parent.node] as number, low[frame.node] as number);
      if (low[frame.node] === index[frame.node]) {
        const component: number[] = [];
        let member: number;
        do {
          member = stack.pop() as number;
          onStack[member] = false;
          component.push(member);
        } while (member !== frame.node);
        components.push(component);
      }
    }
  }
  return components;
}
