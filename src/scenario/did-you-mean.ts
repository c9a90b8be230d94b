// "Did you mean" suggestions for misspelt keys and names: the closest allowed word by edit distance.

/**
 * Edit distance with insertions, deletions, substitutions and swaps of two neighbouring letters, each costing
 * 1 (Levenshtein plus transpositions, "optimal string alignment"): `tpc` is one edit from `tcp`.
 */
export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, before[j - 2] + 1);
      current.push(d);
    }
    before = previous;
    previous = current;
  }
  return previous[b.length];
}

/** Most edits a suggestion may be away from the word. */
const MAX_EDITS = 3;
/** Words longer than this plus MAX_EDITS get no suggestion (no key or name we suggest is that long). */
const MAX_CANDIDATE_CHARS = 64;

/** Names people reach for that are far in spelling from the name we use. */
const SYNONYMS: Readonly<Record<string, string>> = {
  gauss: "normal",
  gaussian: "normal",
  fixed: "constant",
  exp: "exponential",
  poisson: "exponential",
  "log-normal": "lognormal",
  power: "pareto",
  powerlaw: "pareto",
};

/**
 * The allowed word closest to `word`, if it is close enough to be a plausible typo: at most a third of the
 * longer word's length (and at least 1, at most 3 edits). Case differences count as close. Ties go to the
 * earliest candidate, so the answer is deterministic.
 */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const key = word.length <= MAX_CANDIDATE_CHARS ? word.toLowerCase() : "";
  const synonym = Object.hasOwn(SYNONYMS, key) ? SYNONYMS[key] : undefined;
  if (synonym !== undefined && candidates.includes(synonym)) return synonym;
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  const lower = word.length <= MAX_EDITS + MAX_CANDIDATE_CHARS ? word.toLowerCase() : undefined;
  for (const candidate of candidates) {
    // At least |length difference| edits apart, more than any accepted typo: skip without the quadratic distance
    // (a key of a megabyte would otherwise cost seconds).
    if (lower === undefined || Math.abs(word.length - candidate.length) > MAX_EDITS) continue;
    if (candidate.toLowerCase() === lower) return candidate;
    const d = levenshtein(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.min(MAX_EDITS, Math.max(1, Math.floor(Math.max(word.length, best.length) / 3)));
  return bestDistance <= limit ? best : undefined;
}
