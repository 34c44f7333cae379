// "Did you mean": the known name closest to a misspelt one, by edit distance, for spec errors
// (unknown keys, references to instruments and attributes, flag values). Names are short and lists
// small, so the dynamic-programming distance is enough.

/**
 * Optimal string alignment (restricted Damerau-Levenshtein) distance: the fewest single-character
 * insertions, deletions, substitutions and swaps of two adjacent characters. A swap costs 1, so
 * `levle`, `tpye` and `nmae` are one edit from `level`, `type` and `name` (regression:
 * did-you-mean-misses-swapped-letters); with plain Levenshtein they were 2, over the limit of a
 * short name.
 */
export function editDistance(from: string, to: string): number {
  if (from === to) return 0;
  // Rows i-2, i-1 and i of the table; a swap reads two rows back.
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: to.length + 1 }, (_, j) => j);
  for (let i = 1; i <= from.length; i++) {
    const current = [i];
    for (let j = 1; j <= to.length; j++) {
      const substitution = previous[j - 1]! + (from[i - 1] === to[j - 1] ? 0 : 1);
      let best = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
      if (i > 1 && j > 1 && from[i - 1] === to[j - 2] && from[i - 2] === to[j - 1])
        best = Math.min(best, beforePrevious[j - 2]! + 1);
      current.push(best);
    }
    beforePrevious = previous;
    previous = current;
  }
  return previous[to.length]!;
}

/**
 * The candidate closest to `name`, or undefined when none is close enough to be a typo: at most
 * a third of the name's characters differ (at least one), ignoring case. Ties go to the first in
 * sorted order, so the suggestion does not depend on declaration order.
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(1, Math.floor(name.length / 3));
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of [...new Set(candidates)].sort()) {
    if (candidate === name) continue;
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance <= limit && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** `; did you mean "x"?` for the closest candidate, or '' when none is close. */
export function didYouMean(name: unknown, candidates: Iterable<string>): string {
  if (typeof name !== 'string') return '';
  const closest = closestName(name, candidates);
  return closest === undefined ? '' : `; did you mean ${JSON.stringify(closest)}?`;
}
