// Random quantities (Distribution: a plain number or a named law with its parameters) and their samplers. Each
// draw consumes a fixed number of uniforms (0 for a constant, 2 for normal and lognormal, 1 otherwise), so a
// stream's position never depends on the values drawn.

import { assert } from "../../assert.ts";
import { gamma } from "./gamma.ts";
import type { Rng } from "./streams.ts";

/** A random quantity: a plain number, or a distribution. Its unit is the unit of the name holding it. */
export type Distribution =
  | number
  | { readonly dist: "constant"; readonly value: number }
  | { readonly dist: "uniform"; readonly min: number; readonly max: number }
  | { readonly dist: "normal"; readonly mean: number; readonly sd: number }
  | { readonly dist: "lognormal"; readonly median: number; readonly sigma: number }
  | { readonly dist: "exponential"; readonly mean: number }
  | { readonly dist: "weibull"; readonly shape: number; readonly scale: number }
  | { readonly dist: "pareto"; readonly shape: number; readonly scale: number }
  | { readonly dist: "empirical"; readonly values: readonly number[] };

export type Sampler = (rng: Rng) => number;

/** A standard normal deviate by Box-Muller from exactly two uniforms (no cached spare). */
export function standardNormal(rng: Rng): number {
  const u1 = 1 - rng.next(); // (0, 1]: the logarithm stays finite
  const u2 = rng.next();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** -ln(1 - U): a unit-mean exponential deviate by inverse CDF from one uniform. */
export function unitExponential(rng: Rng): number {
  return -Math.log(1 - rng.next());
}

/**
 * The smallest value 1 - U takes, for U a double in [0, 1): every draw's extremes follow from it (the streams
 * give coarser uniforms, so real draws stay inside these bounds).
 */
const MIN_ONE_MINUS_U = 2 ** -53;
/** The largest |standardNormal| can be: sqrt(-2 ln(2^-53)) ≈ 8.57. */
export const MAX_ABS_STANDARD_NORMAL = Math.sqrt(-2 * Math.log(MIN_ONE_MINUS_U));
/** The largest unitExponential can be: -ln(2^-53) ≈ 36.7. */
export const MAX_UNIT_EXPONENTIAL = -Math.log(MIN_ONE_MINUS_U);

/**
 * The smallest and largest values makeSampler(d) can return from any stream, from the extremes of the
 * uniforms it consumes. ±Infinity (or NaN) when a draw can overflow: a Pareto or Weibull shape near 0, a
 * lognormal sigma in the hundreds, parameters near the largest double.
 */
export function drawRange(d: Distribution): { readonly min: number; readonly max: number } {
  if (typeof d === "number") return { min: d, max: d };
  switch (d.dist) {
    case "constant":
      return { min: d.value, max: d.value };
    case "uniform":
      return { min: d.min, max: d.max };
    case "normal":
      return { min: d.mean - d.sd * MAX_ABS_STANDARD_NORMAL, max: d.mean + d.sd * MAX_ABS_STANDARD_NORMAL };
    case "lognormal":
      return {
        min: d.median * Math.exp(-d.sigma * MAX_ABS_STANDARD_NORMAL),
        max: d.median * Math.exp(d.sigma * MAX_ABS_STANDARD_NORMAL),
      };
    case "exponential":
      return { min: 0, max: d.mean * MAX_UNIT_EXPONENTIAL };
    case "weibull":
      return { min: 0, max: d.scale * MAX_UNIT_EXPONENTIAL ** (1 / d.shape) };
    case "pareto":
      return { min: d.scale, max: d.scale * MIN_ONE_MINUS_U ** (-1 / d.shape) };
    case "empirical": {
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      for (const v of d.values) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      return { min, max };
    }
  }
}

/** Φ(z), the standard normal CDF, by erfc from Abramowitz & Stegun 7.1.26 (relative error small in the tails). */
function standardNormalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const upper = 0.5 * poly * Math.exp(-x * x); // P(Z > |z|)
  return z >= 0 ? 1 - upper : upper;
}

/**
 * The share of d's draws below `low` plus the share above `high` (the exact law's, to a few digits): how
 * often a key's clamp changes a draw.
 */
export function shareOutside(d: Distribution, low: number, high: number): number {
  if (typeof d === "number") return d < low || d > high ? 1 : 0;
  const below = (x: number): number => {
    switch (d.dist) {
      case "constant":
        return d.value < x ? 1 : 0;
      case "uniform":
        return d.max === d.min ? (d.min < x ? 1 : 0) : Math.min(1, Math.max(0, (x - d.min) / (d.max - d.min)));
      case "normal":
        return d.sd === 0 ? (d.mean < x ? 1 : 0) : standardNormalCdf((x - d.mean) / d.sd);
      case "lognormal":
        if (x <= 0) return 0;
        return d.sigma === 0 ? (d.median < x ? 1 : 0) : standardNormalCdf(Math.log(x / d.median) / d.sigma);
      case "exponential":
        return x <= 0 ? 0 : -Math.expm1(-x / d.mean);
      case "weibull":
        return x <= 0 ? 0 : -Math.expm1(-((x / d.scale) ** d.shape));
      case "pareto":
        return x <= d.scale ? 0 : 1 - (d.scale / x) ** d.shape;
      case "empirical":
        return d.values.filter((v) => v < x).length / d.values.length;
    }
  };
  const above = (x: number): number => {
    switch (d.dist) {
      case "normal":
        return d.sd === 0 ? (d.mean > x ? 1 : 0) : standardNormalCdf((d.mean - x) / d.sd);
      case "lognormal":
        if (x <= 0) return 1;
        return d.sigma === 0 ? (d.median > x ? 1 : 0) : standardNormalCdf(Math.log(d.median / x) / d.sigma);
      case "exponential":
        return x <= 0 ? 1 : Math.exp(-x / d.mean);
      case "weibull":
        return x <= 0 ? 1 : Math.exp(-((x / d.scale) ** d.shape));
      case "pareto":
        return x <= d.scale ? 1 : (d.scale / x) ** d.shape;
      case "empirical":
        return d.values.filter((v) => v > x).length / d.values.length;
      default:
        return Math.max(0, 1 - below(x) - (d.dist === "constant" && d.value === x ? 1 : 0));
    }
  };
  return Math.min(1, below(low) + above(high));
}

function checkParameters(d: Exclude<Distribution, number>): void {
  switch (d.dist) {
    case "uniform":
      assert(d.min <= d.max, "bad {0} distribution {1}: min must not exceed max", d.dist, d);
      break;
    case "normal":
      assert(d.sd >= 0, "bad {0} distribution {1}: sd must be ≥ 0", d.dist, d);
      break;
    case "lognormal":
      assert(d.median > 0 && d.sigma >= 0, "bad {0} distribution {1}: median must be > 0 and sigma ≥ 0", d.dist, d);
      break;
    case "exponential":
      assert(d.mean > 0, "bad {0} distribution {1}: mean must be > 0", d.dist, d);
      break;
    case "weibull":
    case "pareto":
      assert(d.shape > 0 && d.scale > 0, "bad {0} distribution {1}: shape and scale must be > 0", d.dist, d);
      break;
    case "empirical":
      assert(d.values.length > 0, "bad {0} distribution {1}: values must not be empty", d.dist, d);
      break;
    case "constant":
      break;
  }
  // Scenario validation refuses these first (src/scenario/magnitudes.ts); a sampler never returns ±Infinity.
  const range = drawRange(d);
  assert(Number.isFinite(range.min) && Number.isFinite(range.max), "bad {0} distribution {1}: its draws can overflow", d.dist, d);
}

/** A function drawing one value of d from a stream (inverse CDF where it exists in closed form). */
export function makeSampler(d: Distribution): Sampler {
  if (typeof d === "number") return () => d;
  checkParameters(d);
  switch (d.dist) {
    case "constant": {
      const value = d.value;
      return () => value;
    }
    case "uniform": {
      const { min } = d;
      const width = d.max - d.min;
      return (rng) => min + width * rng.next();
    }
    case "normal": {
      const { mean, sd } = d;
      return (rng) => mean + sd * standardNormal(rng);
    }
    case "lognormal": {
      const { median, sigma } = d;
      return (rng) => median * Math.exp(sigma * standardNormal(rng));
    }
    case "exponential": {
      const { mean } = d;
      return (rng) => mean * unitExponential(rng);
    }
    case "weibull": {
      const { scale } = d;
      const inverseShape = 1 / d.shape;
      return (rng) => scale * unitExponential(rng) ** inverseShape;
    }
    case "pareto": {
      const { scale } = d;
      const inverseShape = 1 / d.shape;
      return (rng) => scale * (1 - rng.next()) ** -inverseShape;
    }
    case "empirical": {
      const values = d.values.slice();
      const n = values.length;
      return (rng) => values[Math.min(n - 1, Math.floor(rng.next() * n))];
    }
  }
}

/** The expected value of d; Infinity where it does not exist (pareto with shape ≤ 1). */
export function distributionMean(d: Distribution): number {
  if (typeof d === "number") return d;
  checkParameters(d);
  switch (d.dist) {
    case "constant":
      return d.value;
    case "uniform":
      return (d.min + d.max) / 2;
    case "normal":
      return d.mean;
    case "lognormal":
      return d.median * Math.exp((d.sigma * d.sigma) / 2);
    case "exponential":
      return d.mean;
    case "weibull":
      return d.scale * gamma(1 + 1 / d.shape);
    case "pareto":
      return d.shape > 1 ? (d.shape * d.scale) / (d.shape - 1) : Number.POSITIVE_INFINITY;
    case "empirical":
      return d.values.reduce((sum, v) => sum + v, 0) / d.values.length;
  }
}

/** The distribution of factor × X for X ~ d (factor > 0), e.g. churn's time_scale. */
export function scaleDistribution(d: Distribution, factor: number): Distribution {
  assert(factor > 0 && Number.isFinite(factor), "scale factor must be finite and > 0, got {0}", factor);
  if (typeof d === "number") return d * factor;
  switch (d.dist) {
    case "constant":
      return { dist: "constant", value: d.value * factor };
    case "uniform":
      return { dist: "uniform", min: d.min * factor, max: d.max * factor };
    case "normal":
      return { dist: "normal", mean: d.mean * factor, sd: d.sd * factor };
    case "lognormal":
      return { dist: "lognormal", median: d.median * factor, sigma: d.sigma };
    case "exponential":
      return { dist: "exponential", mean: d.mean * factor };
    case "weibull":
      return { dist: "weibull", shape: d.shape, scale: d.scale * factor };
    case "pareto":
      return { dist: "pareto", shape: d.shape, scale: d.scale * factor };
    case "empirical":
      return { dist: "empirical", values: d.values.map((v) => v * factor) };
  }
}
