import type { PullSummary, Review } from './github-api.js';
import type { GithubPrSettings } from './source.js';

/**
 * Whether a listed PR passes the filters the listing itself answers (base, labels, forks,
 * drafts). The costlier ones (changed files, reviews, commit message) are asked only of PRs
 * that pass these.
 */
export function listingPasses(pull: PullSummary, settings: Pick<GithubPrSettings, 'baseBranch' | 'labels' | 'disableForks' | 'ignoreDrafts'>): boolean {
  if (settings.baseBranch !== undefined && pull.baseRef !== settings.baseBranch) return false;
  if (settings.labels.length > 0 && !pull.labels.some((label) => settings.labels.includes(label))) return false;
  // A deleted fork leaves no head repository: still a fork.
  if (settings.disableForks && pull.headRepo !== pull.baseRepo) return false;
  if (settings.ignoreDrafts && pull.draft) return false;
  return true;
}

/** Reviewers whose latest approving-or-blocking review approves; comments alone change nothing. */
export function approvalCount(reviews: readonly Review[]): number {
  const latest = new Map<string, string>();
  for (const review of reviews) {
    if (review.state === 'COMMENTED' || review.state === 'PENDING') continue;
    latest.set(review.user, review.state);
  }
  return [...latest.values()].filter((state) => state === 'APPROVED').length;
}

/** Whether a commit message asks CI to skip it, in the spellings GitHub Actions and Concourse know. */
export function asksToSkipCi(message: string): boolean {
  return /\[(ci skip|skip ci|no ci|ci-skip|skip-ci)\]/i.test(message);
}
