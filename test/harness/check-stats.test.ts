// The gate's statistics on hand-computed cases: Student's t against published table values, the t bounds and the
// three-way verdict on small samples worked out by hand, the margin, the worst seed and its outlier flag, the
// looks and their error rates; and a property: raising every difference never makes a verdict better.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { alphaPerLook, DEFAULT_CONFIG, looks } from "../../src/harness/check-config.ts";
import { judgeDifferences, marginOf, type MetricVerdict, sampleSd, worstSeed } from "../../src/harness/check-stats.ts";
import { incompleteBeta, lnGamma, studentTCdf, studentTQuantile } from "../../src/stats/student-t.ts";

describe("Student's t", () => {
  it("matches published quantiles (e.g. NIST/SEMATECH e-Handbook, table 1.3.6.7.2)", () => {
    // [level, df, table value to 3 decimals]
    const table: [number, number, number][] = [
      [0.975, 1, 12.706],
      [0.95, 5, 2.015],
      [0.975, 10, 2.228],
      [0.99, 20, 2.528],
      [0.995, 30, 2.75],
      [0.95, 100, 1.66],
    ];
    for (const [p, df, t] of table) expect(studentTQuantile(p, df)).toBeCloseTo(t, 3);
    // df = 1 is the Cauchy distribution: quantile tan(π (p − ½)); df = 2 has t = (2p − 1) √(2 / (1 − (2p − 1)²)).
    expect(studentTQuantile(0.9, 1)).toBeCloseTo(Math.tan(Math.PI * 0.4), 9);
    const a = 2 * 0.9875 - 1;
    expect(studentTQuantile(0.9875, 2)).toBeCloseTo(a * Math.sqrt(2 / (1 - a * a)), 9);
  });

  it("has a symmetric CDF that inverts the quantile", () => {
    expect(studentTCdf(0, 7)).toBe(0.5);
    expect(studentTCdf(-1.3, 7)).toBeCloseTo(1 - studentTCdf(1.3, 7), 12);
    expect(studentTQuantile(0.2, 9)).toBeCloseTo(-studentTQuantile(0.8, 9), 12);
    expect(studentTCdf(studentTQuantile(0.99375, 47), 47)).toBeCloseTo(0.99375, 10);
  });

  it("builds on lnΓ and the incomplete beta function", () => {
    expect(lnGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(lnGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
    // I_x(1, 1) = x; I_x(a, 1) = x^a.
    expect(incompleteBeta(0.3, 1, 1)).toBeCloseTo(0.3, 12);
    expect(incompleteBeta(0.6, 3, 1)).toBeCloseTo(0.216, 12);
  });
});

describe("judgeDifferences", () => {
  // diffs 1..5: mean 3, sd √2.5, se √2.5/√5 = 0.70711; t(0.975, 4) = 2.77645 → half width 1.96324.
  const d = [1, 2, 3, 4, 5];

  it("gives the hand-computed t bounds", () => {
    const j = judgeDifferences(d, 0.5, 0.025);
    expect(sampleSd(d)).toBeCloseTo(Math.sqrt(2.5), 12);
    expect(j.meanDiff).toBe(3);
    expect(j.interval[0]).toBeCloseTo(3 - 1.96324, 4);
    expect(j.interval[1]).toBeCloseTo(3 + 1.96324, 4);
    expect(j.n).toBe(5);
  });

  it("says regression above the margin, pass within it, improved below minus it, inconclusive otherwise", () => {
    expect(judgeDifferences(d, 0.5, 0.025).verdict).toBe("regression"); // lower 1.04 > 0.5
    expect(judgeDifferences(d, 1.5, 0.025).verdict).toBe("inconclusive"); // 1.04 ≤ 1.5 < upper 4.96
    expect(judgeDifferences(d, 5, 0.025).verdict).toBe("pass"); // upper 4.96 ≤ 5
    expect(judgeDifferences(d.map((x) => -x), 0.5, 0.025).verdict).toBe("improved"); // upper −1.04 < −0.5
    expect(judgeDifferences(d.map((x) => -x), 1.5, 0.025).verdict).toBe("pass");
  });

  it("passes equal values even with a margin of 0, and cannot decide on one pair", () => {
    expect(judgeDifferences([0, 0, 0], 0, 0.01).verdict).toBe("pass");
    expect(judgeDifferences([0.3, 0.3, 0.3], 0.2, 0.01)).toMatchObject({ verdict: "regression", interval: [0.3, 0.3] });
    expect(judgeDifferences([5], 1, 0.01).verdict).toBe("inconclusive");
  });

  it("never makes a verdict better when every difference rises (property)", () => {
    const rank: Record<MetricVerdict, number> = { improved: 0, pass: 1, inconclusive: 2, regression: 3 };
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 2, maxLength: 30 }),
        fc.double({ min: 0, max: 50, noNaN: true }),
        fc.double({ min: 0, max: 20, noNaN: true }),
        (diffs, shift, margin) => {
          const before = judgeDifferences(diffs, margin, 0.0125);
          const after = judgeDifferences(
            diffs.map((x) => x + shift),
            margin,
            0.0125,
          );
          expect(rank[after.verdict]).toBeGreaterThanOrEqual(rank[before.verdict]);
          if (before.verdict === "regression") expect(before.interval[0]).toBeGreaterThan(margin);
          if (before.verdict === "pass") expect(before.interval[1]).toBeLessThanOrEqual(margin);
        },
      ),
    );
  });
});

describe("margin, worst seed, looks", () => {
  it("allows the larger of the relative and the absolute rise", () => {
    expect(marginOf({ max_increase_pct: 2, max_increase_abs: 0.5 }, 10)).toBe(0.5);
    expect(marginOf({ max_increase_pct: 2, max_increase_abs: 0.5 }, -100)).toBe(2);
    expect(marginOf({ max_increase_pct: 4 }, 0)).toBe(0);
  });

  it("names the largest rise and flags it when it alone makes more than half of the change", () => {
    expect(worstSeed([0, 3, 1])).toEqual({ index: 1, diff: 3, outlier: true }); // 3 > (0 + 3 + 1) / 2
    expect(worstSeed([1, 1, 1.2])).toEqual({ index: 2, diff: 1.2, outlier: false });
    expect(worstSeed([-1, -2, -3])).toEqual({ index: 0, diff: -1, outlier: false });
    expect(worstSeed([0, 9])).toEqual({ index: 1, diff: 9, outlier: false }); // too few pairs to say
  });

  it("doubles the seeds from min_seeds up to max_seeds and splits the error rate over the looks", () => {
    expect(looks({ min_seeds: 6, max_seeds: 48 })).toEqual([6, 12, 24, 48]);
    expect(looks({ min_seeds: 6, max_seeds: 40 })).toEqual([6, 12, 24, 40]);
    expect(looks({ min_seeds: 5, max_seeds: 5 })).toEqual([5]);
    expect(alphaPerLook(DEFAULT_CONFIG)).toBeCloseTo(0.05 / 4, 15);
  });
});
