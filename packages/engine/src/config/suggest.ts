import damerauLevenshtein from 'damerau-levenshtein';

/**
 * The candidate a typo most likely meant, or undefined when nothing is close enough. Allows about
 * one edit per three characters, and counts swapped neighbours as one edit (Damerau), so `pased`
 * finds `passed` and `gti` finds `git`, but `foo` does not find `get`.
 */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  const budget = Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = damerauLevenshtein(word.toLowerCase(), candidate.toLowerCase()).steps;
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= budget ? best : undefined;
}
