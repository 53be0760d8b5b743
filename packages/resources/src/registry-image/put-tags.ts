import { assertValidTag } from './reference.js';

export interface TagSources {
  /** `source.tag`: every put pushes it. */
  sourceTag?: string;
  /** `params.version`, normalized, with the variant suffix. */
  versionTag?: string;
  /** From `bump_aliases`. */
  aliases: readonly string[];
  /** From the `additional_tags` file. */
  additional: readonly string[];
}

/**
 * The tags a put writes, in order (the first names the new version): the source's tag, the
 * version's, its aliases, the additional ones; `latest` when nothing names one.
 */
export function tagsToPush(sources: TagSources): string[] {
  const tags = [sources.sourceTag, sources.versionTag, ...sources.aliases, ...sources.additional].filter((tag): tag is string => tag !== undefined);
  return tags.length === 0 ? ['latest'] : [...new Set(tags)];
}

/** The whitespace-separated tags of an `additional_tags` file, each checked. */
export function parseAdditionalTags(contents: string, file: string): string[] {
  const tags = contents.split(/\s+/).filter((tag) => tag !== '');
  for (const tag of tags) assertValidTag(tag, `the additional_tags file ${file}`);
  return tags;
}
