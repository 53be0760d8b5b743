import { describe, expect, it } from 'vitest';
import { pipelineGraph } from '../../src/api/pipeline-graph.js';

describe('pipelineGraph', () => {
  const config = {
    resources: [
      { name: 'repo', type: 'git' },
      { name: 'image', type: 'registry-image' },
      { name: 'nightly', type: 'time' },
    ],
    jobs: [
      { name: 'unit', plan: [{ get: 'repo', trigger: true }, { get: 'nightly' }] },
      {
        name: 'build',
        plan: [
          { in_parallel: [{ get: 'repo', trigger: true, passed: ['unit'] }, { get: 'nightly', passed: ['unit'] }] },
          { put: 'image' },
        ],
      },
      { name: 'deploy-staging', plan: [{ get: 'app', resource: 'image', passed: ['build'] }] },
      { name: 'deploy-prod', plan: [{ get: 'image', passed: ['deploy-*'], trigger: true }] },
    ],
    groups: [
      { name: 'test', jobs: ['unit', 'build'] },
      { name: 'deploy', jobs: ['deploy-*'] },
    ],
  };

  it('draws gets without passed from the resource, gets with passed from the jobs, and puts to the resource', () => {
    const graph = pipelineGraph(config);
    expect(graph.edges).toEqual([
      { from: 'resource:repo', to: 'job:unit', kind: 'input', resources: ['repo'], trigger: true },
      { from: 'resource:nightly', to: 'job:unit', kind: 'input', resources: ['nightly'], trigger: false },
      // Two resources through the same jobs are one edge; one triggering get makes it solid.
      { from: 'job:unit', to: 'job:build', kind: 'passed', resources: ['repo', 'nightly'], trigger: true },
      { from: 'job:build', to: 'resource:image', kind: 'output', resources: ['image'], trigger: false },
      { from: 'job:build', to: 'job:deploy-staging', kind: 'passed', resources: ['image'], trigger: false },
      // `passed: [deploy-*]` is a glob: every matching job but the one that has the get.
      { from: 'job:deploy-staging', to: 'job:deploy-prod', kind: 'passed', resources: ['image'], trigger: true },
    ]);
  });

  it('keeps every job and resource, and resolves group globs to the jobs in each group', () => {
    const graph = pipelineGraph(config);
    expect(graph.jobs).toEqual([
      { name: 'unit', groups: ['test'] },
      { name: 'build', groups: ['test'] },
      { name: 'deploy-staging', groups: ['deploy'] },
      { name: 'deploy-prod', groups: ['deploy'] },
    ]);
    expect(graph.resources.map((resource) => resource.name)).toEqual(['repo', 'image', 'nightly']);
    expect(graph.groups).toEqual([
      { name: 'test', jobs: ['unit', 'build'] },
      { name: 'deploy', jobs: ['deploy-staging', 'deploy-prod'] },
    ]);
  });

  it('leaves out steps that name no declared resource instead of guessing', () => {
    const graph = pipelineGraph({ resources: [], jobs: [{ name: 'j', plan: [{ get: 'missing' }, { put: 'also-missing' }] }] });
    expect(graph.edges).toEqual([]);
    expect(graph.jobs).toEqual([{ name: 'j', groups: [] }]);
  });
});
