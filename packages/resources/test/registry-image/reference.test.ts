import { describe, expect, it } from 'vitest';
import { isValidDigest, isValidTag, parseRepository, registryBaseUrl } from '../../src/registry-image/reference.js';

describe('parseRepository', () => {
  it.each([
    ['alpine', 'docker.io', 'registry-1.docker.io', 'library/alpine'],
    ['concourse/concourse', 'docker.io', 'registry-1.docker.io', 'concourse/concourse'],
    ['docker.io/alpine', 'docker.io', 'registry-1.docker.io', 'library/alpine'],
    ['index.docker.io/owner/app', 'docker.io', 'registry-1.docker.io', 'owner/app'],
    ['ghcr.io/owner/app', 'ghcr.io', 'ghcr.io', 'owner/app'],
    ['127.0.0.1:5000/app', '127.0.0.1:5000', '127.0.0.1:5000', 'app'],
    ['localhost/team/app', 'localhost', 'localhost', 'team/app'],
    ['Registry.Example.com:443/a/b/c', 'registry.example.com:443', 'registry.example.com:443', 'a/b/c'],
    ['[::1]:5000/app', '[::1]:5000', '[::1]:5000', 'app'],
    ['quay.io/my_org/my-app.v2__x', 'quay.io', 'quay.io', 'my_org/my-app.v2__x'],
  ])('%s → %s, %s', (repository, registry, apiHost, path) => {
    expect(parseRepository(repository)).toEqual({ registry, apiHost, path });
  });

  it.each([
    ['', 'empty'],
    ['alpine:3.18', 'tag'],
    ['ghcr.io/owner/app:latest', 'tag'],
    ['alpine@sha256:abc', 'digest'],
    ['https://ghcr.io/owner/app', 'scheme'],
    ['Owner/App', 'component'],
    ['ghcr.io//app', 'empty path component'],
    ['ghcr.io/app-', 'component'],
    ['bad_host.io:x/app', 'malformed'],
  ])('rejects %j (%s) with a hint', (repository, why) => {
    expect(() => parseRepository(repository)).toThrow(expect.objectContaining({ code: 'registry-image-invalid-repository', message: expect.stringContaining(why), hint: expect.any(String) }));
  });

  it('builds the API root from the scheme insecure asks for', () => {
    expect(registryBaseUrl(parseRepository('127.0.0.1:5000/app'), true).href).toBe('http://127.0.0.1:5000/v2/');
    expect(registryBaseUrl(parseRepository('alpine'), false).href).toBe('https://registry-1.docker.io/v2/');
  });
});

describe('tags and digests', () => {
  it.each([
    ['latest', true],
    ['1.2.3-rc.1', true],
    ['v1_x', true],
    ['a'.repeat(128), true],
    ['a'.repeat(129), false],
    ['-x', false],
    ['.x', false],
    ['a/b', false],
    ['a:b', false],
    ['', false],
  ])('tag %j valid: %s', (tag, valid) => {
    expect(isValidTag(tag)).toBe(valid);
  });

  it.each([
    [`sha256:${'a'.repeat(64)}`, true],
    [`sha512:${'0'.repeat(128)}`, true],
    [`sha256:${'A'.repeat(64)}`, false],
    [`sha256:${'a'.repeat(63)}`, false],
    [`md5:${'a'.repeat(32)}`, false],
  ])('digest %s valid: %s', (digest, valid) => {
    expect(isValidDigest(digest)).toBe(valid);
  });
});
