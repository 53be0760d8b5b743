import { describe, expect, it } from 'vitest';
import { runJob } from '../support/builds.js';
import { testEngine } from '../support/engine.js';

/** A watcher setting one instance per branch, as the branch and PR recipes do. */
const WATCHER = (branch: string) => `
resources:
- name: repo
  type: mock
  source:
    initial_version: v1
    create_files:
      child.yml: |
        jobs:
        - name: show
          plan:
          - task: echo
            config:
              platform: linux
              run: {path: sh, args: [-c, 'echo child']}
jobs:
- name: job
  plan:
  - get: repo
  # What a branch watcher's get leaves: the branch names, written by someone who can push a branch.
  - task: list-branches
    config:
      platform: linux
      outputs: [{name: branches}]
      run: {path: sh, args: [-c, ${JSON.stringify(`printf '["${branch}"]' > branches/list.json`)}]}
  - load_var: branches
    file: branches/list.json
  - across:
    - var: branch
      values: ((.:branches))
    set_pipeline: child
    file: repo/child.yml
    instance_vars: {branch: ((.:branch))}
`;

describe('set_pipeline passes values from the build on as plain text', () => {
  it('refuses a branch name holding "((" as an instance var, so it never becomes a reference to a secret', async () => {
    const engine = testEngine();
    // `\050` is `(`: the name reaches the build as data, as a pushed branch's would.
    const result = await runJob(engine, WATCHER('feature/\\050\\050token\\051\\051'));
    expect(result.build.status).toBe('errored');
    expect(result.events.filter((e) => e.type === 'error').map((e) => e.data.code)).toEqual(['local-var-holds-reference']);
    expect(engine.store.pipelines.list().map((p) => p.name)).toEqual(['p']);
  });

  it('sets an instance for an ordinary branch name', async () => {
    const engine = testEngine();
    const result = await runJob(engine, WATCHER('feature/login'));
    expect(result.build.status).toBe('succeeded');
    expect(engine.store.pipelines.get({ name: 'child', instanceVars: { branch: 'feature/login' } })).toBeDefined();
  });
});
