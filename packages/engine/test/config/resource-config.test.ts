import { loadPipeline } from '@weir/engine';
import { builtinResourceTypeCatalog } from '@weir/resources';
import { describe, expect, it } from 'vitest';
import { summarize } from './load.js';

const load = (text: string) => loadPipeline(text, { file: 'pipeline.yml', missingVars: 'warning', resourceTypes: builtinResourceTypeCatalog() });
const configProblems = (text: string) => load(text).problems.filter((p) => /-(params|source)-invalid$/.test(p.code));

const pipeline = (source: string, steps: string) =>
  `resources:\n- name: repo\n  type: git\n  source:\n${source}\njobs:\n- name: build\n  plan:\n${steps}`;

describe('sources and params of built-in types', () => {
  it('warns where a source field is unknown or mistyped, with a guess at what was meant', () => {
    const problems = configProblems(pipeline('    uri: https://example.com/repo.git\n    branh: main\n    version_depth: many', '  - get: repo\n'));
    expect(summarize(problems)).toEqual([
      'warning resource-source-invalid @ resources.repo.source.branh 6:5',
      'warning resource-source-invalid @ resources.repo.source.version_depth 7:20',
    ]);
    expect(problems[0]).toMatchObject({ message: expect.stringContaining('has a field "branh" that type git does not take; weir refuses it when it is checked'), hint: 'did you mean "branch"?' });
    expect(problems[1]?.message).toContain('"version_depth" in the source of resource "repo" must be integer, not a string');
  });

  it('checks get and put params and get_params, reading text the way the type will', () => {
    const steps = '  - get: repo\n    params: {depth: "5", submodules: all, fetch_tag: true}\n  - put: repo\n    params: {repository: repo, rebase: "true"}\n    get_params: {dept: 1}\n';
    expect(summarize(configProblems(pipeline('    uri: https://example.com/repo.git', steps)))).toEqual([
      'warning get-params-invalid @ jobs.build.plan[0].params.fetch_tag 10:43',
      'warning get-params-invalid @ jobs.build.plan[1].get_params.dept 13:18',
    ]);
  });

  it('leaves values with vars for run time, and nulls count as not given', () => {
    const steps = '  - get: repo\n    params: {depth: ((depth)), submodules: ~}\n';
    expect(configProblems(pipeline('    uri: ((uri))\n    branch: ((branch))\n    private_key: ((key))\n    paths: ((paths))', steps))).toEqual([]);
  });

  it('leaves a var that decides what else is required, a var in a key, and get_params no get reads', () => {
    const text = `resources:\n- name: db\n  type: volume-snapshot\n  source: {driver: ((driver)), pvc: db}\n- name: repo\n  type: git\n  source: {uri: x, ((extra)): 1}\njobs:\n- name: j\n  plan:\n  - get: db\n  - put: repo\n    params: {repository: repo}\n    no_get: true\n    get_params: {bogus: 1}\n`;
    expect(configProblems(text)).toEqual([]);
  });

  it('says what is missing from a whole source plainly', () => {
    const text = `resources:\n- name: repo\n  type: git\n  source: {branch: main}\njobs:\n- name: j\n  plan:\n  - get: repo\n`;
    const [problem] = configProblems(text);
    expect(problem?.message).toBe("the source of resource \"repo\" must have required property 'uri'; weir refuses it when it is checked");
  });

  it('leaves a declared type with a built-in\'s name to its own scripts, since the declaration wins', () => {
    const text = `resource_types:\n- name: git\n  type: registry-image\n  source: {repository: example/git-resource}\nresources:\n- name: repo\n  type: git\n  source: {branch: main}\njobs:\n- name: j\n  plan:\n  - get: repo\n    params: {anything: 1}\n`;
    expect(configProblems(text)).toEqual([]);
  });

  it('leaves types declared under resource_types, and Concourse types weir does not run, alone', () => {
    const text = `resource_types:\n- name: custom\n  type: registry-image\n  source: {repository: example/custom}\nresources:\n- name: a\n  type: custom\n  source: {anything: 1}\n- name: b\n  type: s3\n  source: {bucket: x}\njobs:\n- name: j\n  plan:\n  - get: a\n    params: {whatever: true}\n  - get: b\n`;
    expect(configProblems(text)).toEqual([]);
  });

  it('does not fail the pipeline: Concourse hands both to its scripts unread', () => {
    const result = load(pipeline('    uri: https://example.com/repo.git\n    nonsense: 1', '  - get: repo\n'));
    expect(result.config).toBeDefined();
  });
});
