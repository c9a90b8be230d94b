// The CI gate's statistics on one metric of one (scenario, strategy): per-seed differences d_i = current − baseline
// (paired by seed: both runs met the same world), a Student t-interval on their mean, and a three-way verdict
// against the margin Δ = max(max_increase_pct % of |baseline mean|, max_increase_abs):
//   regression   the lower bound is above Δ          (shown worse than allowed)
//   improved     the upper bound is below −Δ         (shown better by more than Δ; passes)
//   pass         the upper bound is at most Δ        (shown within the threshold)
//   inconclusive neither                             (more seeds, or the gate fails)
// Each bound is one-sided at 1 − α, where α is the look's share of 1 − confidence (check-config.ts), so a
// verdict is wrong with probability at most 1 − confidence over all looks (a union bound), when the mean of the
// differences is close to normal. Also the worst seed (largest rise) and whether it alone makes most of the change.

import { assert } from "../assert.ts";
import { mean } from "../stats/aggregate.ts";
import { studentTQuantile } from "../stats/student-t.ts";

export type MetricVerdict = "pass" | "improved" | "regression" | "inconclusive";

export interface Margin {
  readonly max_increase_pct?: number;
  readonly max_increase_abs?: number;
}

export interface DifferenceJudgement {
  readonly verdict: MetricVerdict;
  readonly n: number;
  readonly meanDiff: number;
  /** [lower, upper] bound of the mean difference, each one-sided at 1 − alpha. */
  readonly interval: readonly [number, number];
  /** Δ, in the metric's unit. */
  readonly margin: number;
}

/** Δ for a baseline mean: the larger of the relative and the absolute allowance. */
export function marginOf(t: Margin, baselineMean: number): number {
  return Math.max(((t.max_increase_pct ?? 0) / 100) * Math.abs(baselineMean), t.max_increase_abs ?? 0);
}

/** Sample standard deviation (n − 1). */
export function sampleSd(xs: readonly number[]): number {
  const m = mean(xs);
  let ss = 0;
  for (const x of xs) ss += (x - m) * (x - m);
  return Math.sqrt(ss / (xs.length - 1));
}

/** Judges paired differences against a margin at one-sided level 1 − alpha. */
export function judgeDifferences(diffs: readonly number[], margin: number, alpha: number): DifferenceJudgement {
  assert(alpha > 0 && alpha < 0.5, "check: alpha must be in (0, 0.5), found {0}", alpha);
  assert(margin >= 0, "check: margin must be ≥ 0, found {0}", margin);
  const n = diffs.length;
  if (n < 2) {
    const d = n === 1 ? diffs[0] : 0;
    return { verdict: "inconclusive", n, meanDiff: d, interval: [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY], margin };
  }
  const m = mean(diffs);
  const halfWidth = studentTQuantile(1 - alpha, n - 1) * (sampleSd(diffs) / Math.sqrt(n));
  const lo = m - halfWidth;
  const hi = m + halfWidth;
  const verdict: MetricVerdict = lo > margin ? "regression" : hi < -margin ? "improved" : hi <= margin ? "pass" : "inconclusive";
  return { verdict, n, meanDiff: m, interval: [lo, hi], margin };
}

export interface WorstSeed {
  /** Position in the paired sample. */
  readonly index: number;
  readonly diff: number;
  /**
   * This one seed makes more than half of the change: its |difference| exceeds half of Σ |differences|. The mean
   * (and the verdict) then rest on one seed: replay it. False below 3 pairs.
   */
  readonly outlier: boolean;
}

/** The pair with the largest rise (the first on ties), and whether it alone makes most of the change. */
export function worstSeed(diffs: readonly number[]): WorstSeed {
  assert(diffs.length > 0, "check: worst seed of no pairs");
  let index = 0;
  let total = 0;
  for (let i = 0; i < diffs.length; i++) {
    if (diffs[i] > diffs[index]) index = i;
    total += Math.abs(diffs[i]);
  }
  const diff = diffs[index];
  return { index, diff, outlier: diffs.length >= 3 && diff > 0 && Math.abs(diff) > 0.5 * total };
}
