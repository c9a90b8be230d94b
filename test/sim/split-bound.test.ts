// T_g, the split bound: hand-computed cases; equality with a brute-force search over every split, timed by a
// max-min simulator written here (progressive filling, not the bound's code); monotonicity of a split's end in
// each source's count; T_g ≥ T*; soundness of the value given when the search budget runs out; and whole runs
// in which no block of a strategy that keeps the block rule ends before its T_g.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createStrategy } from "../../src/agent/strategies/registry.ts";
import { runOne } from "../../src/harness/run.ts";
import { loadScenario } from "../../src/scenario/load.ts";
import { varyingLowerBoundUs } from "../../src/sim/metrics/block-bound.ts";
import { type SplitInstance, splitBound, splitEndUs } from "../../src/sim/metrics/split-bound.ts";
import { bruteForceUs, plainEndUs, plainEnds, workOf } from "./split-reference.ts";

/** An instance without capacity changes; rates in bits/s, sizes in bytes. */
function plain(pieces: number, pieceBytes: number, delaysUs: number[], ratesBps: number[], downlinkBps: number, lastBytes = pieceBytes): SplitInstance {
  return { pieces, pieceBytes, lastBytes, delaysUs, ratesBps, downlinkBps, atUs: [], who: [], rateBps: [] };
}

const close = (x: number, y: number, rel = 1e-9) =>
  x === y || (Number.isFinite(x) && Number.isFinite(y) && Math.abs(x - y) <= rel * Math.max(Math.abs(x), Math.abs(y)));

describe("splitBound, hand-computed (8 Mb/s = 8 bits per µs; 1000 B = 8000 bits)", () => {
  it("one source: its delay plus the whole block at its rate", () => {
    expect(splitBound(plain(3, 1000, [100], [8e6], 1e9)).boundUs).toBeCloseTo(3100, 9);
  });

  it("a short last sub-block: 2 × 1000 B + 500 B in 2500 µs", () => {
    const r = splitBound(plain(3, 1000, [0], [8e6], 1e9, 500));
    expect(r.boundUs).toBeCloseTo(2500, 9);
    expect(r.shortHolder).toBe(0);
  });

  it("leaves a far source idle when using it would end the block later", () => {
    // Near: 1000 µs per sub-block from 0, all four by 4000 µs. Far: its first byte only at 5000 µs.
    const r = splitBound(plain(4, 1000, [0, 5000], [8e6, 8e6], 1e9));
    expect(r.boundUs).toBeCloseTo(4000, 9);
    expect(r.counts).toEqual([4, 0]);
  });

  it("a capacity that halves mid-block: the second sub-block takes twice as long", () => {
    const inst: SplitInstance = { ...plain(2, 1000, [0], [8e6], 1e9), atUs: [1000], who: [0], rateBps: [4e6] };
    expect(splitBound(inst).boundUs).toBeCloseTo(3000, 9);
  });

  it("a split's end is not separable: a flow slowed by sharing ends after both simple bounds", () => {
    // A 1.5 and B 2 bits/µs share a 2 bits/µs downlink, sub-blocks of 1000 bits (125 B). With A = 3, B = 1:
    // both run at the level 1 until B ends at 1000 µs, then A's last 2000 bits at 1.5: 2333.3 µs, after both
    // max(3000 / 1.5, 1000 / 2) = 2000 and 4000 / 2 = 2000.
    const inst = plain(4, 125, [0, 0], [1.5e6, 2e6], 2e6);
    expect(splitEndUs(inst, [3, 1], -1)).toBeCloseTo(7000 / 3, 6);
  });

  it("T_g above both the whole-sub-block bound and the downlink bound when the downlink binds", () => {
    // Two sources of 1.5 bits/µs from 0 share 2 bits/µs; 3 sub-blocks of 1000 bits. Alone each ends one in
    // 666.7 µs, so the whole-sub-block bound is 1333.3 µs (2 + 1); the downlink bound is 3000 / 2 = 1500 µs.
    // Split 2 + 1: both at 1 until 1000 µs, then the last 1000 bits at 1.5: 1666.7 µs; 3 + 0: 2000 µs.
    const r = splitBound(plain(3, 125, [0, 0], [1.5e6, 1.5e6], 2e6));
    expect(r.exact).toBe(true);
    expect(r.boundUs).toBeCloseTo(5000 / 3, 6);
    expect([...r.counts].sort()).toEqual([1, 2]);
  });

  it("is 0 for an empty block and Infinity when no source ever has capacity", () => {
    expect(splitBound(plain(0, 1000, [0], [8e6], 1e9)).boundUs).toBe(0);
    expect(splitBound(plain(2, 1000, [], [], 1e9)).boundUs).toBe(Number.POSITIVE_INFINITY);
    expect(splitBound(plain(2, 1000, [0], [0], 1e9)).boundUs).toBe(Number.POSITIVE_INFINITY);
  });
});

/** Random instances: up to 6 sources (some identical), up to 24 sub-blocks, a short last one, changes. */
const instanceArb = fc
  .record({
    m: fc.integer({ min: 1, max: 6 }),
    pieces: fc.integer({ min: 1, max: 24 }),
    shortLast: fc.boolean(),
    lastFraction: fc.double({ min: 0.01, max: 0.99, noNaN: true }),
    sources: fc.array(
      fc.record({
        delayUs: fc.integer({ min: 0, max: 3000 }),
        rateBps: fc.oneof(fc.constant(0), fc.double({ min: 0.5e6, max: 20e6, noNaN: true })),
        sameAsPrevious: fc.boolean(),
      }),
      { minLength: 6, maxLength: 6 },
    ),
    // A downlink that binds (below the sources' sum) or not.
    downlinkBps: fc.oneof(fc.double({ min: 1e6, max: 30e6, noNaN: true }), fc.constant(1e9)),
    changes: fc.array(
      fc.record({ atUs: fc.integer({ min: 0, max: 8000 }), who: fc.integer({ min: -1, max: 5 }), rateBps: fc.oneof(fc.constant(0), fc.double({ min: 0.5e6, max: 25e6, noNaN: true })) }),
      { maxLength: 3 },
    ),
  })
  .map((x): SplitInstance => {
    const delaysUs: number[] = [];
    const ratesBps: number[] = [];
    for (let i = 0; i < x.m; i++) {
      const s = x.sources[i];
      const copy = i > 0 && s.sameAsPrevious;
      delaysUs.push(copy ? delaysUs[i - 1] : s.delayUs);
      ratesBps.push(copy ? ratesBps[i - 1] : s.rateBps);
    }
    const changes = x.changes.filter((c) => c.who < x.m).sort((a, b) => a.atUs - b.atUs);
    const pieceBytes = 1000;
    return {
      pieces: x.pieces,
      pieceBytes,
      lastBytes: x.shortLast ? Math.max(1, Math.round(pieceBytes * x.lastFraction)) : pieceBytes,
      delaysUs,
      ratesBps,
      downlinkBps: x.downlinkBps,
      atUs: changes.map((c) => c.atUs),
      who: changes.map((c) => c.who),
      rateBps: changes.map((c) => c.rateBps),
    };
  });

/** Keeps brute force affordable: at most this many splits per case. */
function splits(m: number, n: number): number {
  let c = 1;
  for (let k = 1; k < m; k++) c = (c * (n + k)) / k;
  return c;
}

describe("splitBound against brute force", () => {
  it("equals the best split of a brute-force search (≤ 6 sources, ≤ 24 sub-blocks), which its counts reach", () => {
    fc.assert(
      fc.property(instanceArb.filter((inst) => splits(inst.delaysUs.length, inst.pieces) <= 30_000), (inst) => {
        const r = splitBound(inst);
        const brute = bruteForceUs(inst);
        expect(r.exact).toBe(true);
        expect(close(r.boundUs, brute), `T_g ${r.boundUs} vs brute force ${brute}`).toBe(true);
        if (Number.isFinite(brute)) expect(close(plainEndUs(inst, r.counts, r.shortHolder), brute)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it("with a search budget too small to finish, gives a lower bound on the best split and a split at least as late", () => {
    let inexact = 0;
    // A binding downlink and a few sources, so that the greedy split is seldom the answer.
    const hard = instanceArb
      .map((inst) => ({ ...inst, downlinkBps: Math.min(inst.downlinkBps, 8e6) }))
      .filter((inst) => inst.delaysUs.length >= 3 && inst.pieces >= 6 && splits(inst.delaysUs.length, inst.pieces) <= 5_000);
    fc.assert(
      fc.property(hard, fc.integer({ min: 1, max: 6 }), (inst, budget) => {
        const r = splitBound(inst, budget);
        const brute = bruteForceUs(inst);
        if (!Number.isFinite(brute)) return;
        expect(r.boundUs).toBeLessThanOrEqual(brute * (1 + 1e-9));
        expect(r.bestUs).toBeGreaterThanOrEqual(brute * (1 - 1e-9));
        if (r.exact) expect(close(r.boundUs, brute)).toBe(true);
        else inexact++;
      }),
      { numRuns: 300 },
    );
    expect(inexact).toBeGreaterThan(10); // the fallback itself was exercised
  });
});

describe("a split's end", () => {
  it("is monotone: one more sub-block on any source never makes any flow end sooner", () => {
    fc.assert(
      fc.property(instanceArb, fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 6, maxLength: 6 }), fc.nat(5), (inst, raw, pick) => {
        const m = inst.delaysUs.length;
        const counts = raw.slice(0, m);
        const i = pick % m;
        const before = plainEnds(inst, workOf(inst, counts, -1));
        const more = [...counts];
        more[i]++;
        const after = plainEnds(inst, workOf(inst, more, -1));
        for (let j = 0; j < m; j++) {
          if (before[j] < 0) continue;
          expect(after[j]).toBeGreaterThanOrEqual(before[j] * (1 - 1e-9));
        }
      }),
      { numRuns: 300 },
    );
  });

  it("is what splitEndUs computes", () => {
    fc.assert(
      fc.property(instanceArb, fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 6, maxLength: 6 }), (inst, raw) => {
        const counts = raw.slice(0, inst.delaysUs.length);
        expect(close(splitEndUs(inst, counts, -1), plainEndUs(inst, counts, -1))).toBe(true);
      }),
    );
  });
});

describe("T_g and T*", () => {
  it("T_g ≥ T* over the same sources and changes", () => {
    fc.assert(
      fc.property(instanceArb, (inst) => {
        const size = (inst.pieces - 1) * inst.pieceBytes + inst.lastBytes;
        const tStar = varyingLowerBoundUs(size, inst.delaysUs, inst.ratesBps, inst.downlinkBps, inst.atUs, inst.who, inst.rateBps);
        const tG = splitBound(inst).boundUs;
        expect(tG).toBeGreaterThanOrEqual(tStar * (1 - 1e-9));
      }),
      { numRuns: 300 },
    );
  });
});

describe("T_g in whole runs", () => {
  // Fluid and no jitter: with one request per connection at the block start nothing could beat T_g. (Random
  // jitter and TCP windows can: a flow held back lets another one go faster; see docs/outputs.md.)
  for (const file of ["scenarios/heterogeneous.yaml", "scenarios/baseline.yaml"]) {
    it(`no block of a strategy that keeps the block rule ends before its T_g (${file}, two seeds)`, () => {
      const loaded = loadScenario(file);
      for (const strategy of ["static", "index", "rebalance", "oracle", "pull"]) {
        const env = { oracle: { trueUplinkBps: () => 0, trueRttUs: () => 0, downlinkBps: () => 0 } }; // to read a property
        expect(createStrategy(strategy, env).pipelinesBlocks ?? false).toBe(false);
        for (const seed of [1, 2]) {
          const { result } = runOne(loaded, { strategy, seed });
          expect(result.error).toBeNull();
          for (const b of result.blocks) {
            const what = `${strategy} seed ${seed} block ${b.block}`;
            expect(b.tGUs, what).toBeLessThanOrEqual(b.endUs - b.startUs + 1);
            expect(b.tGUs, what).toBeGreaterThanOrEqual(b.tStarUs - 1);
          }
          expect(result.metrics.tGRatio).toBeGreaterThanOrEqual(1 - 1e-6);
        }
      }
    });
  }
});
