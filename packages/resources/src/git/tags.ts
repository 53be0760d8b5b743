import { wholeNameMatcher } from './extended-regex.js';

/** A tag and the commit it names (annotated tags peeled). */
export interface TagRef {
  name: string;
  commit: string;
}

/** `git tag --format` fields, NUL-separated: name, type, object, and for annotated tags the peeled type and object. */
export const TAG_LIST_FORMAT = '%(refname:strip=2)%00%(objecttype)%00%(objectname)%00%(*objecttype)%00%(*objectname)';

/** Parses `git tag --format=TAG_LIST_FORMAT`, keeping tags that name a commit. */
export function parseTagList(output: string): TagRef[] {
  const tags: TagRef[] = [];
  for (const line of output.split('\n')) {
    if (line === '') continue;
    const [name = '', type, object = '', peeledType, peeled = ''] = line.split('\0');
    if (type === 'commit') tags.push({ name, commit: object });
    else if (type === 'tag' && peeledType === 'commit') tags.push({ name, commit: peeled });
  }
  return tags;
}

/** tag_regex: a POSIX extended regex matching the whole tag name, as Concourse has it. */
export function tagRegexMatcher(regex: string): (name: string) => boolean {
  return wholeNameMatcher(regex, { code: 'git-tag-regex-invalid', field: 'tag_regex', names: 'tag names', example: 'v[0-9]+\\.[0-9]+\\.[0-9]+' });
}

/**
 * Concourse without a branch: the tags created at or after `from` (in creation order), so a
 * check resumes where it left off. Undefined when `from` is no longer a tag.
 */
export function tagsSince(tags: readonly TagRef[], from: string): TagRef[] | undefined {
  const index = tags.findIndex((tag) => tag.name === from);
  return index < 0 ? undefined : tags.slice(index);
}

/** The newest `depth` tags (tags oldest → newest) whose commit passed the history filters. */
export function newestPassingTags(tags: readonly TagRef[], passing: ReadonlySet<string>, depth: number): TagRef[] {
  return tags.filter((tag) => passing.has(tag.commit)).slice(-depth);
}
