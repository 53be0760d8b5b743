import { isAbsolute, relative, resolve } from 'node:path';
import { ResourceError } from '../interface.js';
import { ParamReader } from './params.js';

/** A git put's `params`, as a pipeline writes them (Concourse git-resource names). */
export interface GitPutParams {
  repository: string;
  rebase?: boolean;
  merge?: boolean;
  returning?: 'merged' | 'unmerged';
  tag?: string;
  tag_prefix?: string;
  only_tag?: boolean;
  annotate?: string;
  force?: boolean;
  branch?: string;
}

/** What to do when the branch moved on since the commits were made. */
export type Reconcile = 'fail' | 'rebase' | 'merge';

export interface PutOptions {
  /** Absolute path of the repository to push, inside the workdir. */
  repository: string;
  reconcile: Reconcile;
  /** With merge: return the commit that was built rather than the merge commit. */
  returnUnmerged: boolean;
  /** Absolute path of the file holding the tag name. */
  tagFile: string | undefined;
  tagPrefix: string;
  onlyTag: boolean;
  /** Absolute path of the file holding an annotated tag's message. */
  annotationFile: string | undefined;
  force: boolean;
  /** Overrides the source's branch. */
  branch: string | undefined;
}


export function compilePutParams(params: Record<string, unknown>, workdir: string): { options: PutOptions } {
  const read = new ParamReader(params, 'put');
  const repository = read.string('repository');
  if (!repository) {
    throw new ResourceError('git-put-without-repository', 'a put to a git resource needs params.repository', 'set params.repository to the name of the artifact holding the repository, e.g. repository: my-repo');
  }
  const rebase = read.boolean('rebase') ?? false;
  const merge = read.boolean('merge') ?? false;
  if (rebase && merge) {
    throw new ResourceError('git-put-rebase-and-merge', 'params.rebase and params.merge are both set on a git put', 'choose one way to bring in commits pushed meanwhile: rebase or merge');
  }
  const returning = read.string('returning') ?? 'merged';
  if (returning !== 'merged' && returning !== 'unmerged') throw read.invalid('returning', '"merged" or "unmerged"');
  const tag = read.string('tag');
  const annotate = read.string('annotate');
  return {
    options: {
      repository: insideWorkdir(workdir, repository, 'repository'),
      reconcile: rebase ? 'rebase' : merge ? 'merge' : 'fail',
      returnUnmerged: merge && returning === 'unmerged',
      tagFile: tag ? insideWorkdir(workdir, tag, 'tag') : undefined,
      tagPrefix: read.string('tag_prefix') ?? '',
      onlyTag: read.boolean('only_tag') ?? false,
      annotationFile: annotate ? insideWorkdir(workdir, annotate, 'annotate') : undefined,
      force: read.boolean('force') ?? false,
      branch: read.string('branch')?.trim() || undefined,
    },
  };
}

/** Keeps params from reaching outside the build's artifacts. */
function insideWorkdir(workdir: string, path: string, param: string): string {
  const target = resolve(workdir, path);
  const rel = relative(workdir, target);
  if (rel.startsWith('..') || isAbsolute(rel)) {
    throw new ResourceError('git-put-path-outside', `params.${param} (${JSON.stringify(path)}) leads outside the build's artifacts`, `give a path relative to the build, starting with an artifact name, e.g. ${param === 'repository' ? 'my-repo' : 'version/number'}`);
  }
  return target;
}
