import { implementedResourceTypes, type ResourceContext } from '@weir/resources';
import { describe, expect, it } from 'vitest';
import { testContext } from '../../../resources/test/support/context.js';
import { parseBaseTypeMirror } from '../../src/resource-types/concourse/base-type-images.js';
import type { ResourceScriptRunner } from '../../src/resource-types/concourse/script-runner.js';
import type { LeasedTypeImage, TypeImageRequest, TypeImageSource } from '../../src/resource-types/concourse/type-image.js';
import type { ImageTypeSupport } from '../../src/resource-types/pipeline-types.js';
import { ResourceTypeRegistry } from '../../src/resource-types/registry.js';

/** Records which image each type asks for, and refuses it: resolution is what is under test here. */
class RecordedImages implements TypeImageSource {
  readonly requests: TypeImageRequest[] = [];
  lease(request: TypeImageRequest, _ctx: ResourceContext): Promise<LeasedTypeImage> {
    this.requests.push(request);
    return Promise.reject(new Error('no image in this test'));
  }
}

const runner: ResourceScriptRunner = { run: () => Promise.reject(new Error('no scripts run in this test')) };

function setup(mirror?: string) {
  const images = new RecordedImages();
  const support: ImageTypeSupport = { runner, images, ...(mirror !== undefined && { mirror: parseBaseTypeMirror(mirror) }) };
  const registry = new ResourceTypeRegistry(implementedResourceTypes(), support);
  /** The image request a check of `name` in this pipeline makes. */
  const imageOf = async (config: unknown, name: string): Promise<TypeImageRequest> => {
    await expect(registry.forPipeline(config).require(name, 'test').check(testContext(), {})).rejects.toThrow('no image in this test');
    return images.requests.at(-1)!;
  };
  return { registry, imageOf };
}

const typeEntry = (name: string, type: string, source: Record<string, unknown> = { repository: `example/${name}` }) => ({ name, type, source });

describe('resource types as a pipeline sees them', () => {
  it('runs a declared type with a built-in\'s name from its image, as Concourse does, and the built-in elsewhere', async () => {
    const { registry, imageOf } = setup();
    const declaring = { resource_types: [typeEntry('git', 'registry-image')] };
    expect(registry.forPipeline(declaring).require('git', 'test')).not.toBe(registry.get('git'));
    expect(registry.forPipeline({}).require('git', 'test')).toBe(registry.get('git'));
    const request = await imageOf(declaring, 'git');
    expect(request).toMatchObject({ declaration: { name: 'git', source: { repository: 'example/git' } }, fetcher: registry.get('registry-image'), fetcherIsBuiltin: true });
  });

  it('reads a type whose type is its own name as the built-in of that name, and a chain of declared types through each other', async () => {
    const { registry, imageOf } = setup();
    const config = { resource_types: [typeEntry('registry-image', 'registry-image'), typeEntry('images', 'registry-image'), typeEntry('app', 'images', { name: 'app' })] };
    expect((await imageOf(config, 'registry-image')).fetcher).toBe(registry.get('registry-image'));
    const app = await imageOf(config, 'app');
    expect(app.fetcherIsBuiltin).toBe(false);
    expect(app.fetcher).toBe(registry.forPipeline(config).require('images', 'test'));
  });

  it('keys a type\'s image by its whole declaration, the chain of types fetching it included', async () => {
    const { imageOf } = setup();
    const declaring = (source: Record<string, unknown>) => ({ resource_types: [typeEntry('images', 'registry-image', source), typeEntry('app', 'images', { name: 'app' })] });
    const first = await imageOf(declaring({ repository: 'example/one' }), 'app');
    const same = await imageOf(declaring({ repository: 'example/one' }), 'app');
    const other = await imageOf(declaring({ repository: 'example/two' }), 'app');
    expect(same.key).toBe(first.key);
    expect(other.key).not.toBe(first.key);
  });

  it('refuses types that fetch each other\'s images in a loop', () => {
    const { registry } = setup();
    const config = { resource_types: [typeEntry('a', 'b'), typeEntry('b', 'a')] };
    expect(() => registry.forPipeline(config).require('a', 'resource x')).toThrow(expect.objectContaining({ code: 'resource-type-cycle', message: expect.stringContaining('a → b → a') }));
  });

  it('runs Concourse base types weir has no built-in for from Concourse\'s images, or from the operator\'s mirror', async () => {
    expect((await setup().imageOf({}, 's3')).declaration).toMatchObject({ type: 'registry-image', source: { repository: 'concourse/s3-resource', tag: 'latest' } });
    const mirrored = (await setup('http://127.0.0.1:5000').imageOf({}, 'semver')).declaration;
    expect(mirrored.source).toEqual({ repository: '127.0.0.1:5000/concourse/semver-resource', tag: 'latest', insecure: true });
    const declared = (await setup('http://127.0.0.1:5000').imageOf({ resource_types: [typeEntry('s3', 'registry-image')] }, 's3')).declaration;
    expect(declared.source).toEqual({ repository: 'example/s3' });
  });

  it('says which types run without a declaration when a name is unknown', () => {
    expect(() => setup().registry.forPipeline({}).require('slack-notification', 'resource note')).toThrow(
      expect.objectContaining({ code: 'resource-type-unavailable', location: 'resource note', hint: expect.stringMatching(/without a declaration: .*\bgit, .*github-pr, .*semver/) }),
    );
  });

  it('runs only built-ins without a sandbox, and says so for the rest', () => {
    const registry = new ResourceTypeRegistry(implementedResourceTypes());
    expect(registry.forPipeline({}).require('mock', 'test')).toBe(registry.get('mock'));
    expect(() => registry.forPipeline({ resource_types: [typeEntry('mock', 'registry-image')] }).require('mock', 'test')).toThrow(expect.objectContaining({ code: 'resource-type-needs-sandbox' }));
  });
});

describe('the base type mirror setting', () => {
  it.each([
    ['registry.example.com', { registry: 'registry.example.com', insecure: false }],
    ['https://registry.example.com/dockerhub/', { registry: 'registry.example.com/dockerhub', insecure: false }],
    ['http://127.0.0.1:5000', { registry: '127.0.0.1:5000', insecure: true }],
  ])('reads %s', (text, expected) => {
    expect(parseBaseTypeMirror(text)).toEqual(expected);
  });

  it.each(['', 'ftp://x', 'registry example', 'https://'])('refuses %j with an example of what it takes', (text) => {
    expect(() => parseBaseTypeMirror(text)).toThrow(expect.objectContaining({ code: 'resource-type-mirror-invalid', hint: expect.stringContaining('http://127.0.0.1:5000') }));
  });
});
