import { describe, expect, it } from 'vitest';
import { pipelineWithPlan as withPlan } from '../../../../test/support/pipelines.js';
import { load, loadTask, summarize } from './load.js';

/**
 * Each case: a pipeline with one mistake, and the exact problems weir must report (severity,
 * code, YAML path, line:column). Messages are not asserted: they may be reworded.
 */
const CASES: Array<[string, string, string[]]> = [
  [
    'unknown resource in get, with a suggestion',
    withPlan('  - get: rep\n'),
    ['error unused-resource @ resources.repo.name 2:9', 'error unknown-resource @ jobs.build.plan[0].get 8:10'],
  ],
  [
    'unknown resource through resource:',
    withPlan('  - get: repo\n  - put: out\n    resource: nope\n'),
    ['error unknown-resource @ jobs.build.plan[1].resource 10:15'],
  ],
  [
    'passed names an unknown job',
    withPlan('  - get: repo\n    passed: [unit]\n'),
    ['error passed-unknown-job @ jobs.build.plan[0].passed[0] 9:14'],
  ],
  [
    'passed names a job that does not use the resource',
    withPlan('  - get: repo\n    passed: [other]\n- name: other\n  plan:\n  - task: t\n    file: x.yml\n'),
    ['error passed-job-without-resource @ jobs.build.plan[0].passed[0] 9:14'],
  ],
  ['passed accepts globs', withPlan('  - get: repo\n    passed: ["unit-*"]\n- name: unit-a\n  plan:\n  - get: repo\n'), []],
  [
    'typo in a get step key',
    withPlan('  - get: repo\n    pased: [x]\n'),
    ['error unknown-key @ jobs.build.plan[0].pased 9:5'],
  ],
  [
    'task with neither file nor config',
    withPlan('  - get: repo\n  - task: t\n'),
    ['error task-without-config @ jobs.build.plan[1].task 9:11'],
  ],
  [
    'task with both file and config',
    withPlan('  - get: repo\n  - task: t\n    file: x.yml\n    config: {platform: linux, run: {path: sh}}\n'),
    ['error task-file-and-config @ jobs.build.plan[1].config 11:13'],
  ],
  [
    'a step with two actions',
    withPlan('  - get: repo\n    put: repo\n'),
    ['error step-multiple-actions @ jobs.build.plan[0].put 9:10'],
  ],
  [
    'a step with only modifiers',
    withPlan('  - get: repo\n  - timeout: 1h\n'),
    ['error step-without-action @ jobs.build.plan[1] 9:5'],
  ],
  [
    'invalid durations',
    withPlan('  - get: repo\n    timeout: 1 hour\n', '').replace('  source:', '  check_every: sometimes\n  source:'),
    ['error invalid-duration @ resources.repo.check_every 4:16', 'error invalid-duration @ jobs.build.plan[0].timeout 10:14'],
  ],
  ['check_every: never is fine', withPlan('  - get: repo\n').replace('  source:', '  check_every: never\n  source:'), []],
  [
    'across without values (the schema requires them)',
    withPlan('  - get: repo\n  - task: t\n    file: x.yml\n    across:\n    - var: os\n'),
    ['error missing-key @ jobs.build.plan[1].across[0] 12:7'],
  ],
  [
    'version must be latest, every or a map of strings',
    withPlan('  - get: repo\n    version: sometimes\n'),
    ['error schema-type @ jobs.build.plan[0].version 9:14'],
  ],
  ['version every is fine', withPlan('  - get: repo\n    version: every\n'), []],
  [
    'duplicate names',
    withPlan('  - get: repo\n- name: build\n  plan:\n  - get: repo\n'),
    ['error duplicate-name @ jobs.build.name 9:9'],
  ],
  [
    'the same artifact name twice in one job',
    withPlan('  - get: repo\n  - get: repo\n'),
    ['error duplicate-get-name @ jobs.build.plan[1].get 9:10'],
  ],
  [
    'unused resource',
    withPlan('  - get: repo\n', '- name: spare\n  type: git\n  source: {uri: x}\n'),
    ['error unused-resource @ resources.spare.name 5:9'],
  ],
  [
    'groups naming unknown jobs and missing jobs',
    `${withPlan('  - get: repo\n')}- name: deploy\n  plan:\n  - get: repo\ngroups:\n- name: all\n  jobs: [build, deploi]\n`,
    ['error job-not-in-group @ jobs.deploy.name 9:9', 'error group-unknown-job @ groups.all.jobs[1] 14:17'],
  ],
  [
    'teardown_job names a job, and one that can always run',
    `${withPlan('  - get: repo\n')}- name: down\n  plan:\n  - get: repo\n    passed: [build]\nteardown_job: down\n`,
    ['warning teardown-job-passed @ jobs.down.plan[0].passed 12:13'],
  ],
  [
    'teardown_job naming no job',
    `${withPlan('  - get: repo\n')}teardown_job: buidl\n`,
    ['error teardown-job-unknown @ teardown_job 9:15'],
  ],
  [
    'unknown top-level keys are warnings, typos of real keys say so',
    `anchors:\n  x: &x 1\nresource: []\n${withPlan('  - get: repo\n')}`,
    ['warning unknown-top-level-key @ anchors 1:1', 'warning unknown-top-level-key @ resource 3:1'],
  ],
  [
    'identifier style is a warning, as in Concourse',
    withPlan('  - get: repo\n').replace('- name: build', '- name: Build_Job'),
    ['warning invalid-identifier @ jobs.Build_Job.name 6:9'],
  ],
  [
    'resource type typo, undeclared type; a Concourse base type runs from its image',
    `resources:\n- name: a\n  type: gti\n  source: {}\n- name: b\n  type: company-thing\n  source: {}\n- name: c\n  type: s3\n  source: {}\njobs:\n- name: j\n  plan:\n  - get: a\n  - get: b\n  - get: c\n`,
    ['error unknown-resource-type @ resources.a.type 3:9', 'warning undeclared-resource-type @ resources.b.type 6:9'],
  ],
  [
    'a declared type with a built-in\'s name wins, and is pointed out',
    `resource_types:\n- name: git\n  type: registry-image\n  source: {repository: concourse/git-resource}\n${withPlan('  - get: repo\n')}`,
    ['warning resource-type-overrides-builtin @ resource_types.git.name 2:9'],
  ],
  [
    'types declared under resource_types are known',
    `resource_types:\n- name: slack\n  type: registry-image\n  source: {repository: x/slack}\n${withPlan('  - get: repo\n  - put: note\n', '- name: note\n  type: slack\n  source: {}\n')}`,
    [],
  ],
  [
    'local vars: repeated in one scope, shadowed across scopes',
    withPlan('  - get: repo\n  - load_var: v\n    file: repo/a\n  - load_var: v\n    file: repo/b\n  - task: t\n    file: x.yml\n    across:\n    - var: v\n      values: [1]\n'),
    ['error duplicate-local-var @ jobs.build.plan[2].load_var 11:15', 'warning shadowed-local-var @ jobs.build.plan[3].across[0].var 16:12'],
  ],
  [
    'local vars: the scope of across covers the nested steps and ends with them',
    withPlan('  - get: repo\n  - do:\n    - load_var: v\n      file: repo/a\n    across:\n    - var: v\n      values: [1]\n  - load_var: v\n    file: repo/b\n'),
    ['error duplicate-local-var @ jobs.build.plan[1].do[0].load_var 10:17'],
  ],
  [
    'hooks are checked like any step',
    withPlan('  - get: repo\n  on_failure:\n    put: nope\n'),
    ['error unknown-resource @ jobs.build.on_failure.put 10:10'],
  ],
  [
    'steps nested in do, in_parallel and try',
    withPlan('  - do:\n    - get: repo\n  - in_parallel:\n      steps:\n      - task: a\n  - try:\n      get: ghost\n'),
    ['error task-without-config @ jobs.build.plan[1].in_parallel.steps[0].task 12:15', 'error unknown-resource @ jobs.build.plan[2].try.get 14:12'],
  ],
  [
    'trigger_vars: a name declared twice, and a default its values do not allow',
    withPlan('  - get: repo\n- name: maintenance\n  trigger_vars:\n  - {name: mode, default: maybe, values: ["on", "off"]}\n  - {name: mode}\n  plan:\n  - get: repo\n'),
    ['error trigger-var-default-not-allowed @ jobs.maintenance.trigger_vars[0].default 11:27', 'error trigger-var-duplicate @ jobs.maintenance.trigger_vars[1].name 12:12'],
  ],
  ['trigger_vars: a default among its values', withPlan('  - get: repo\n- name: maintenance\n  trigger_vars:\n  - {name: mode, default: "off", values: ["on", "off"]}\n  plan:\n  - get: repo\n'), []],
];

describe('pipeline rules', () => {
  it.each(CASES)('%s', (_name, text, expected) => {
    const result = load(text);
    expect(summarize(result.problems)).toEqual(expected);
    expect(result.config === undefined).toBe(expected.some((e) => e.startsWith('error')));
  });

  it('reports every problem of a file at once', () => {
    const result = load(withPlan('  - get: rep\n    pased: []\n  - task: t\n    timeout: soon\n'));
    expect(new Set(result.problems.map((p) => p.code))).toEqual(new Set(['unknown-resource', 'unknown-key', 'task-without-config', 'invalid-duration', 'unused-resource']));
  });

  it('gives hints with suggestions', () => {
    const [problem] = load(withPlan('  - get: repo\n    pased: [x]\n')).problems;
    expect(problem?.hint).toMatch(/did you mean "passed"/);
  });
});

describe('task config rules', () => {
  it('accepts a typical task file', () => {
    const result = loadTask('platform: linux\nimage_resource:\n  type: registry-image\n  source: {repository: alpine}\ninputs:\n- name: repo\nrun:\n  path: sh\n  args: [-c, "echo hi"]\n');
    expect(summarize(result.problems)).toEqual([]);
    expect(result.config?.run.path).toBe('sh');
  });

  it('reports duplicate inputs, a missing run path and unknown keys', () => {
    const result = loadTask('platform: linux\ninputs:\n- name: a\n- name: a\nrun:\n  args: [x]\nparms: {}\n');
    expect(summarize(result.problems)).toEqual([
      'error duplicate-task-input @ inputs[1].name 4:9',
      'error missing-key @ run 6:3',
      'error unknown-key @ parms 7:1',
    ]);
  });

  it('says what a non-task file is', () => {
    expect(loadTask('- just\n- a list\n').problems.map((p) => p.code)).toEqual(['not-a-mapping']);
    expect(loadTask('').problems.map((p) => p.code)).toEqual(['empty-document']);
  });
});
