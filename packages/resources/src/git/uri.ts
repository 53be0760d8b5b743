/** `scheme://[user[:password]@]host[:port]/path`; scp-like `user@host:path` and local paths do not match. */
const URL_WITH_AUTHORITY = /^([a-z][a-z0-9+.-]*):\/\/(?:([^/@]*)@)?([^/?#]*)(.*)$/i;

/** The URI as shown in messages and written to disk: a password in it is dropped, a user name kept. */
export function displayUri(uri: string): string {
  const match = URL_WITH_AUTHORITY.exec(uri);
  if (!match || match[2] === undefined) return uri;
  const [, scheme, userinfo, host, rest] = match;
  const user = userinfo.split(':')[0];
  return `${scheme}://${user ? `${user}@` : ''}${host}${rest}`;
}

/** The password written into the URI itself (`https://user:password@host/...`), if any. */
export function passwordInUri(uri: string): string | undefined {
  const userinfo = URL_WITH_AUTHORITY.exec(uri)?.[2];
  const separator = userinfo?.indexOf(':') ?? -1;
  return separator >= 0 ? userinfo!.slice(separator + 1) || undefined : undefined;
}

/**
 * The URI to give git, and the credentials written into it. git shows its arguments to every
 * process on the host (`ps`), so an http(s) URI loses its user name and password, which reach
 * git through askpass instead; other schemes lose the password only (ssh logs in as the user
 * named in the URI, and has no use for a password).
 */
export function splitUriCredentials(uri: string): { uri: string; credentials?: { username: string; password: string } } {
  const match = URL_WITH_AUTHORITY.exec(uri);
  if (!match || match[2] === undefined || credentialHost(uri) === undefined) return { uri: displayUri(uri) };
  const [, scheme, userinfo, host, rest] = match;
  const separator = userinfo!.indexOf(':');
  const [username, password] = separator < 0 ? [userinfo!, ''] : [userinfo!.slice(0, separator), userinfo!.slice(separator + 1)];
  // git percent-decodes the user name and password of a URL; askpass hands them over as they are meant.
  return { uri: `${scheme}://${host}${rest}`, credentials: { username: decodeURIComponentSafely(username), password: decodeURIComponentSafely(password) } };
}

export function decodeURIComponentSafely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * `host[:port]` as git names it in credential prompts, for http(s) URIs only: the credentials
 * in `source` are for this host and no other (a submodule elsewhere does not get them).
 */
export function credentialHost(uri: string): string | undefined {
  const match = URL_WITH_AUTHORITY.exec(uri);
  if (!match || !/^https?$/i.test(match[1]!)) return undefined;
  return match[3] || undefined;
}

/** The web page of a commit on the hosting services Concourse knows (GitHub, Gogs, GitLab, Bitbucket). */
export function commitWebUrl(uri: string, commit: string): string | undefined {
  const location = webLocation(uri);
  if (!location) return undefined;
  const { host, path } = location;
  if (/github|gogs/i.test(host)) return `https://${host}/${path}/commit/${commit}`;
  if (/gitlab/i.test(host)) return `https://${host}/${path}/-/commit/${commit}`;
  if (/bitbucket/i.test(host)) return `https://${host}/${path}/commits/${commit}`;
  return undefined;
}

function webLocation(uri: string): { host: string; path: string } | undefined {
  const url = URL_WITH_AUTHORITY.exec(uri);
  if (url) {
    const [, scheme, , hostAndPort, rest] = url;
    if (!/^(https?|ssh|git)$/i.test(scheme!)) return undefined;
    // A web page is never on the ssh port.
    const host = /^https?$/i.test(scheme!) ? hostAndPort! : hostAndPort!.replace(/:\d+$/, '');
    return { host, path: trimRepositoryPath(rest!) };
  }
  const scpLike = /^(?:[^@/]+@)?([^:/]+):(?!\/\/)(.+)$/.exec(uri);
  if (scpLike) return { host: scpLike[1]!, path: trimRepositoryPath(scpLike[2]!) };
  return undefined;
}

function trimRepositoryPath(path: string): string {
  return path.replace(/^\/+/, '').replace(/\/+$/, '').replace(/\.git$/, '');
}
