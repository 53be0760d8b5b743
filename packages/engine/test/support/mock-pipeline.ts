/** A job named `job` whose plan is the given YAML (indented for `plan:`), with mock resources `app` and `out`. */
export function mockPipeline(plan: string, extra = ''): string {
  return `
resources:
- name: app
  type: mock
  source:
    initial_version: v1
    create_files:
      hello.txt: hello from app
      vars.yml: 'v: from-var-file'
      config.json: '{"name": "json-value", "count": 3}'
- name: out
  type: mock
  source: {no_initial_version: true}
${extra}
jobs:
- name: job
  plan:
${plan}
# Uses every resource, as Concourse requires; never triggered.
- name: other
  plan:
  - get: app
  - put: out
    params: {version: unused}
`;
}
