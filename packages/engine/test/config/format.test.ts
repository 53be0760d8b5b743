import { describe, expect, it } from 'vitest';
import { formatConfig } from '@weir/engine';

const MESSY = `# the pipeline
jobs:
- plan:
  - trigger: true   # run on every commit
    get: repo
  - config:
      run: {path: sh}
      platform: linux
    task: unit
  name: build
resources:
- source: {uri: "https://example.com/r.git"}
  type: git
  name: repo
`;

describe('formatConfig', () => {
  it('puts keys in canonical order and keeps comments', () => {
    const result = formatConfig(MESSY);
    expect(result.problems).toEqual([]);
    expect(result.text).toBe(`# the pipeline
resources:
  - name: repo
    type: git
    source: { uri: "https://example.com/r.git" }
jobs:
  - name: build
    plan:
      - get: repo
        trigger: true # run on every commit
      - task: unit
        config:
          platform: linux
          run: { path: sh }
`);
  });

  it('is idempotent', () => {
    const once = formatConfig(MESSY).text as string;
    expect(formatConfig(once).text).toBe(once);
  });

  it('never moves an anchor after an alias that uses it', () => {
    const text = 'jobs:\n- name: a\n  plan:\n  - get: r\n    params: *p\nresources:\n- name: r\n  type: git\n  source: {}\nanchors:\n  params: &p {depth: 1}\n';
    // The alias comes before its anchor: not valid YAML, and format says so instead of guessing.
    expect(formatConfig(text).text).toBeUndefined();
    const valid = 'anchors:\n  params: &p {depth: 1}\njobs:\n- name: a\n  plan:\n  - get: r\n    params: *p\nresources:\n- name: r\n  type: git\n  source: {}\n';
    const formatted = formatConfig(valid).text as string;
    expect(formatted.indexOf('&p')).toBeLessThan(formatted.indexOf('*p'));
    expect(formatted.indexOf('resources:')).toBeLessThan(formatted.indexOf('jobs:'));
  });

  it('refuses input that does not parse, with the parse problems', () => {
    const result = formatConfig('jobs: [\n');
    expect(result.text).toBeUndefined();
    expect(result.problems.length).toBeGreaterThan(0);
  });

  it('orders task files as task configs', () => {
    expect(formatConfig('run: {path: sh}\nplatform: linux\n').text).toBe('platform: linux\nrun: { path: sh }\n');
  });
});
