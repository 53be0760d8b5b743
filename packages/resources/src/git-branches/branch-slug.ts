import { createHash } from 'node:crypto';

/**
 * A branch's name where a branch name cannot go (an image tag, a directory, a host name, a
 * Kubernetes name): lowercase letters, digits and dashes, at most 49 characters, made unique by
 * a hash of the whole name, since `feature/a` and `feature-a` read alike.
 */
export function branchSlug(name: string): string {
  const readable = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 40)
    .replace(/^-+|-+$/g, '');
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return readable === '' ? hash : `${readable}-${hash}`;
}
