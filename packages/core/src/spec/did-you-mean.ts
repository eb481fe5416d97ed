/** Levenshtein distance with an early exit once every cell of a row exceeds `max`. */
function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      row.push(value);
      best = Math.min(best, value);
    }
    if (best > max) return max + 1;
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * The known name closest to `word`, when it is close enough to be a likely typo: a small edit
 * distance, or one name is a prefix of the other (`experiment` → `experiment_name`).
 */
export function closestName(word: string, known: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  const max = lower.length < 3 ? 0 : Math.max(1, Math.floor(lower.length / 3));
  let best: { name: string; score: number } | undefined;
  for (const name of known) {
    const candidate = name.toLowerCase();
    let score = editDistance(lower, candidate, max);
    if (score > max && lower.length >= 4 && (candidate.startsWith(lower) || lower.startsWith(candidate))) {
      score = max;
    }
    if (score <= max && (best === undefined || score < best.score)) best = { name, score };
  }
  return best?.name;
}

/** ` (did you mean "x"?)`, or the empty string when nothing is close. */
export function didYouMean(word: string, known: readonly string[]): string {
  const match = closestName(word, known);
  return match === undefined ? '' : ` (did you mean "${match}"?)`;
}
