/** The stored plan (packages/engine/src/runner/plan/plan.ts) as the build page shows it. */
export interface PlanNode {
  kind: string;
  id: string;
  name?: string;
  resource?: string;
  params?: Record<string, unknown>;
  steps?: PlanNode[];
  step?: PlanNode;
  hook?: PlanNode;
  duration?: string;
  attempts?: number;
}

export const LEAF_KINDS = new Set(['get', 'put', 'task', 'set_pipeline', 'load_var', 'run']);

/** Every step that runs and logs, in the order the plan runs them. */
export function planLeaves(plan: PlanNode | undefined): Map<string, { index: number; kind: string; name: string }> {
  const leaves = new Map<string, { index: number; kind: string; name: string }>();
  const visit = (node: PlanNode | undefined) => {
    if (!node) return;
    if (LEAF_KINDS.has(node.kind)) leaves.set(node.id, { index: leaves.size, kind: node.kind, name: node.name ?? '' });
    for (const child of node.steps ?? []) visit(child);
    visit(node.step);
    visit(node.hook);
  };
  visit(plan);
  return leaves;
}

/** A label for a container node in the step tree. */
export function containerLabel(node: PlanNode): string {
  switch (node.kind) {
    case 'timeout':
      return `timeout ${node.duration ?? ''}`;
    case 'attempts':
      return `attempts: ${node.attempts ?? ''}`;
    default:
      return node.kind.replace('_', ' ');
  }
}
