import { describe, expect, it } from 'vitest';
import { pipelineWithPlan as withPlan } from '../../../../test/support/pipelines.js';
import { load, loadTask, summarize } from './load.js';

/**
 * One case per check of Concourse's own validation (atc/configvalidate and the config types it
 * unmarshals into) that weir added to match it; docs/validation.md lists every check with the
 * case that covers it. Each case: a pipeline with one mistake, and the exact problems weir reports.
 */
const REPO = 'resources:\n- name: repo\n  type: git\n  source: {uri: x}\n';
const job = (name: string, plan: string) => `- name: ${name}\n  plan:\n${plan}`;

const CASES: Array<[string, string, string[]]> = [
  ['jobs: an empty list of jobs', `${REPO}jobs: []\n`, ['error unused-resource @ resources.repo.name 2:9', 'error no-jobs @ jobs 5:7']],
  ['jobs: a job that names itself in passed', `${REPO}jobs:\n${job('a', '  - get: repo\n    passed: [a]\n')}`, ['error passed-cycle @ jobs.a.plan[0].passed[0] 9:14']],
  [
    'jobs: passed constraints that loop through a glob',
    `${REPO}jobs:\n${job('a', '  - get: repo\n    passed: [b]\n')}${job('b', '  - get: repo\n    passed: ["a*"]\n')}`,
    ['error passed-cycle @ jobs.a.plan[0].passed[0] 9:14'],
  ],
  [
    'jobs: a loop through three jobs is reported once',
    `${REPO}jobs:\n${job('a', '  - get: repo\n    passed: [c]\n')}${job('b', '  - get: repo\n    passed: [a]\n')}${job('c', '  - get: repo\n    passed: [b]\n')}`,
    ['error passed-cycle @ jobs.a.plan[0].passed[0] 9:14'],
  ],
  [
    'jobs: a diamond of passed constraints is not a loop',
    `${REPO}jobs:\n${job('a', '  - get: repo\n')}${job('b', '  - get: repo\n    passed: [a]\n')}${job('c', '  - get: repo\n    passed: [a]\n')}${job('d', '  - get: repo\n    passed: [b, c]\n')}`,
    [],
  ],
  ['jobs: an empty job name', withPlan().replace('- name: build', '- name: ""'), ['error empty-name @ jobs[0].name 6:9']],
  ['steps: an empty get name', withPlan('  - get: repo\n  - get: ""\n    resource: repo\n'), ['error empty-name @ jobs.build.plan[1].get 9:10']],
  ['steps: an empty task name', withPlan('  - get: repo\n  - task: ""\n    file: x.yml\n'), ['error empty-name @ jobs.build.plan[1].task 9:11']],
  [
    'jobs: build_logs_to_retain is deprecated',
    withPlan().replace('  plan:', '  build_logs_to_retain: 5\n  plan:'),
    ['warning deprecated-build-logs-to-retain @ jobs.build.build_logs_to_retain 7:25'],
  ],
  [
    'jobs: build_logs_to_retain together with build_log_retention',
    withPlan().replace('  plan:', '  build_logs_to_retain: 5\n  build_log_retention: {builds: 5}\n  plan:'),
    ['warning deprecated-build-logs-to-retain @ jobs.build.build_logs_to_retain 7:25', 'error build-log-retention-conflict @ jobs.build.build_log_retention 8:24'],
  ],
  [
    'jobs: build_log_retention keeps more succeeded builds than builds',
    withPlan().replace('  plan:', '  build_log_retention: {builds: 2, minimum_succeeded_builds: 3}\n  plan:'),
    ['error build-log-retention-minimum @ jobs.build.build_log_retention.minimum_succeeded_builds 7:62'],
  ],
  ['jobs: negative build_log_retention values', withPlan().replace('  plan:', '  build_log_retention: {days: -1}\n  plan:'), ['error schema-too-small @ jobs.build.build_log_retention.days 7:31']],
  ['jobs: disable_reruns is part of the format', withPlan().replace('  plan:', '  disable_reruns: true\n  plan:'), []],
  ['resources: an empty type', withPlan().replace('type: git', 'type: ""'), ['error empty-type @ resources.repo.type 3:9']],
  ['resources: an empty name', withPlan('  - get: x\n').replace('- name: repo', '- name: ""'), ['error empty-name @ resources[0].name 2:9', 'error unused-resource @ resources[0].name 2:9', 'error unknown-resource @ jobs.build.plan[0].get 8:10']],
  ['groups: a job pattern that is not a glob', withPlan('  - get: repo\n', '').replace('jobs:\n', 'groups:\n- name: all\n  jobs: ["build[", build]\njobs:\n'), ['error invalid-glob @ groups.all.jobs[0] 7:10']],
  [
    'prototypes: a prototype with the name of a resource type',
    `resource_types:\n- name: t\n  type: registry-image\n  source: {}\nprototypes:\n- name: t\n  type: registry-image\n  source: {}\n${withPlan()}`,
    ['error duplicate-name @ prototypes.t.name 6:9'],
  ],
  [
    'steps: a run step names an undeclared prototype',
    `prototypes:\n- name: go\n  type: registry-image\n  source: {}\n${withPlan('  - get: repo\n  - run: build\n    type: golang\n')}`,
    ['error unknown-prototype @ jobs.build.plan[1].type 14:11'],
  ],
  [
    'steps: a run message that is not an identifier is an error',
    `prototypes:\n- name: go\n  type: registry-image\n  source: {}\n${withPlan('  - get: repo\n  - run: Build\n    type: go\n')}`,
    ['error invalid-identifier @ jobs.build.plan[1].run 13:10'],
  ],
  ['steps: set_pipeline with an empty file', withPlan('  - get: repo\n  - set_pipeline: x\n    file: ""\n'), ['error step-without-file @ jobs.build.plan[1].file 10:11']],
  ['steps: load_var with an empty file', withPlan('  - get: repo\n  - load_var: x\n    file: ""\n'), ['error step-without-file @ jobs.build.plan[1].file 10:11']],
  [
    'steps: an across var is not held to the identifier rule, an empty values list runs nothing',
    withPlan('  - get: repo\n  - task: t\n    file: x.yml\n    across:\n    - var: OS\n      values: []\n'),
    ['warning across-without-values @ jobs.build.plan[1].across[0].values 13:15'],
  ],
  [
    'tasks: a cache ttl under 1s',
    withPlan('  - get: repo\n  - task: t\n    config: {platform: linux, run: {path: sh}, caches: [{path: c, ttl: 10ms}]}\n'),
    ['error task-cache-ttl @ jobs.build.plan[1].config.caches[0].ttl 10:72'],
  ],
  ['tasks: a cache ttl', withPlan('  - get: repo\n  - task: t\n    config: {platform: linux, run: {path: sh}, caches: [{path: c, ttl: 24h}]}\n'), []],
  [
    'var_sources: an unknown type, with a suggestion',
    `var_sources:\n- name: v\n  type: valut\n  config: {}\n${withPlan()}`,
    ['error var-source-type-unknown @ var_sources.v.type 3:9'],
  ],
  [
    'var_sources: a type Concourse only supports server-wide',
    `var_sources:\n- name: c\n  type: credhub\n  config: {}\n${withPlan()}`,
    ['error var-source-type-unsupported @ var_sources.c.type 3:9'],
  ],
  [
    'var_sources: kubernetes, which weir reads per pipeline',
    `var_sources:\n- name: k\n  type: kubernetes\n  config: {namespace_prefix: ci-}\n${withPlan()}`,
    [],
  ],
  [
    'var_sources: dependencies in any order are fine',
    `var_sources:\n- name: a\n  type: vault\n  config: {url: x, client_token: "((b:token))"}\n- name: b\n  type: dummy\n  config: {vars: {token: t}}\n${withPlan()}`,
    [],
  ],
  [
    'var_sources: a var source that reads from itself',
    `var_sources:\n- name: a\n  type: vault\n  config: {url: x, client_token: "((a:token))"}\n${withPlan()}`,
    ['error var-source-cycle @ var_sources.a.config 4:11'],
  ],
  [
    'var_sources: two var sources that read from each other',
    `var_sources:\n- name: a\n  type: vault\n  config: {url: "((b:url))"}\n- name: b\n  type: vault\n  config: {url: "((a:url))"}\n${withPlan()}`,
    ['error var-source-cycle @ var_sources.a.config 4:11', 'error var-source-cycle @ var_sources.b.config 7:11'],
  ],
  [
    'var_sources: a var source reading from an undeclared one',
    `var_sources:\n- name: a\n  type: vault\n  config: {url: "((nope:url))"}\n${withPlan()}`,
    ['error var-source-unknown @ var_sources.a.config.url 4:17'],
  ],
  ['display: a javascript: background image', `display: {background_image: "javascript:alert(1)"}\n${withPlan()}`, ['error display-url-scheme @ display.background_image 1:29']],
  ['display: an http(s) or relative background image', `display: {background_image: "https://example.com/a.png"}\n${withPlan()}`, []],
  ['display: a relative background image', `display: {background_image: "/public/bg.png"}\n${withPlan()}`, []],
  ['display: a background image that is not a URL', `display: {background_image: "https://example.com/%zz.png"}\n${withPlan()}`, ['error display-invalid-url @ display.background_image 1:29']],
  ['steps: attempts must be greater than 0', withPlan('  - get: repo\n    attempts: 0\n'), ['error schema-too-small @ jobs.build.plan[0].attempts 9:15']],
  ['jobs: max_in_flight 0', withPlan().replace('  plan:', '  max_in_flight: 0\n  plan:'), ['error schema-too-small @ jobs.build.max_in_flight 7:18']],
  ['steps: across with no vars', withPlan('  - get: repo\n  - task: t\n    file: x.yml\n    across: []\n'), ['error across-without-vars @ jobs.build.plan[1].across 11:13']],
  ['steps: across max_in_flight 0', withPlan('  - get: repo\n  - task: t\n    file: x.yml\n    across:\n    - var: v\n      values: [1]\n      max_in_flight: 0\n'), ['error schema-too-small @ jobs.build.plan[1].across[0].max_in_flight 14:22']],
  ['steps: task and set_pipeline names under across may carry the var', withPlan('  - get: repo\n  - task: Test-((.:v))\n    file: x.yml\n    across:\n    - var: v\n      values: [a]\n'), []],
  ['tasks: a config without platform, an input without a name', withPlan('  - get: repo\n  - task: t\n    config: {run: {path: sh}, inputs: [{path: x}]}\n'), ['error missing-key @ jobs.build.plan[1].config 10:13', 'error missing-key @ jobs.build.plan[1].config.inputs[0] 10:40']],
  ['steps: image on the step and in the config; hermetic', withPlan('  - get: repo\n  - task: t\n    image: repo\n    hermetic: true\n    config: {platform: linux, run: {path: sh}, image_resource: {type: registry-image, source: {repository: a}}}\n'), ['warning task-image-overridden @ jobs.build.plan[1].image 10:12', 'warning task-hermetic-sandbox-only @ jobs.build.plan[1].hermetic 11:15']],
  ['groups: a pattern no job matches, an unknown resource, a job in no group', withPlan('  - get: repo\n', '').replace('jobs:\n', 'groups:\n- name: g\n  jobs: [deploy-*]\n  resources: [nope]\njobs:\n'), ['error group-unknown-job @ groups.g.jobs[0] 7:10', 'error group-unknown-resource @ groups.g.resources[0] 8:15', 'error job-not-in-group @ jobs.build.name 10:9']],
  ['top level: user_data is part of the format', `user_data: {owner: team-a}\n${withPlan()}`, []],
];

describe("Concourse's validation checks", () => {
  it.each(CASES)('%s', (_name, text, expected) => {
    const result = load(text);
    expect(summarize(result.problems)).toEqual(expected);
    expect(result.config === undefined).toBe(expected.some((e) => e.startsWith('error')));
  });

  it('task files: a cache ttl that is not a duration', () => {
    expect(summarize(loadTask('platform: linux\nrun: {path: sh}\ncaches:\n- path: c\n  ttl: soon\n').problems)).toEqual(['error task-cache-ttl @ caches[0].ttl 5:8']);
  });
});
