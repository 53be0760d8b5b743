import { describe, expect, it } from 'vitest';
import { registryImageResourceType } from '../../src/registry-image/index.js';

describe('registry-image schemas', () => {
  it('names the Concourse fields it supports', () => {
    expect(Object.keys(registryImageResourceType.sourceSchema.properties as object).sort()).toEqual(
      ['ca_certs', 'debug', 'insecure', 'password', 'platform', 'pre_releases', 'repository', 'semver_constraint', 'tag', 'tag_regex', 'username', 'variant'].sort(),
    );
  });
});
