import { describe, expect, it } from 'vitest';
import { load, summarize } from './load.js';

const pipeline = (params: string) => `jobs:\n- name: a\n  plan:\n  - task: t\n    file: t.yml\n    params:\n${params}`;

describe('keys YAML 1.1 reads as booleans', () => {
  it('warns where the key is written, naming the key it becomes', () => {
    const result = load(pipeline('      no: does-not-exist\n      ON: 1\n'));
    expect(summarize(result.problems)).toEqual(['warning yaml-boolean-key @ jobs.a.plan[0].params.false 7:7', 'warning yaml-boolean-key @ jobs.a.plan[0].params.true 8:7']);
    expect(result.problems[0]).toMatchObject({ message: expect.stringContaining('`no` is read as the boolean false'), hint: "quote it ('no') if you mean the word" });
    expect(result.config?.jobs[0]?.plan[0]).toMatchObject({ params: { false: 'does-not-exist', true: 1 } });
  });

  it('warns on the slow reader\'s path too (a tab sends a file there)', () => {
    expect(summarize(load(`#\tcomment\n${pipeline('      n: 1\n')}`).problems)).toEqual(['warning yaml-boolean-key @ jobs.a.plan[0].params.false 8:7']);
  });

  it('leaves quoted words and keys written as true or false alone', () => {
    expect(load(pipeline("      'no': x\n      \"y\": 2\n      true: 3\n      False: 4\n")).problems).toEqual([]);
  });

  it('reports a key in shared YAML once, in flow mappings too', () => {
    const text = `anchors:\n  env: &env {on: 1}\njobs:\n- name: a\n  plan:\n  - task: t\n    file: t.yml\n    params: *env\n  - task: u\n    file: u.yml\n    params: *env\n`;
    expect(summarize(load(text).problems.filter((p) => p.code === 'yaml-boolean-key'))).toEqual(['warning yaml-boolean-key @ anchors.env.true 2:14']);
  });
});
