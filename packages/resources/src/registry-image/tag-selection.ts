import semver from 'semver';
import { ResourceError } from '../interface.js';

/** What makes a tag a version in semver mode (Concourse's rules). */
export interface SemverRules {
  /** Only tags ending in `-<variant>` count, with the suffix removed before parsing. */
  variant?: string;
  /** Count `-alpha`, `-beta` and `-rc` pre-releases; anything else after `-` is a variant. */
  preReleases: boolean;
  constraint?: semver.Range;
}

export interface SemverTag {
  tag: string;
  version: semver.SemVer;
  /** Dots in the tag: `1.2.3` is more specific than its alias `1.2`. */
  specificity: number;
}

export interface TagVersion {
  tag: string;
  digest: string;
}

// Versions as docker tags write them: `1`, `1.2`, `v1.2.3`, `1.2.3-rc.1`, `1.2.3+build`.
const LOOSE_SEMVER = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

/** A tag read as a version, with missing minor and patch as 0; undefined when it is not one. */
export function parseLooseSemver(text: string): semver.SemVer | undefined {
  const match = LOOSE_SEMVER.exec(text);
  if (match === null) return undefined;
  const [, major, minor, patch, pre] = match;
  try {
    return new semver.SemVer(`${Number(major)}.${Number(minor ?? 0)}.${Number(patch ?? 0)}${pre === undefined ? '' : `-${pre}`}`);
  } catch {
    return undefined;
  }
}

/** A tag as a version under the source's rules, or undefined when semver mode ignores it. */
export function parseSemverTag(tag: string, rules: SemverRules): SemverTag | undefined {
  let text = tag;
  if (rules.variant !== undefined) {
    if (!tag.endsWith(`-${rules.variant}`)) return undefined;
    text = tag.slice(0, -(rules.variant.length + 1));
  }
  const version = parseLooseSemver(text);
  if (version === undefined) return undefined;
  if (version.prerelease.length > 0) {
    if (!rules.preReleases) return undefined;
    const pre = version.prerelease.join('.');
    // `1.2.3-rc.1-alpine` carries another variant; `1.2.3-alpine` is a variant, not a pre-release.
    if (pre.includes('-') || !/^(alpha|beta|rc)/.test(pre)) return undefined;
  }
  if (rules.constraint !== undefined && !rules.constraint.test(version)) return undefined;
  return { tag, version, specificity: (text.match(/\./g) ?? []).length };
}

/**
 * Reads `semver_constraint` as Masterminds/semver (Concourse's library) writes it: node-semver
 * ranges, plus commas for "and".
 */
export function parseSemverConstraint(text: string): semver.Range {
  try {
    return new semver.Range(text.replace(/,/g, ' '));
  } catch {
    throw new ResourceError('registry-image-invalid-semver-constraint', `the semver_constraint ${JSON.stringify(text)} is not a version range`, 'write a range like "~1.2", ">= 1.2 < 3.0.0 || >= 4.2.3" or "1.x"');
  }
}

/** The tag semver mode also reports when it is not an alias of a version: `latest`, or the variant itself. */
export function bareTag(rules: SemverRules): string {
  return rules.variant ?? 'latest';
}

/**
 * The tags whose digests semver mode needs. Given `from`, versions below it are not fetched:
 * they can only be older than what the pipeline already has.
 */
export function semverCandidates(tags: readonly string[], rules: SemverRules, from?: TagVersion): SemverTag[] {
  const floor = from === undefined ? undefined : parseSemverTag(from.tag, { ...rules, preReleases: true, constraint: undefined })?.version;
  const candidates: SemverTag[] = [];
  for (const tag of tags) {
    const parsed = parseSemverTag(tag, rules);
    if (parsed !== undefined && (floor === undefined || parsed.version.compare(floor) >= 0)) candidates.push(parsed);
  }
  return candidates;
}

/**
 * Semver mode's versions, oldest first: one per digest, named by its most specific tag (a final
 * release over a pre-release), then the bare tag when it points at something no version does.
 */
export function semverVersions(found: ReadonlyArray<SemverTag & { digest: string }>, bare?: TagVersion): TagVersion[] {
  const byDigest = new Map<string, SemverTag & { digest: string }>();
  for (const candidate of found) {
    const existing = byDigest.get(candidate.digest);
    if (existing === undefined || preferredAlias(candidate, existing)) byDigest.set(candidate.digest, candidate);
  }
  const versions = [...byDigest.values()]
    .sort((a, b) => a.version.compare(b.version) || a.specificity - b.specificity || compareStrings(a.tag, b.tag))
    .map(({ tag, digest }) => ({ tag, digest }));
  if (bare !== undefined && !byDigest.has(bare.digest)) versions.push(bare);
  return versions;
}

function preferredAlias(candidate: SemverTag, existing: SemverTag): boolean {
  const candidateFinal = candidate.version.prerelease.length === 0;
  const existingFinal = existing.version.prerelease.length === 0;
  if (candidateFinal !== existingFinal) return candidateFinal;
  if (candidate.specificity !== existing.specificity) return candidate.specificity > existing.specificity;
  // Same shape (`1.2.3` and `1.2.4` on one digest): the newer name, so the answer does not depend on list order.
  return candidate.version.compare(existing.version) > 0 || (candidate.version.compare(existing.version) === 0 && compareStrings(candidate.tag, existing.tag) > 0);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compileTagRegex(text: string): RegExp {
  try {
    return new RegExp(text);
  } catch (error) {
    throw new ResourceError('registry-image-invalid-tag-regex', `the tag_regex ${JSON.stringify(text)} is not a regular expression: ${(error as Error).message}`, 'fix the expression; it matches anywhere in the tag unless anchored with ^ and $');
  }
}

/**
 * The tags `tag_regex` mode needs digests for, in lexical order: the order the distribution spec
 * says tag lists come in, imposed here because some registries (docker-registry 2.8 among them)
 * list tags in an order that changes between calls. Given `from` still listed, it and the tags
 * after it: the ones before are older.
 */
export function regexCandidates(tags: readonly string[], regex: RegExp, from?: TagVersion): string[] {
  const matching = tags.filter((tag) => regex.test(tag)).sort(lexically);
  const start = from === undefined ? -1 : matching.indexOf(from.tag);
  return start === -1 ? matching : matching.slice(start);
}

/** Case-insensitive, as the distribution spec orders tag lists; exact order breaks ties. */
function lexically(a: string, b: string): number {
  return compareStrings(a.toLowerCase(), b.toLowerCase()) || compareStrings(a, b);
}

/** Versions from `from` on when it is still among them (same tag, same digest), else all of them. */
export function fromOnward(versions: readonly TagVersion[], from?: TagVersion): TagVersion[] {
  const start = from === undefined ? -1 : versions.findIndex((version) => version.tag === from.tag && version.digest === from.digest);
  return start === -1 ? [...versions] : versions.slice(start);
}
