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
