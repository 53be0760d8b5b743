/** What a failed git command means for the user: an error code and what to do about it. */
export interface GitFailureKind {
  code: string;
  hint: string;
}

/** Ordered: ssh's "Could not read from remote repository" follows a more specific line. */
const KINDS: Array<{ pattern: RegExp; kind: GitFailureKind }> = [
  {
    pattern: /Authentication failed|could not read (Username|Password)|terminal prompts disabled|HTTP Basic: Access denied|returned error: 40[13]|Invalid username or password/i,
    kind: { code: 'git-auth-failed', hint: 'check the username and password (or token) in the source; they must give read access, and write access for put' },
  },
  {
    pattern: /Permission denied \(publickey|Host key verification failed|Load key .*: (invalid format|error in libcrypto)|no such identity/i,
    kind: { code: 'git-ssh-auth-failed', hint: 'check private_key: the whole private key (BEGIN/END lines included) of a deploy key or user with access to the repository' },
  },
  {
    pattern: /SSL certificate problem|server certificate verification failed|unable to get local issuer certificate|certificate verify failed/i,
    kind: { code: 'git-tls-failed', hint: 'if the server uses a self-signed or private certificate, set skip_ssl_verification: true or give git its CA with git_config http.sslCAInfo' },
  },
  {
    pattern: /couldn't find remote ref/i,
    kind: { code: 'git-branch-not-found', hint: 'check the branch name in the source (or the put params); the repository has no such branch yet' },
  },
  {
    pattern: /Repository not found|does not appear to be a git repository|not a git repository|no such repository|repository not exported|returned error: 404|not found: did you run git update-server-info/i,
    kind: { code: 'git-repository-not-found', hint: 'check the uri; for a private repository, also the credentials' },
  },
  {
    pattern: /Could not resolve host|Connection refused|Failed to connect|unable to connect|Connection timed out|Operation timed out|Network is unreachable|Could not read from remote repository|unable to access/i,
    kind: { code: 'git-unreachable', hint: 'check the uri and that the git server is reachable from the weir host' },
  },
];

const UNKNOWN: GitFailureKind = { code: 'git-failed', hint: 'see the git output above; if the source looks right, try the same git command by hand on the weir host' };

export function classifyGitFailure(stderr: string): GitFailureKind {
  return KINDS.find(({ pattern }) => pattern.test(stderr))?.kind ?? UNKNOWN;
}

/** git's own explanation, without progress chatter and hints: the lines worth putting into an error message. */
export function gitComplaint(stderr: string): string {
  const lines = stderr
    .split(/\r?\n|\r/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^(hint|remote: (Counting|Compressing|Enumerating|Total))\b/i.test(line) && !/^(Cloning into|From |To )/.test(line));
  const important = lines.filter((line) => /^(fatal|error|remote: error|! \[)/i.test(line) || /rejected/i.test(line));
  return (important.length > 0 ? important : lines).slice(-6).join('\n');
}
