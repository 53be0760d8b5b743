import { describe, expect, it } from 'vitest';
import { classifyGitFailure, gitComplaint } from '../../../src/git/git-failure.js';
import { branchMovedOn, tagClash } from '../../../src/git/push-rejection.js';

describe('classifyGitFailure', () => {
  it.each<[string, string]>([
    ["fatal: Authentication failed for 'https://github.com/org/repo.git/'", 'git-auth-failed'],
    ["fatal: could not read Username for 'https://github.com': terminal prompts disabled", 'git-auth-failed'],
    ['remote: HTTP Basic: Access denied', 'git-auth-failed'],
    ['fatal: unable to access \'https://x/\': The requested URL returned error: 403', 'git-auth-failed'],
    ['git@github.com: Permission denied (publickey).\nfatal: Could not read from remote repository.', 'git-ssh-auth-failed'],
    ['Load key "/tmp/weir-git-x/id_key": invalid format', 'git-ssh-auth-failed'],
    ["fatal: unable to access 'https://x/': SSL certificate problem: self-signed certificate", 'git-tls-failed'],
    ["fatal: couldn't find remote ref refs/heads/nope", 'git-branch-not-found'],
    ['remote: Repository not found.', 'git-repository-not-found'],
    ["fatal: '/srv/nope.git' does not appear to be a git repository", 'git-repository-not-found'],
    ['fatal: remote error: no such repository: /nope.git', 'git-repository-not-found'],
    ["fatal: unable to access 'https://nohost/': Could not resolve host: nohost", 'git-unreachable'],
    ['ssh: connect to host h port 22: Connection refused\nfatal: Could not read from remote repository.', 'git-unreachable'],
    ['fatal: something new', 'git-failed'],
  ])('%s → %s', (stderr, code) => {
    expect(classifyGitFailure(stderr).code).toBe(code);
  });
});

describe('gitComplaint', () => {
  it("keeps git's errors and drops hints and progress", () => {
    const stderr = [
      'Cloning into bare repository...',
      'remote: Enumerating objects: 5, done.',
      "fatal: couldn't find remote ref refs/heads/nope",
      "hint: see 'git help fetch'",
      '',
    ].join('\n');
    expect(gitComplaint(stderr)).toBe("fatal: couldn't find remote ref refs/heads/nope");
    expect(gitComplaint('just one line\n')).toBe('just one line');
  });
});

describe('push rejections', () => {
  const fetchFirst = "To /srv/repo.git\n ! [rejected]        HEAD -> main (fetch first)\nerror: failed to push some refs to '/srv/repo.git'\n";
  const nonFastForward = ' ! [rejected]        HEAD -> main (non-fast-forward)\n';
  const lostRace = "remote: error: cannot lock ref 'refs/heads/main': is at 8707008 but expected 96cb49b\nTo http://h/repo.git\n ! [remote rejected] HEAD -> main (failed to update ref)\n";
  const hookDeclined = ' ! [remote rejected] HEAD -> main (pre-receive hook declined)\n';
  const tagExists = ' ! [rejected]        v1.0 -> v1.0 (already exists)\n';
  it.each<[string, string, boolean, boolean]>([
    ['fetch first', fetchFirst, true, false],
    ['non-fast-forward', nonFastForward, true, false],
    ['a push that lost the race', lostRace, true, false],
    ['a declining hook', hookDeclined, false, false],
    ['an existing tag', tagExists, false, true],
  ])('%s', (_, stderr, moved, clash) => {
    expect(branchMovedOn(stderr)).toBe(moved);
    expect(tagClash(stderr)).toBe(clash);
  });
});
