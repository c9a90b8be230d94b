// Dividing a count of sub-blocks among connections: largest-remainder rounding (counts sum exactly to the
// total; ties go to the earlier entry) and cutting an ordered id list into consecutive runs.

import { assert } from "../assert.ts";

/** Counts proportional to weights, summing exactly to total. All-zero (or non-finite) weights split evenly. */
export function largestRemainder(total: number, weights: readonly number[]): number[] {
  assert(Number.isSafeInteger(total) && total >= 0, "cannot split {0} items", total);
  const n = weights.length;
  if (n === 0) return [];
  const clean = weights.map((w) => (Number.isFinite(w) && w > 0 ? w : 0));
  let sum = clean.reduce((a, b) => a + b, 0);
  if (sum <= 0) {
    clean.fill(1);
    sum = n;
  }
  const exact = clean.map((w) => (total * w) / sum);
  const counts = exact.map((x) => Math.floor(x));
  let left = total - counts.reduce((a, b) => a + b, 0);
  const order = exact
    .map((_x, i) => i)
    .sort((a, b) => exact[b] - counts[b] - (exact[a] - counts[a]) || a - b);
  for (let k = 0; left > 0 && k < n; k++, left--) counts[order[k]]++;
  assert(left === 0, "largest remainder left items over");
  return counts;
}

/** Cuts ids into consecutive runs of the given lengths (which must sum to ids.length). */
export function runs<T>(ids: readonly T[], counts: readonly number[]): T[][] {
  assert(counts.reduce((a, b) => a + b, 0) === ids.length, "run lengths must cover the ids exactly");
  const out: T[][] = [];
  let at = 0;
  for (const c of counts) {
    out.push(ids.slice(at, at + c));
    at += c;
  }
  return out;
}
