import { ResourceError } from '../interface.js';

/** Where a repository lives and what it is called there, parsed from `source.repository`. */
export interface RepositoryReference {
  /** The registry as users name it (`docker.io`, `ghcr.io`, `127.0.0.1:5000`). */
  registry: string;
  /** The host[:port] the API is served from; differs from `registry` only for Docker Hub. */
  apiHost: string;
  /** The repository path inside the registry (`library/alpine`). */
  path: string;
}

const DOCKER_HUB_NAMES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);
const DOCKER_HUB_API_HOST = 'registry-1.docker.io';

// The grammar of github.com/distribution/reference, which every registry enforces.
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const HOST = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::[0-9]+)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

/**
 * Parses a repository the way docker does: the first component is a registry host when it
 * has a dot or a port or is `localhost`; otherwise the repository is on Docker Hub, where a
 * single-component name means an official image under `library/`.
 */
export function parseRepository(repository: string): RepositoryReference {
  const invalid = (why: string, hint: string): ResourceError =>
    new ResourceError('registry-image-invalid-repository', `the repository ${JSON.stringify(repository)} is not valid: ${why}`, hint);

  const text = repository.trim();
  if (text === '') throw invalid('it is empty', 'set `repository` to a name like `alpine` or `ghcr.io/owner/image`');
  if (text.includes('://')) throw invalid('it has a URL scheme', 'write the repository without http:// or https://; set `insecure: true` for a plain-HTTP registry');
  if (text.includes('@')) throw invalid('it has a digest', 'remove the @sha256:... part; a get of a version fetches its digest');

  const slash = text.indexOf('/');
  const first = slash === -1 ? '' : text.slice(0, slash);
  const hasHost = first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost');
  const host = hasHost ? first : 'docker.io';
  let path = hasHost ? text.slice(slash + 1) : text;

  if (path.includes(':')) throw invalid('it has a tag', 'remove the :tag part and set it in `tag` instead');
  if (hasHost && !HOST.test(host)) throw invalid(`the registry host ${JSON.stringify(host)} is malformed`, 'write it as host or host:port');
  const components = path.split('/');
  const bad = components.find((component) => !PATH_COMPONENT.test(component));
  if (bad !== undefined) {
    throw invalid(
      bad === '' ? 'it has an empty path component' : `the component ${JSON.stringify(bad)} is not allowed`,
      'repository names use lowercase letters, digits and the separators . _ __ - between them, joined by /',
    );
  }
  if (path.length > 255) throw invalid('it is longer than 255 characters', 'use a shorter repository name');

  if (DOCKER_HUB_NAMES.has(host.toLowerCase())) {
    if (components.length === 1) path = `library/${path}`;
    return { registry: 'docker.io', apiHost: DOCKER_HUB_API_HOST, path };
  }
  return { registry: host.toLowerCase(), apiHost: host.toLowerCase(), path };
}

/** The URL of the registry's API root (`.../v2/`). */
export function registryBaseUrl(reference: RepositoryReference, insecure: boolean): URL {
  return new URL(`${insecure ? 'http' : 'https'}://${reference.apiHost}/v2/`);
}

/** True when both references name a repository in the same registry, so blobs can be mounted across. */
export function sameRegistry(a: RepositoryReference, b: RepositoryReference): boolean {
  return a.apiHost === b.apiHost;
}

export function isValidTag(tag: string): boolean {
  return TAG.test(tag);
}

export function isValidDigest(digest: string): boolean {
  return DIGEST.test(digest);
}

export function assertValidTag(tag: string, where: string): string {
  if (!isValidTag(tag)) {
    throw new ResourceError(
      'registry-image-invalid-tag',
      `the tag ${JSON.stringify(tag)} from ${where} is not a valid image tag`,
      'a tag is 1 to 128 letters, digits, _ . and -, and does not start with . or -',
    );
  }
  return tag;
}
