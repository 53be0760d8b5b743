import { describe, expect, it } from 'vitest';
import { githubPrResourceType } from '../../src/github-pr/index.js';
import { compileSource } from '../../src/github-pr/source.js';

describe('github-pr schemas and source', () => {
  it('is also called pull-request, as telia\'s resource is in existing pipelines', () => {
    expect(githubPrResourceType.aliases).toEqual(['pull-request']);
  });

  it('applies the defaults and refuses a repository that is not owner/name', () => {
    const settings = compileSource({ repository: 'RoboJackets/apiary-mobile', access_token: 't', base_branch: 'main', disable_forks: true });
    expect(settings).toMatchObject({ owner: 'RoboJackets', repo: 'apiary-mobile', baseUrl: 'https://api.github.com', ciSkip: true, requiredApprovals: 0 });
    expect([...settings.states]).toEqual(['open']);
    expect(compileSource({ repository: 'a/b', v3_endpoint: 'https://github.example.com/api/v3/' }).baseUrl).toBe('https://github.example.com/api/v3');
    expect(() => compileSource({ repository: 'https://github.com/a/b' })).toThrow(expect.objectContaining({ code: 'github-pr-repository-invalid' }));
  });
});
