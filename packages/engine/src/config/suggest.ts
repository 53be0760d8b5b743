import damerauLevenshtein from 'damerau-levenshtein';

/**
 * The candidate a typo most likely meant, or undefined when nothing is close enough. Allows about
 * one edit per three characters, and counts swapped neighbours as one edit (Damerau), so `pased`
 * finds `passed` and `gti` finds `git`, but `foo` does not find `get`.
 */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  const budget = Math.max(1, Math.floor(word.length / 3));
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    // The distance is at least the difference in length, so a candidate that differs by more than
    // the budget can never be returned: skip the matrix. The first closest candidate still wins.
    const other = candidate.toLowerCase();
    if (Math.abs(other.length - lower.length) > budget) continue;
    const d = damerauLevenshtein(lower, other).steps;
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= budget ? best : undefined;
}
