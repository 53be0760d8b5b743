import { join } from 'node:path';
import { readArtifactText, unreadableReason } from '../artifact-paths.js';
import { ResourceError, type ResourceContext, type Versioned } from '../interface.js';
import { GithubApi } from './github-api.js';
import type { GithubPrSettings, PrVersion } from './source.js';

export interface GithubPrPutParams {
  path: string;
  status?: string;
  base_context?: string;
  context?: string;
  target_url?: string;
  description?: string;
  comment?: string;
  comment_file?: string;
  delete_previous_comments?: boolean;
}

/**
 * Marks the comments weir posts, so `delete_previous_comments` removes weir's own and never a
 * person's, even when the token is a person's.
 */
export const COMMENT_MARKER = '<!-- posted by weir -->';

const STATES = ['success', 'failure', 'error', 'pending'] as const;

/**
 * Reports on the PR a get fetched (named by `path`): a commit status on its commit, and/or a
 * comment. Returns that get's version, so the put links to the same PR and commit.
 */
export async function putPullRequest(ctx: ResourceContext, settings: GithubPrSettings, params: GithubPrPutParams, workdir: string): Promise<Versioned<PrVersion>> {
  const version = await readVersion(workdir, params.path);
  const api = new GithubApi(settings, ctx);
  if (params.status !== undefined) {
    const state = params.status.toLowerCase() as (typeof STATES)[number];
    if (!STATES.includes(state)) throw new ResourceError('github-pr-status-invalid', `status ${JSON.stringify(params.status)} is not one GitHub knows`, `use one of ${STATES.join(', ')}`);
    const context = `${params.base_context ?? 'weir'}/${params.context ?? 'status'}`;
    const targetUrl = params.target_url ?? ctx.build?.url;
    await api.setStatus(version.commit, {
      state,
      context,
      ...(targetUrl !== undefined && { target_url: targetUrl }),
      ...(params.description !== undefined && { description: params.description }),
    });
    ctx.log(`set ${context} to ${state} on ${version.commit.slice(0, 7)}`);
  }
  const comment = params.comment_file !== undefined ? await readArtifact(workdir, params.comment_file, 'comment_file') : params.comment;
  if (comment !== undefined) {
    const pr = Number(version.pr);
    if (params.delete_previous_comments) {
      const previous = (await api.comments(pr)).filter((existing) => existing.body.includes(COMMENT_MARKER));
      for (const existing of previous) await api.deleteComment(existing.id);
      if (previous.length > 0) ctx.log(`deleted ${previous.length} earlier comment${previous.length === 1 ? '' : 's'} by weir`);
    }
    const url = await api.addComment(pr, `${comment.trimEnd()}\n\n${COMMENT_MARKER}`);
    ctx.log(`commented on pull request #${pr}: ${url}`);
  }
  return { version };
}

async function readVersion(workdir: string, path: string): Promise<PrVersion> {
  const text = await readArtifact(workdir, join(path, '.git', 'resource', 'version.json'), 'path');
  const version = JSON.parse(text) as Partial<PrVersion>;
  if (typeof version.pr !== 'string' || typeof version.commit !== 'string') {
    throw new ResourceError('github-pr-put-path-invalid', `${path}/.git/resource/version.json is not a pull request version`, 'set `path` to the name of a get of this resource');
  }
  return version as PrVersion;
}

/** Reads a file of the build's artifacts, confined to them (symlinks included). */
function readArtifact(workdir: string, path: string, param: string): Promise<string> {
  return readArtifactText(workdir, path, {
    outside: () => new ResourceError('github-pr-path-outside', `${param} ${JSON.stringify(path)} leaves the build's artifacts`, "use a path inside an artifact of this build, without .. and not through a symlink that leads out"),
    missing: (cause) =>
      new ResourceError(
        'github-pr-artifact-unreadable',
        `cannot read ${path} (${param}): ${unreadableReason(cause)}`,
        param === 'path' ? 'set `path` to the name of a get of this resource in the same build' : 'check that an earlier step wrote it into an output with that name',
      ),
  });
}
