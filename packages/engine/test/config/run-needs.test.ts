import { builtinResourceTypeCatalog } from '@weir/resources';
import { describe, expect, it } from 'vitest';
import { describeRunNeeds, pipelineRunNeeds } from '../../src/config/run-needs.js';

const catalog = builtinResourceTypeCatalog();

const pipeline = {
  resource_types: [
    { name: 'slack', type: 'registry-image', source: { repository: 'cfcommunity/slack-notification-resource' } },
    { name: 'images', type: 'registry-image', source: { repository: '127.0.0.1:5000/types/images' } },
    { name: 'app-type', type: 'images', source: { name: 'app' } },
    { name: 'unused', type: 'registry-image', source: { repository: 'example/unused' } },
    { name: 'registry-image', type: 'registry-image', source: { repository: 'concourse/registry-image-resource' } },
  ],
  resources: [
    { name: 'repo', type: 'git', source: {} },
    { name: 'note', type: 'slack', source: {} },
    { name: 'app', type: 'app-type', source: {} },
    { name: 'bucket', type: 's3', source: {} },
    { name: 'image', type: 'registry-image', source: {} },
  ],
  jobs: [
    {
      name: 'test',
      plan: [{ task: 'unit', config: { platform: 'linux', image_resource: { type: 'registry-image', source: { repository: 'golang' } }, run: { path: 'go' } } }, { task: 'host', config: { platform: 'linux', run: { path: 'true' } } }],
    },
  ],
};

describe('what a run of a pipeline needs of the host', () => {
  it('lists every type run from an image (declared, through a chain, a declared registry-image fetching the others as in Concourse, base types) and every task with an image, and nothing else', () => {
    expect(pipelineRunNeeds(pipeline, catalog)).toEqual([
      { what: 'resource type slack', registry: 'docker.io', repository: 'cfcommunity/slack-notification-resource', baseType: false },
      { what: 'resource type registry-image', registry: 'docker.io', repository: 'concourse/registry-image-resource', baseType: false },
      { what: 'resource type app-type', baseType: false },
      { what: 'resource type images', registry: '127.0.0.1:5000', repository: '127.0.0.1:5000/types/images', baseType: false },
      { what: 'resource type s3', registry: 'docker.io', repository: 'concourse/s3-resource', baseType: true },
      { what: 'task unit in job test', registry: 'docker.io', repository: 'golang', baseType: false },
    ]);
  });

  it('says it: bubblewrap, the registries, and the mirror setting for base types', () => {
    const notes = describeRunNeeds(pipelineRunNeeds(pipeline, catalog));
    expect(notes).toHaveLength(3);
    expect(notes[0]).toMatch(/^a run needs bubblewrap on the engine's host \(Debian\/Ubuntu: apt-get install bubblewrap\): resource type slack, .* and task unit in job test run in their images/);
    expect(notes[1]).toBe('a run needs the engine to reach the image registries docker.io and 127.0.0.1:5000');
    expect(notes[2]).toContain('resource type s3 is a Concourse base type that weir runs from Docker Hub (concourse/s3-resource); an engine without access to Docker Hub takes a mirror: weir up --resource-type-mirror');
  });

  it('needs nothing for a pipeline of built-ins on the host', () => {
    expect(describeRunNeeds(pipelineRunNeeds({ resources: [{ name: 'repo', type: 'git' }], jobs: [{ name: 'j', plan: [{ get: 'repo' }] }] }, catalog))).toEqual([]);
  });
});
