import { describe, expect, it } from 'vitest';
import { parseVarReference, varsFromFlags } from '@weir/engine';
import { load, summarize } from './load.js';

describe('parseVarReference', () => {
  it.each([
    ['name', { path: 'name', fields: [] }],
    ['name.field.sub', { path: 'name', fields: ['field', 'sub'] }],
    ['vault:path/to/secret.key', { source: 'vault', path: 'path/to/secret', fields: ['key'] }],
    ['.:local', { source: '.', path: 'local', fields: [] }],
    ['"with.dot".field', { path: 'with.dot', fields: ['field'] }],
    ['src:"a:b".c', { source: 'src', path: 'a:b', fields: ['c'] }],
  ])('parses ((%s))', (raw, expected) => {
    expect(parseVarReference(raw)).toMatchObject(expected);
  });

  it('rejects unclosed quotes and empty fields', () => {
    expect(parseVarReference('"open.x')).toMatch(/unclosed quote/);
    expect(parseVarReference('a..b')).toMatch(/empty field/);
  });
});

const PIPELINE = `
resources:
- name: repo
  type: ((type))
  source:
    uri: https://((host))/((org.name))/repo.git
    branch: ((branch))
    private_key: ((vault:deploy.key))
    depth: ((depth))
jobs:
- name: build
  serial: ((serial))
  plan:
  - get: repo
    trigger: ((trigger))
  - load_var: version
    file: repo/version
  - task: t
    file: repo/ci/((.:version)).yml
`;

describe('interpolation', () => {
  it('keeps the type of a var that is the whole value, and splices strings', () => {
    const result = load(PIPELINE.replace('private_key: ((vault:deploy.key))', ''), {
      vars: { type: 'git', host: 'example.com', org: { name: 'acme' }, branch: 'main', depth: 3, serial: true, trigger: false },
    });
    expect(summarize(result.problems)).toEqual([]);
    const resource = result.config?.resources?.[0];
    expect(resource?.source).toEqual({ uri: 'https://example.com/acme/repo.git', branch: 'main', depth: 3 });
    expect(result.config?.jobs[0]?.serial).toBe(true);
    expect(result.problems.filter((p) => p.code === 'static-var-looks-secret')).toEqual([]);
  });

  it('warns once about a static var whose name looks like a secret, pointing to the secret store', () => {
    const result = load('jobs:\n- name: j\n  plan:\n  - task: t\n    params: {A: ((db.password)), B: ((db.password)), C: ((monkey)), D: ((githubToken))}\n    config: {platform: linux, run: {path: "true"}}\n', {
      vars: { db: { password: 'x' }, monkey: 'y', githubToken: 'z' },
    });
    const warned = result.problems.filter((p) => p.code === 'static-var-looks-secret');
    expect(warned.map((p) => [p.severity, p.displayPath])).toEqual([
      ['warning', 'jobs.j.plan[0].params.A'],
      ['warning', 'jobs.j.plan[0].params.D'],
    ]);
    expect(warned[0]?.hint).toContain('weir secrets set db');
  });

  it('warns about missing vars in validate, once per var, and leaves typed fields unchecked', () => {
    const result = load(PIPELINE.replace('private_key: ((vault:deploy.key))', ''));
    const missing = result.problems.filter((p) => p.code === 'var-undefined');
    expect(missing.map((p) => p.message)).toEqual([
      'var ((type)) is not defined',
      'var ((host)) is not defined',
      'var ((org.name)) is not defined',
      'var ((branch)) is not defined',
      'var ((depth)) is not defined',
      'var ((serial)) is not defined',
      'var ((trigger)) is not defined',
    ]);
    expect(missing.every((p) => p.severity === 'warning')).toBe(true);
    expect(result.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(missing[0]).toMatchObject({ line: 4, column: 9, displayPath: 'resources.repo.type' });
  });

  it('makes missing vars errors when a pipeline is set', () => {
    const result = load('jobs:\n- name: a\n  plan:\n  - task: t\n    file: ((f))\n', { missingVars: 'error' });
    expect(summarize(result.problems)).toEqual(['error var-undefined @ jobs.a.plan[0].file 5:11']);
    expect(result.config).toBeUndefined();
  });

  it('errors on a var source that var_sources does not declare, and leaves declared ones for run time', () => {
    const declared = `var_sources:\n- name: vault\n  type: vault\n  config: {url: "https://vault"}\n${PIPELINE}`;
    const vars = { type: 'git', host: 'h', org: { name: 'o' }, branch: 'b', depth: 1, serial: false, trigger: true };
    expect(load(declared, { vars }).problems.filter((p) => p.code.startsWith('var'))).toEqual([]);
    const undeclared = load(PIPELINE, { vars });
    expect(summarize(undeclared.problems)).toEqual(['error var-source-unknown @ resources.repo.source.private_key 8:18']);
  });

  it('refuses to splice a mapping into a string', () => {
    const result = load('jobs:\n- name: a\n  plan:\n  - task: t\n    file: ci/((m)).yml\n', { vars: { m: { a: 1 } } });
    expect(result.problems.map((p) => p.code)).toEqual(['var-not-scalar']);
  });

  it('finds references that only escapes in double quotes spell out', () => {
    const text = 'jobs:\n- name: a\n  plan:\n  - task: t\n    file: "ci/\\x28(f)).yml"\n    params:\n      X: "(\\\n        (v))"\n';
    const result = load(text, { vars: { f: 'build', v: 'value' } });
    expect(result.config?.jobs[0]?.plan[0]).toMatchObject({ file: 'ci/build.yml', params: { X: 'value' } });
    expect(summarize(load(text, { vars: { v: 'value' }, missingVars: 'error' }).problems)).toEqual(['error var-undefined @ jobs.a.plan[0].file 5:11']);
  });

  it('interpolates keys', () => {
    const result = load('jobs:\n- name: a\n  plan:\n  - task: t\n    file: x.yml\n    params:\n      ((key)): v\n', { vars: { key: 'NAME' } });
    expect(result.config?.jobs[0]?.plan[0]).toMatchObject({ params: { NAME: 'v' } });
  });
});

describe('varsFromFlags', () => {
  it('reads -v as strings, -y as YAML, -l files, with dotted names as fields', () => {
    const { vars, problems } = varsFromFlags([
      { kind: 'file', path: 'vars.yml', text: 'a: 1\nb: {c: x}\n' },
      { kind: 'yaml', text: 'list=[1, 2]' },
      { kind: 'string', text: 'a=2' },
      { kind: 'string', text: 'b.d=y' },
    ]);
    expect(problems).toEqual([]);
    expect(vars).toEqual({ a: '2', b: { c: 'x', d: 'y' }, list: [1, 2] });
  });

  it('reports malformed flags and files', () => {
    const { problems } = varsFromFlags([
      { kind: 'string', text: 'novalue' },
      { kind: 'yaml', text: 'x=[unclosed' },
      { kind: 'file', path: 'v.yml', text: '- a list' },
    ]);
    expect(problems.map((p) => p.code)).toEqual(['var-flag-invalid', 'var-flag-invalid', 'vars-file-not-mapping']);
  });
});
