import { describe, expect, it } from 'vitest';
import { compileGetParams } from '../../../src/git/get-params.js';
import { compilePutParams } from '../../../src/git/put-params.js';
import { compileSource, needsOnlyNewestCommit, type GitSource } from '../../../src/git/source.js';

describe('compileSource', () => {
  it('applies Concourse defaults', () => {
    const settings = compileSource({ uri: ' https://h/r.git' });
    expect(settings).toMatchObject({
      uri: 'https://h/r.git',
      branch: undefined,
      filters: { paths: [], ignorePaths: [], include: [], exclude: [], skipCiSkip: true },
      tags: undefined,
      versionDepth: 1,
      skipSslVerification: false,
      gitConfig: [],
      httpCredentials: undefined,
      privateKey: undefined,
    });
  });

  it('turns git_config into -c entries, whatever the YAML type of the value', () => {
    expect(compileSource({ uri: 'u', git_config: [{ name: 'http.postBuffer', value: 524288000 }, { name: 'core.autocrlf', value: false }] }).gitConfig).toEqual([
      'http.postBuffer=524288000',
      'core.autocrlf=false',
    ]);
  });

  it('refuses tag_filter and tag_regex together', () => {
    expect(() => compileSource({ uri: 'u', tag_filter: 'v*', tag_regex: 'v.*' })).toThrow(expect.objectContaining({ code: 'git-tag-filter-and-regex' }));
  });

  it.each<[string, Partial<GitSource>, boolean]>([
    ['ci skip on (the default)', {}, false],
    ['nothing needs history', { disable_ci_skip: true }, true],
    ['paths', { disable_ci_skip: true, paths: ['src'] }, false],
    ['paths of just .', { disable_ci_skip: true, paths: ['.'] }, true],
    ['ignore_paths', { disable_ci_skip: true, ignore_paths: ['docs'] }, false],
    ['a commit filter', { disable_ci_skip: true, commit_filter: { exclude: ['wip'] } }, false],
    ['version_depth', { disable_ci_skip: true, version_depth: 2 }, false],
    ['tag mode', { disable_ci_skip: true, tag_filter: 'v*' }, false],
  ])('ls-remote is enough with %s: %s', (_, source, expected) => {
    expect(needsOnlyNewestCommit(compileSource({ uri: 'u', ...source }))).toBe(expected);
  });
});

describe('compileGetParams', () => {
  it('reads params as leniently as the shell scripts did', () => {
    expect(compileGetParams({ depth: '5', submodules: ['a', 'b'], submodule_recursive: 'false', fetch_tags: true, clean_tags: 'true' })).toEqual({
      options: { depth: 5, submodules: ['a', 'b'], submoduleRecursive: false, fetchTags: true, cleanTags: true, shortRefFormat: '%s' },
    });
    expect(compileGetParams({ depth: 0 }).options.depth).toBeUndefined();
    expect(compileGetParams({}).options).toEqual({ depth: undefined, submodules: 'all', submoduleRecursive: true, fetchTags: undefined, cleanTags: false, shortRefFormat: '%s' });
  });

  it.each<[Record<string, unknown>, string]>([
    [{ depth: -1 }, 'params.depth of a git get must be a whole number, 0 or more, not -1'],
    [{ depth: 1.5 }, 'params.depth'],
    [{ clean_tags: 'yes' }, 'params.clean_tags of a git get must be true or false, not "yes"'],
    [{ submodules: 3 }, 'params.submodules'],
  ])('rejects %j', (params, message) => {
    expect(() => compileGetParams(params)).toThrow(expect.objectContaining({ code: 'git-get-param-invalid', message: expect.stringContaining(message) }));
  });
});

describe('compilePutParams', () => {
  it('resolves paths inside the build and picks the way to reconcile', () => {
    expect(compilePutParams({ repository: 'repo', rebase: true, tag: 'version/number', tag_prefix: 'v', annotate: 'notes' }, '/build')).toEqual({
      options: {
        repository: '/build/repo',
        reconcile: 'rebase',
        returnUnmerged: false,
        tagFile: '/build/version/number',
        tagPrefix: 'v',
        onlyTag: false,
        annotationFile: '/build/notes',
        force: false,
        branch: undefined,
      },
    });
    expect(compilePutParams({ repository: 'repo', merge: true, returning: 'unmerged' }, '/build').options).toMatchObject({ reconcile: 'merge', returnUnmerged: true });
    expect(compilePutParams({ repository: 'repo', returning: 'unmerged' }, '/build').options).toMatchObject({ reconcile: 'fail', returnUnmerged: false });
  });

  it.each<[Record<string, unknown>, string]>([
    [{}, 'git-put-without-repository'],
    [{ repository: '../x' }, 'git-put-path-outside'],
    [{ repository: '/etc' }, 'git-put-path-outside'],
    [{ repository: 'r', tag: '../../etc/passwd' }, 'git-put-path-outside'],
    [{ repository: 'r', rebase: true, merge: true }, 'git-put-rebase-and-merge'],
    [{ repository: 'r', returning: 'both' }, 'git-put-param-invalid'],
    [{ repository: 'r', force: 'yes' }, 'git-put-param-invalid'],
  ])('rejects %j', (params, code) => {
    expect(() => compilePutParams(params, '/build')).toThrow(expect.objectContaining({ code }));
  });
});
