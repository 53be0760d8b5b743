import { describe, expect, it } from 'vitest';
import { commitWebUrl, credentialHost, displayUri, passwordInUri } from '../../../src/git/uri.js';

describe('git URIs', () => {
  it.each<[string, string, string | undefined, string | undefined]>([
    // uri, displayUri, passwordInUri, credentialHost
    ['https://github.com/org/repo.git', 'https://github.com/org/repo.git', undefined, 'github.com'],
    ['https://user:p%40ss@git.example.com:8443/repo', 'https://user@git.example.com:8443/repo', 'p%40ss', 'git.example.com:8443'],
    ['https://token@github.com/org/repo', 'https://token@github.com/org/repo', undefined, 'github.com'],
    ['http://127.0.0.1:9000/repo.git', 'http://127.0.0.1:9000/repo.git', undefined, '127.0.0.1:9000'],
    ['ssh://git@host:2222/org/repo.git', 'ssh://git@host:2222/org/repo.git', undefined, undefined],
    ['git@github.com:org/repo.git', 'git@github.com:org/repo.git', undefined, undefined],
    ['file:///srv/repo.git', 'file:///srv/repo.git', undefined, undefined],
    ['/srv/repo.git', '/srv/repo.git', undefined, undefined],
  ])('%s', (uri, display, password, host) => {
    expect(displayUri(uri)).toBe(display);
    expect(passwordInUri(uri)).toBe(password);
    expect(credentialHost(uri)).toBe(host);
  });

  it.each<[string, string | undefined]>([
    ['https://github.com/concourse/git-resource.git', 'https://github.com/concourse/git-resource/commit/abc'],
    ['https://user:secret@github.com/concourse/git-resource', 'https://github.com/concourse/git-resource/commit/abc'],
    ['git@github.com:concourse/git-resource.git', 'https://github.com/concourse/git-resource/commit/abc'],
    ['ssh://git@gitlab.example.com:2222/group/sub/project.git', 'https://gitlab.example.com/group/sub/project/-/commit/abc'],
    ['https://bitbucket.org/team/repo.git', 'https://bitbucket.org/team/repo/commits/abc'],
    ['https://gogs.local:3000/me/repo', 'https://gogs.local:3000/me/repo/commit/abc'],
    ['https://git.example.com/me/repo.git', undefined],
    ['file:///srv/github/repo.git', undefined],
  ])('the commit page for %s', (uri, url) => {
    expect(commitWebUrl(uri, 'abc')).toBe(url);
  });
});
