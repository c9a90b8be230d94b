// Distribution samplers: moments and Kolmogorov-Smirnov fits against exact CDFs, fixed uniform consumption,
// means and scaling.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Distribution } from "../../src/scenario/schema.ts";
import { distributionMean, makeSampler, scaleDistribution } from "../../src/sim/random/distributions.ts";
import { gamma } from "../../src/sim/random/gamma.ts";
import { RandomStreams, type Rng } from "../../src/sim/random/streams.ts";

const N = 20_000;

function sample(d: Distribution, name: string, n = N): number[] {
  const rng = new RandomStreams(12345).stream(`test/${name}`);
  const draw = makeSampler(d);
  return Array.from({ length: n }, () => draw(rng));
}

function moments(xs: number[]): { mean: number; variance: number } {
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1);
  return { mean, variance };
}

/** Kolmogorov-Smirnov statistic of a sample against a continuous CDF. */
function ksStatistic(xs: number[], cdf: (x: number) => number): number {
  const sorted = xs.slice().sort((a, b) => a - b);
  const n = sorted.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(sorted[i]);
    d = Math.max(d, f - i / n, (i + 1) / n - f);
  }
  return d;
}

/** erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), enough for a KS check. */
function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const y = 1 - poly * Math.exp(-x * x);
  return x >= 0 ? y : -y;
}
const normalCdf = (z: number) => 0.5 * (1 + erf(z / Math.SQRT2));

interface Case {
  d: Distribution;
  mean: number;
  variance: number;
  /** Relative tolerance on the variance (wider for heavy-tailed cases). */
  varianceTolerance: number;
}

const CASES: Record<string, Case> = {
  constant: { d: { dist: "constant", value: 3 }, mean: 3, variance: 0, varianceTolerance: 0 },
  number: { d: 4.5, mean: 4.5, variance: 0, varianceTolerance: 0 },
  uniform: { d: { dist: "uniform", min: 2, max: 8 }, mean: 5, variance: 3, varianceTolerance: 0.05 },
  normal: { d: { dist: "normal", mean: 10, sd: 2 }, mean: 10, variance: 4, varianceTolerance: 0.05 },
  lognormal: {
    d: { dist: "lognormal", median: 2, sigma: 0.5 },
    mean: 2 * Math.exp(0.125),
    variance: 4 * (Math.exp(0.25) - 1) * Math.exp(0.25),
    varianceTolerance: 0.08,
  },
  exponential: { d: { dist: "exponential", mean: 3 }, mean: 3, variance: 9, varianceTolerance: 0.1 },
  weibull: {
    d: { dist: "weibull", shape: 1.5, scale: 10 },
    mean: 10 * gamma(1 + 1 / 1.5),
    variance: 100 * (gamma(1 + 2 / 1.5) - gamma(1 + 1 / 1.5) ** 2),
    varianceTolerance: 0.08,
  },
  pareto: {
    d: { dist: "pareto", shape: 8, scale: 2 },
    mean: (8 * 2) / 7,
    variance: (4 * 8) / (49 * 6),
    varianceTolerance: 0.15,
  },
  empirical: {
    d: { dist: "empirical", values: [1, 2, 2, 7] },
    mean: 3,
    variance: 5.5,
    varianceTolerance: 0.05,
  },
};

describe("makeSampler moments (20k draws)", () => {
  for (const [name, c] of Object.entries(CASES)) {
    it(`${name}: mean within 4 standard errors, variance within ${c.varianceTolerance * 100}%`, () => {
      const { mean, variance } = moments(sample(c.d, name));
      expect(Math.abs(mean - c.mean)).toBeLessThanOrEqual(4 * Math.sqrt(c.variance / N) + 1e-12);
      expect(Math.abs(variance - c.variance)).toBeLessThanOrEqual(c.varianceTolerance * c.variance + 1e-12);
      expect(distributionMean(c.d)).toBeCloseTo(c.mean, 10);
    });
  }

  it("empirical draws each value with its share", () => {
    const xs = sample({ dist: "empirical", values: [1, 2, 2, 7] }, "empirical-share");
    const share = (v: number) => xs.filter((x) => x === v).length / N;
    expect(share(1)).toBeCloseTo(0.25, 1);
    expect(share(2)).toBeCloseTo(0.5, 1);
    expect(share(7)).toBeCloseTo(0.25, 1);
  });
});

describe("makeSampler against exact CDFs (Kolmogorov-Smirnov, n = 20k, D < 0.02)", () => {
  const fits: [string, Distribution, (x: number) => number][] = [
    ["exponential", { dist: "exponential", mean: 2 }, (x) => 1 - Math.exp(-x / 2)],
    [
      "weibull k=0.38",
      { dist: "weibull", shape: 0.38, scale: 2544 },
      (x) => 1 - Math.exp(-((x / 2544) ** 0.38)),
    ],
    ["weibull k=2", { dist: "weibull", shape: 2, scale: 5 }, (x) => 1 - Math.exp(-((x / 5) ** 2))],
    ["pareto", { dist: "pareto", shape: 1.5, scale: 3 }, (x) => (x < 3 ? 0 : 1 - (3 / x) ** 1.5)],
    ["lognormal", { dist: "lognormal", median: 4, sigma: 1.2 }, (x) => normalCdf(Math.log(x / 4) / 1.2)],
    ["normal", { dist: "normal", mean: -1, sd: 3 }, (x) => normalCdf((x + 1) / 3)],
    ["uniform", { dist: "uniform", min: -2, max: 2 }, (x) => Math.min(1, Math.max(0, (x + 2) / 4))],
  ];
  for (const [name, d, cdf] of fits) {
    it(name, () => {
      expect(ksStatistic(sample(d, `ks/${name}`), cdf)).toBeLessThan(0.02);
    });
  }
});

describe("uniform consumption", () => {
  const counting = (inner: Rng) => {
    const counter = {
      count: 0,
      next: () => {
        counter.count++;
        return inner.next();
      },
    };
    return counter;
  };
  const perDraw: [Distribution, number][] = [
    [7, 0],
    [{ dist: "constant", value: 1 }, 0],
    [{ dist: "uniform", min: 0, max: 1 }, 1],
    [{ dist: "normal", mean: 0, sd: 1 }, 2],
    [{ dist: "lognormal", median: 1, sigma: 1 }, 2],
    [{ dist: "exponential", mean: 1 }, 1],
    [{ dist: "weibull", shape: 0.5, scale: 1 }, 1],
    [{ dist: "pareto", shape: 2, scale: 1 }, 1],
    [{ dist: "empirical", values: [1, 2, 3] }, 1],
  ];
  for (const [d, uniforms] of perDraw) {
    it(`${typeof d === "number" ? "number" : d.dist} takes exactly ${uniforms} uniform(s) per draw`, () => {
      const rng = counting(new RandomStreams(1).stream("count"));
      const draw = makeSampler(d);
      for (let i = 0; i < 101; i++) draw(rng);
      expect(rng.count).toBe(101 * uniforms);
    });
  }
});

describe("distributionMean", () => {
  it("uses Γ for weibull and is Infinity for pareto with shape ≤ 1", () => {
    expect(distributionMean({ dist: "weibull", shape: 1, scale: 10 })).toBeCloseTo(10, 10);
    expect(distributionMean({ dist: "weibull", shape: 0.5, scale: 1 })).toBeCloseTo(2, 10); // Γ(3)
    expect(distributionMean({ dist: "pareto", shape: 1, scale: 3 })).toBe(Number.POSITIVE_INFINITY);
    expect(distributionMean({ dist: "pareto", shape: 0.5, scale: 3 })).toBe(Number.POSITIVE_INFINITY);
    expect(distributionMean({ dist: "pareto", shape: 2, scale: 3 })).toBe(6);
    expect(distributionMean({ dist: "lognormal", median: 5, sigma: 0 })).toBe(5);
  });

  it("rejects inconsistent parameters", () => {
    expect(() => makeSampler({ dist: "uniform", min: 3, max: 1 })).toThrow(/min must not exceed max/);
    expect(() => distributionMean({ dist: "empirical", values: [] })).toThrow();
  });
});

describe("gamma", () => {
  it("matches known values", () => {
    expect(gamma(1)).toBeCloseTo(1, 12);
    expect(gamma(5)).toBeCloseTo(24, 10);
    expect(gamma(0.5)).toBeCloseTo(Math.sqrt(Math.PI), 12);
    expect(gamma(1.5)).toBeCloseTo(Math.sqrt(Math.PI) / 2, 12);
    expect(gamma(0.25)).toBeCloseTo(3.625609908221908, 11);
  });
});

describe("scaleDistribution", () => {
  const all: Distribution[] = Object.values(CASES).map((c) => c.d);
  const scaledFactor = fc.double({ min: 0.01, max: 100, noNaN: true });

  it("scales every draw by the factor (same stream, same uniforms)", () => {
    fc.assert(
      fc.property(fc.constantFrom(...all), scaledFactor, fc.nat(), (d, factor, seed) => {
        const a = new RandomStreams(seed).stream("s");
        const b = new RandomStreams(seed).stream("s");
        const plain = makeSampler(d);
        const scaled = makeSampler(scaleDistribution(d, factor));
        for (let i = 0; i < 5; i++) {
          const expected = factor * plain(a);
          expect(Math.abs(scaled(b) - expected)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
        }
      }),
      { numRuns: 100 },
    );
  });

  it("scales the mean, keeping shapes", () => {
    expect(scaleDistribution({ dist: "weibull", shape: 0.38, scale: 100 }, 0.5)).toEqual({
      dist: "weibull",
      shape: 0.38,
      scale: 50,
    });
    expect(scaleDistribution(3, 2)).toBe(6);
    for (const d of all)
      expect(distributionMean(scaleDistribution(d, 3))).toBeCloseTo(3 * distributionMean(d), 9);
    expect(() => scaleDistribution(1, 0)).toThrow();
  });
});
