// Tests of the seed statistics: hand-computed mean/median/p95, type-7 quantiles, a deterministic bootstrap,
// and paired differences matched by seed.

import fc from "fast-check";
import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import {
  aggregate,
  bootstrapCi,
  mean,
  median,
  p95,
  pairedDifference,
  quantile,
} from "../../src/stats/aggregate.ts";

describe("mean, median, p95", () => {
  it("match hand-computed values", () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    // p95 of 1..5: h = 4 · 0.95 = 3.8 → 4 + 0.8 · (5 - 4) = 4.8
    expect(p95([5, 4, 3, 2, 1])).toBeCloseTo(4.8, 12);
    // p95 of [10, 20]: h = 0.95 → 10 + 0.95 · 10 = 19.5
    expect(p95([20, 10])).toBeCloseTo(19.5, 12);
    expect(p95([7])).toBe(7);
  });

  it("quantile is type 7 at both ends and in between", () => {
    const xs = [0, 10, 20, 30];
    expect(quantile(xs, 0)).toBe(0);
    expect(quantile(xs, 1)).toBe(30);
    // h = 3 · 0.25 = 0.75 → 7.5
    expect(quantile(xs, 0.25)).toBeCloseTo(7.5, 12);
  });

  it("reject empty and non-finite samples", () => {
    expect(() => mean([])).toThrow(/empty/);
    expect(() => median([1, Number.NaN])).toThrow(/NaN/);
    expect(() => quantile([1], 1.5)).toThrow(/outside/);
  });

  it("quantiles lie between min and max and grow with p (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 30 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (xs, a, b) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          const qlo = quantile(xs, lo);
          const qhi = quantile(xs, hi);
          expect(qlo).toBeGreaterThanOrEqual(Math.min(...xs));
          expect(qhi).toBeLessThanOrEqual(Math.max(...xs));
          expect(qlo).toBeLessThanOrEqual(qhi);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("bootstrapCi", () => {
  // A normal sample N(10, 2²) from Box-Muller on a fixed seedrandom stream.
  const rng = seedrandom.alea("test/normal");
  const normal: number[] = [];
  for (let i = 0; i < 30; i++) {
    const u = 1 - rng();
    const v = rng();
    normal.push(10 + 2 * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
  }

  it("is deterministic for the same label and sample", () => {
    expect(bootstrapCi(normal, "x")).toEqual(bootstrapCi(normal, "x"));
  });

  it("depends on the label (its own random stream)", () => {
    expect(bootstrapCi(normal, "x")).not.toEqual(bootstrapCi(normal, "y"));
  });

  it("contains the sample mean and is about ±1.96·sd/√n wide for a normal sample", () => {
    const [lo, hi] = bootstrapCi(normal, "normal");
    const m = mean(normal);
    expect(lo).toBeLessThan(m);
    expect(hi).toBeGreaterThan(m);
    let ss = 0;
    for (const x of normal) ss += (x - m) ** 2;
    const se = Math.sqrt(ss / normal.length) / Math.sqrt(normal.length);
    expect(hi - lo).toBeGreaterThan(2 * 1.96 * se * 0.8);
    expect(hi - lo).toBeLessThan(2 * 1.96 * se * 1.2);
  });

  it("of a constant sample is [c, c]; of one value is [x, x]", () => {
    expect(bootstrapCi([3, 3, 3], "c")).toEqual([3, 3]);
    expect(bootstrapCi([42], "one")).toEqual([42, 42]);
  });

  it("stays inside [min, max] (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 20 }), (xs) => {
        const [lo, hi] = bootstrapCi(xs, "prop", { resamples: 200 });
        expect(lo).toBeGreaterThanOrEqual(Math.min(...xs) - 1e-9);
        expect(hi).toBeLessThanOrEqual(Math.max(...xs) + 1e-9);
        expect(lo).toBeLessThanOrEqual(hi);
      }),
      { numRuns: 100 },
    );
  });
});

describe("aggregate", () => {
  it("bundles mean, median, p95, ci95 and n", () => {
    const a = aggregate([1, 2, 3, 4, 5], "agg");
    expect(a.mean).toBe(3);
    expect(a.median).toBe(3);
    expect(a.p95).toBeCloseTo(4.8, 12);
    expect(a.n).toBe(5);
    expect(a.ci95[0]).toBeLessThanOrEqual(3);
    expect(a.ci95[1]).toBeGreaterThanOrEqual(3);
  });
});

describe("pairedDifference", () => {
  it("of identical data is 0 with interval [0, 0]", () => {
    const m = new Map([
      [1, 5.5],
      [2, 7.25],
      [3, 6],
    ]);
    expect(pairedDifference(m, new Map(m), "same")).toEqual({
      n: 3,
      meanDiff: 0,
      ci95: [0, 0],
      relativePct: 0,
    });
  });

  it("matches by seed, skips unmatched and non-finite seeds, and gives the relative difference", () => {
    const values = new Map([
      [3, 9],
      [1, 8],
      [2, Number.NaN],
      [7, 100],
    ]);
    const reference = new Map([
      [1, 10],
      [2, 10],
      [3, 10],
    ]);
    const d = pairedDifference(values, reference, "match");
    // Seeds 1 and 3: diffs -2 and -1 → mean -1.5; reference mean 10 → -15 %.
    expect(d?.n).toBe(2);
    expect(d?.meanDiff).toBe(-1.5);
    expect(d?.relativePct).toBeCloseTo(-15, 12);
    expect(d?.ci95[0]).toBeGreaterThanOrEqual(-2);
    expect(d?.ci95[1]).toBeLessThanOrEqual(-1);
  });

  it("does not depend on the maps' insertion order", () => {
    const a = new Map([
      [1, 3],
      [2, 5],
      [3, 4],
    ]);
    const b = new Map([
      [3, 4],
      [2, 5],
      [1, 3],
    ]);
    const ref = new Map([
      [1, 1],
      [2, 2],
      [3, 2],
    ]);
    expect(pairedDifference(a, ref, "o")).toEqual(pairedDifference(b, ref, "o"));
  });

  it("is null without a matched seed; relative difference is null when the reference mean is 0", () => {
    expect(pairedDifference(new Map([[1, 1]]), new Map([[2, 1]]), "none")).toBeNull();
    expect(pairedDifference(new Map([[1, 1]]), new Map([[1, 0]]), "zero")?.relativePct).toBeNull();
  });
});
