import { ParamReader } from './params.js';

/** A git get's `params`, as a pipeline writes them (Concourse git-resource names). */
export interface GitGetParams {
  depth?: number;
  submodules?: 'all' | 'none' | string[];
  submodule_recursive?: boolean;
  fetch_tags?: boolean;
  clean_tags?: boolean;
  short_ref_format?: string;
}

export interface GetOptions {
  /** Commits of history to fetch, ending at the version; undefined for all. */
  depth: number | undefined;
  /** Submodule paths to fetch: all, none, or these. */
  submodules: 'all' | 'none' | string[];
  submoduleRecursive: boolean;
  /** Overrides the source's fetch_tags. */
  fetchTags: boolean | undefined;
  /** Delete every tag from the fetched repository (after .git/tags and metadata are written). */
  cleanTags: boolean;
  /** printf-style format for .git/short_ref; `%s` is the short ref. */
  shortRefFormat: string;
}


export function compileGetParams(params: Record<string, unknown>): { options: GetOptions } {
  const read = new ParamReader(params, 'get');
  const depth = read.wholeNumber('depth');
  return {
    options: {
      // Concourse: 0 (or nothing) means the whole history.
      depth: depth ? depth : undefined,
      submodules: submodules(read),
      submoduleRecursive: read.boolean('submodule_recursive') ?? true,
      fetchTags: read.boolean('fetch_tags'),
      cleanTags: read.boolean('clean_tags') ?? false,
      shortRefFormat: read.string('short_ref_format') ?? '%s',
    },
  };
}

function submodules(read: ParamReader): GetOptions['submodules'] {
  const value = read.raw('submodules');
  if (value === undefined || value === null || value === 'all') return 'all';
  if (value === 'none') return 'none';
  const paths = Array.isArray(value) ? value : undefined;
  if (paths && paths.every((path) => typeof path === 'string')) return paths;
  throw read.invalid('submodules', '"all", "none" or a list of submodule paths');
}
