// The oracle strategy and its optimiser: bestSplit against hand-computed cases and against a brute-force search
// (timed by the reference max-min simulator of test/sim, not by the optimiser's code), and whole runs in which
// every block of the oracle ends within 0.5% of its split bound T_g, the simulator's own optimum.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bestSplit, type SplitSource, splitEndUs } from "../../src/agent/strategies/best-split.ts";
import { runOne } from "../../src/harness/run.ts";
import { loadScenario } from "../../src/scenario/load.ts";
import type { SplitInstance } from "../../src/sim/metrics/split-bound.ts";
import { bruteForceUs, plainEndUs } from "../sim/split-reference.ts";

function asInstance(pieces: number, pieceBytes: number, lastBytes: number, sources: readonly SplitSource[], downlinkBps: number): SplitInstance {
  return {
    pieces,
    pieceBytes,
    lastBytes,
    delaysUs: sources.map((s) => s.delayUs),
    ratesBps: sources.map((s) => s.rateBps),
    downlinkBps,
    atUs: [],
    who: [],
    rateBps: [],
  };
}

// 8 Mb/s = 8 bits per µs.
describe("bestSplit, hand-computed", () => {
  it("8, 4, 2 Mb/s with RTTs 0.1, 0.4, 2 s, 10 sub-blocks of 100 kB: 8 / 2 / 0, the block ends at 0.9 s", () => {
    // Alone a sub-block takes 0.1, 0.2, 0.4 s: 8 on the first end at 0.9 s, 2 on the second at 0.8 s; the
    // third's first byte comes at 2 s. 7 / 3 would end at 1.0 s.
    const r = bestSplit(10, 100_000, 100_000, [
      { rateBps: 8e6, delayUs: 100_000 },
      { rateBps: 4e6, delayUs: 400_000 },
      { rateBps: 2e6, delayUs: 2_000_000 },
    ], 100e6);
    expect(r.counts).toEqual([8, 2, 0]);
    expect(r.endUs).toBeCloseTo(900_000, 6);
    expect(r.exact).toBe(true);
  });

  it("accounts for max-min sharing: 1.5 + 1.5 bits/µs on a 2 bits/µs downlink, 3 sub-blocks of 1000 bits ⇒ 2 + 1", () => {
    // Both at the level 1 until the single one ends at 1000 µs, then 1000 bits at 1.5: 1666.7 µs (3 + 0: 2000 µs),
    // later than both the whole-sub-block time alone (1333.3 µs) and the downlink time (1500 µs).
    const r = bestSplit(3, 125, 125, [
      { rateBps: 1.5e6, delayUs: 0 },
      { rateBps: 1.5e6, delayUs: 0 },
    ], 2e6);
    expect(r.endUs).toBeCloseTo(5000 / 3, 6);
    expect([...r.counts].sort()).toEqual([1, 2]);
  });

  it("leaves a far source idle when using it would end the block later", () => {
    const r = bestSplit(4, 1000, 1000, [
      { rateBps: 8e6, delayUs: 0 },
      { rateBps: 8e6, delayUs: 5000 },
    ], 1e9);
    expect(r.counts).toEqual([4, 0]);
    expect(r.endUs).toBeCloseTo(4000, 9);
  });

  it("gives the short last sub-block to a source and ends when the reference says", () => {
    const sources = [
      { rateBps: 8e6, delayUs: 0 },
      { rateBps: 4e6, delayUs: 100 },
    ];
    const r = bestSplit(3, 1000, 200, sources, 1e9);
    expect(r.shortHolder).toBeGreaterThanOrEqual(0);
    expect(r.endUs).toBeCloseTo(plainEndUs(asInstance(3, 1000, 200, sources, 1e9), r.counts, r.shortHolder), 6);
  });
});

const sourcesArb = fc.array(
  fc.record({ delayUs: fc.integer({ min: 0, max: 3000 }), rateBps: fc.double({ min: 0.5e6, max: 20e6, noNaN: true }), copy: fc.boolean() }),
  { minLength: 1, maxLength: 6 },
).map((xs) => {
  const out: SplitSource[] = [];
  xs.forEach((x, i) => out.push(i > 0 && x.copy ? out[i - 1] : { rateBps: x.rateBps, delayUs: x.delayUs }));
  return out;
});

function splits(m: number, n: number): number {
  let c = 1;
  for (let k = 1; k < m; k++) c = (c * (n + k)) / k;
  return c;
}

describe("bestSplit against brute force", () => {
  it("ends when the best split of a brute-force search does (≤ 6 sources, ≤ 24 sub-blocks), its counts included", () => {
    fc.assert(
      fc.property(
        sourcesArb,
        fc.integer({ min: 1, max: 24 }),
        fc.oneof(fc.constant(1000), fc.integer({ min: 1, max: 999 })),
        fc.oneof(fc.double({ min: 1e6, max: 30e6, noNaN: true }), fc.constant(1e9)),
        (sources, pieces, lastBytes, downlinkBps) => {
          fc.pre(splits(sources.length, pieces) <= 30_000);
          const r = bestSplit(pieces, 1000, lastBytes, sources, downlinkBps);
          const inst = asInstance(pieces, 1000, lastBytes, sources, downlinkBps);
          const brute = bruteForceUs(inst);
          expect(r.exact).toBe(true);
          expect(r.endUs).toBeCloseTo(brute, 6);
          expect(plainEndUs(inst, r.counts, r.shortHolder)).toBeCloseTo(brute, 6);
          expect(splitEndUs(1000, lastBytes, sources, downlinkBps, r.counts, r.shortHolder)).toBeCloseTo(brute, 6);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe("the oracle in whole runs", () => {
  // No churn, fluid: the oracle's split is T_g's, up to the µs rounding of the simulated network.
  for (const file of ["scenarios/heterogeneous.yaml", "scenarios/baseline.yaml"]) {
    it(`every block ends within 0.5% of its T_g (${file}, three seeds)`, () => {
      const loaded = loadScenario(file);
      for (const seed of [1, 2, 3]) {
        const { result } = runOne(loaded, { strategy: "oracle", seed });
        expect(result.error).toBeNull();
        for (const b of result.blocks) {
          expect(b.endUs - b.startUs, `seed ${seed} block ${b.block}`).toBeLessThanOrEqual(1.005 * b.tGUs);
        }
      }
    });
  }
});
