import type { Versioned } from '../interface.js';
import { mapConcurrently } from './limiter.js';
import type { RegistryClient } from './registry-client.js';
import type { CheckMode, RegistryImageVersion } from './source.js';
import { bareTag, fromOnward, regexCandidates, semverCandidates, semverVersions, type SemverRules } from './tag-selection.js';

// Enough HEADs in flight to hide the round trip, few enough not to look like an attack.
const DIGEST_LOOKUPS_IN_FLIGHT = 8;

/** Versions oldest → newest for the source's check mode, from `from` on when it still exists. */
export async function checkVersions(client: RegistryClient, mode: CheckMode, from?: RegistryImageVersion): Promise<Versioned<RegistryImageVersion>[]> {
  switch (mode.kind) {
    case 'tag':
      return checkTag(client, mode.tag, from);
    case 'regex':
      return checkRegex(client, mode.regex, from);
    case 'semver':
      return checkSemver(client, mode.rules, from);
  }
}

/**
 * The digest the tag points at now. When it moved since `from` and `from`'s digest is still
 * there, `from` comes first, as the interface asks. A missing tag (or repository) is no version.
 */
async function checkTag(client: RegistryClient, tag: string, from?: RegistryImageVersion): Promise<Versioned<RegistryImageVersion>[]> {
  const digest = await client.resolveDigest(tag);
  if (digest === undefined) return [];
  const versions: Versioned<RegistryImageVersion>[] = [];
  if (from !== undefined && from.digest !== digest && (await client.resolveDigest(from.digest)) !== undefined) {
    versions.push({ version: { tag, digest: from.digest } });
  }
  versions.push({ version: { tag, digest } });
  return versions;
}

async function checkSemver(client: RegistryClient, rules: SemverRules, from?: RegistryImageVersion): Promise<Versioned<RegistryImageVersion>[]> {
  const tags = await client.listTags();
  if (tags === undefined) return [];
  const candidates = semverCandidates(tags, rules, from);
  const bare = bareTag(rules);
  const withBare = rules.constraint === undefined && tags.includes(bare);
  const digests = await mapConcurrently([...candidates.map((candidate) => candidate.tag), ...(withBare ? [bare] : [])], DIGEST_LOOKUPS_IN_FLIGHT, (tag) => client.resolveDigest(tag));
  const found = candidates.flatMap((candidate, index) => {
    const digest = digests[index];
    return digest === undefined ? [] : [{ ...candidate, digest }];
  });
  const bareDigest = withBare ? digests[candidates.length] : undefined;
  const versions = semverVersions(found, bareDigest === undefined ? undefined : { tag: bare, digest: bareDigest });
  return fromOnward(versions, from).map((version) => ({ version }));
}

async function checkRegex(client: RegistryClient, regex: RegExp, from?: RegistryImageVersion): Promise<Versioned<RegistryImageVersion>[]> {
  const tags = await client.listTags();
  if (tags === undefined) return [];
  const candidates = regexCandidates(tags, regex, from);
  const digests = await mapConcurrently(candidates, DIGEST_LOOKUPS_IN_FLIGHT, (tag) => client.resolveDigest(tag));
  const versions = candidates.flatMap((tag, index) => {
    const digest = digests[index];
    return digest === undefined ? [] : [{ tag, digest }];
  });
  return fromOnward(versions, from).map((version) => ({ version }));
}
