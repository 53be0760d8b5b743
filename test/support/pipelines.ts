/** A minimal valid pipeline (one git resource, one job) around a plan; tests change one part of it. */
export function pipelineWithPlan(plan = '  - get: repo\n', extra = ''): string {
  return `resources:
- name: repo
  type: git
  source: {uri: "https://example.com/repo.git"}
${extra}jobs:
- name: build
  plan:
${plan}`;
}
