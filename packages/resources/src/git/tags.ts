import { ResourceError } from '../interface.js';

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

/**
 * tag_regex semantics as Concourse has them (`grep -Ex`): POSIX extended regex matching the whole
 * name. JavaScript regex is a superset of ERE except for bracket classes like `[[:digit:]]`,
 * which are translated.
 */
export function tagRegexMatcher(regex: string): (name: string) => boolean {
  const translated = regex.replace(/\[:([a-z]+):\]/g, (whole, name: string) => POSIX_CLASSES[name] ?? whole);
  let compiled: RegExp;
  try {
    compiled = new RegExp(`^(?:${translated})$`);
  } catch (error) {
    throw new ResourceError(
      'git-tag-regex-invalid',
      `tag_regex ${JSON.stringify(regex)} is not a valid regular expression: ${(error as Error).message}`,
      'write an extended regular expression matching whole tag names, e.g. v[0-9]+\\.[0-9]+\\.[0-9]+',
    );
  }
  return (name) => compiled.test(name);
}

const POSIX_CLASSES: Record<string, string> = {
  alnum: 'a-zA-Z0-9',
  alpha: 'a-zA-Z',
  blank: ' \\t',
  digit: '0-9',
  lower: 'a-z',
  upper: 'A-Z',
  space: ' \\t\\n\\r\\f\\v',
  xdigit: '0-9A-Fa-f',
  punct: '!-\\/:-@\\[-`{-~',
};

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
