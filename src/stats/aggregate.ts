// Statistics over seeds: mean, median, p95 (type-7 quantiles), seeded percentile-bootstrap 95% confidence
// intervals, and paired differences between a strategy and a reference matched by seed. Pure functions:
// no I/O, and every random draw comes from the seedrandom stream `bootstrap/<label>`, so the same input
// gives the same interval on every machine and every run.

import seedrandom from "seedrandom";
import { assert } from "../assert.ts";

/** Bootstrap resamples per interval. */
export const BOOTSTRAP_RESAMPLES = 2000;
/** Largest sample the bootstrap accepts (B × n draws must stay cheap). */
const MAX_BOOTSTRAP_N = 100_000;

function checkSample(xs: readonly number[], what: string): void {
  assert(xs.length > 0, "stats: {0} of an empty sample", what);
  for (const x of xs) assert(Number.isFinite(x), "stats: {0} of a sample holding {1}", what, x);
}

/** Arithmetic mean. */
export function mean(xs: readonly number[]): number {
  checkSample(xs, "mean");
  let sum = 0;
  for (const x of xs) sum += x;
  return sum / xs.length;
}

/**
 * Quantile by linear interpolation between order statistics (Hyndman & Fan type 7, the default of R and
 * NumPy): h = (n - 1)·p, q = x[⌊h⌋] + (h - ⌊h⌋)·(x[⌊h⌋+1] - x[⌊h⌋]) on the sorted sample (0-based).
 */
export function quantile(xs: readonly number[], p: number): number {
  checkSample(xs, "quantile");
  assert(p >= 0 && p <= 1, "stats: quantile level {0} outside [0, 1]", p);
  return quantileSorted(
    [...xs].sort((a, b) => a - b),
    p,
  );
}

/** Type-7 quantile of an already ascending sample. */
function quantileSorted(sorted: readonly number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

export function median(xs: readonly number[]): number {
  return quantile(xs, 0.5);
}

export function p95(xs: readonly number[]): number {
  return quantile(xs, 0.95);
}

export type Interval = readonly [number, number];

export interface BootstrapOptions {
  /** Resamples; default BOOTSTRAP_RESAMPLES. */
  readonly resamples?: number;
  /** Coverage of the interval; default 0.95. */
  readonly level?: number;
}

/**
 * Percentile-bootstrap confidence interval of the mean: B resamples with replacement, each of the sample's
 * size, drawn from the stream `bootstrap/<label>`; the interval is the type-7 (1-level)/2 and (1+level)/2
 * quantiles of the B resample means. A sample of one value gives [x, x].
 */
export function bootstrapCi(xs: readonly number[], label: string, opts: BootstrapOptions = {}): Interval {
  checkSample(xs, "bootstrap");
  const b = opts.resamples ?? BOOTSTRAP_RESAMPLES;
  const level = opts.level ?? 0.95;
  assert(Number.isInteger(b) && b >= 1 && b <= 1_000_000, "stats: bad resample count {0}", b);
  assert(level > 0 && level < 1, "stats: bad confidence level {0}", level);
  assert(xs.length <= MAX_BOOTSTRAP_N, "stats: bootstrap sample of {0} values exceeds {1}", xs.length, MAX_BOOTSTRAP_N);
  const n = xs.length;
  const rng = seedrandom.alea(`bootstrap/${label}`);
  const means = new Float64Array(b);
  for (let r = 0; r < b; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += xs[Math.min(n - 1, Math.floor(rng() * n))];
    means[r] = sum / n;
  }
  means.sort();
  const sorted = Array.from(means);
  return [quantileSorted(sorted, (1 - level) / 2), quantileSorted(sorted, (1 + level) / 2)];
}

/** Summary of one metric over seeds. */
export interface Aggregate {
  readonly mean: number;
  readonly median: number;
  readonly p95: number;
  readonly ci95: Interval;
  readonly n: number;
}

/** mean, median, p95 and bootstrap 95% CI of a non-empty sample; `label` names the bootstrap stream. */
export function aggregate(xs: readonly number[], label: string): Aggregate {
  return { mean: mean(xs), median: median(xs), p95: p95(xs), ci95: bootstrapCi(xs, label), n: xs.length };
}

/** A metric of a strategy minus the same metric of the reference, matched by seed. */
export interface PairedDifference {
  /** Seeds present (with a finite value) on both sides. */
  readonly n: number;
  /** Mean over matched seeds of (strategy - reference). */
  readonly meanDiff: number;
  /** Bootstrap 95% CI of meanDiff. */
  readonly ci95: Interval;
  /** 100 · meanDiff / mean(reference over the matched seeds); null when that mean is 0. */
  readonly relativePct: number | null;
}

/**
 * Paired difference of `values` against `reference` (both keyed by seed). Seeds are matched and taken in
 * ascending order (so the bootstrap draws do not depend on map order); seeds missing on either side or with
 * a non-finite value are left out. Null when no seed matches.
 */
export function pairedDifference(
  values: ReadonlyMap<number, number>,
  reference: ReadonlyMap<number, number>,
  label: string,
): PairedDifference | null {
  const seeds = [...values.keys()].filter((s) => reference.has(s)).sort((a, b) => a - b);
  const diffs: number[] = [];
  const refs: number[] = [];
  for (const seed of seeds) {
    const v = values.get(seed) as number;
    const r = reference.get(seed) as number;
    if (!Number.isFinite(v) || !Number.isFinite(r)) continue;
    diffs.push(v - r);
    refs.push(r);
  }
  if (diffs.length === 0) return null;
  const meanDiff = mean(diffs);
  const refMean = mean(refs);
  return {
    n: diffs.length,
    meanDiff,
    ci95: bootstrapCi(diffs, label),
    relativePct: refMean === 0 ? null : (100 * meanDiff) / refMean,
  };
}
