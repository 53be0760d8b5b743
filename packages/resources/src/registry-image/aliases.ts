import type semver from 'semver';
import { parseSemverTag } from './tag-selection.js';

/**
 * The alias tags a put of `version` moves (Concourse's `bump_aliases`), judged against the
 * final releases already in the repository: `1.2` when it is the newest 1.2.x, `1` when it is
 * the newest 1.x, and `latest` (or the variant's own tag) when it is the newest of all.
 */
export function aliasesToBump(existingTags: readonly string[], version: semver.SemVer, variant?: string): string[] {
  let latest = true;
  let major = true;
  let minor = true;
  for (const tag of existingTags) {
    const other = parseSemverTag(tag, { preReleases: false, ...(variant !== undefined && { variant }) })?.version;
    if (other === undefined) continue;
    if (other.compare(version) > 0) latest = false;
    if (other.major === version.major && other.minor > version.minor) major = false;
    if (other.major === version.major && other.minor === version.minor && other.patch > version.patch) {
      minor = false;
      major = false;
    }
  }
  const suffix = variant === undefined ? '' : `-${variant}`;
  return [
    ...(latest ? [variant ?? 'latest'] : []),
    ...(major ? [`${version.major}${suffix}`] : []),
    ...(minor ? [`${version.major}.${version.minor}${suffix}`] : []),
  ];
}
