// T* over capacities that change while a block downloads: hand-computed cases of the integral form, agreement
// with the constant-capacity water-filling bound when nothing changes, and, in whole runs with capacity traces,
// a bound that no block ever beats.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runOne } from "../../src/harness/run.ts";
import { loadScenario } from "../../src/scenario/load.ts";
import { BlockBounds, DOWNLINK, varyingLowerBoundUs } from "../../src/sim/metrics/block-bound.ts";
import { fluidLowerBoundUs } from "../../src/sim/metrics/lower-bound.ts";

const FAST = 1e12; // a downlink that never binds
const KB = 1000; // 1000 bytes = 8000 bits; 8 Mb/s = 8 bits per µs

describe("varyingLowerBoundUs (times in µs from the block start)", () => {
  it("a source whose rate halves mid-block: 4000 bits by 500 µs, 4000 more at 4 bits/µs", () => {
    expect(varyingLowerBoundUs(KB, [0], [8e6], FAST, [500], [0], [4e6])).toBeCloseTo(1500, 9);
  });

  it("a second source that leaves: 1600 bits alone, 3200 together, the last 3200 alone again", () => {
    const constant = fluidLowerBoundUs(KB, [{ rateBps: 8e6, delayUs: 0 }, { rateBps: 8e6, delayUs: 200 }], FAST);
    expect(constant).toBeCloseTo(600, 9); // (8000 + 8·200) / 16
    expect(varyingLowerBoundUs(KB, [0, 200], [8e6, 8e6], FAST, [400], [1], [0])).toBeCloseTo(800, 9);
  });

  it("a source with no capacity at the start that gets some later", () => {
    expect(varyingLowerBoundUs(KB, [100], [0], FAST, [300], [0], [8e6])).toBeCloseTo(1300, 9);
  });

  it("a downlink that halves binds the bound", () => {
    expect(varyingLowerBoundUs(KB, [0], [100e6], 8e6, [500], [DOWNLINK], [4e6])).toBeCloseTo(1500, 9);
  });

  it("changes before a source starts only set the rate it starts with", () => {
    expect(varyingLowerBoundUs(KB, [1000], [1e6], FAST, [10], [0], [8e6])).toBeCloseTo(2000, 9);
  });

  it("is Infinity when the sources lose all capacity for good, 0 for an empty block", () => {
    expect(varyingLowerBoundUs(KB, [0], [8e6], FAST, [100], [0], [0])).toBe(Number.POSITIVE_INFINITY);
    expect(varyingLowerBoundUs(0, [0], [8e6], FAST, [], [], [])).toBe(0);
  });

  it("equals the constant-capacity bound when nothing changes", () => {
    const source = fc.record({ rateBps: fc.double({ min: 1e4, max: 1e9, noNaN: true }), delayUs: fc.integer({ min: 0, max: 500_000 }) });
    fc.assert(
      fc.property(fc.array(source, { minLength: 1, maxLength: 20 }), fc.integer({ min: 1, max: 1e8 }), fc.double({ min: 1e5, max: 1e10, noNaN: true }), (sources, size, downlink) => {
        const constant = fluidLowerBoundUs(size, sources, downlink);
        const varying = varyingLowerBoundUs(size, sources.map((s) => s.delayUs), sources.map((s) => s.rateBps), downlink, [], [], []);
        expect(Math.abs(varying - constant)).toBeLessThanOrEqual(1e-9 * constant + 1e-6);
      }),
    );
  });

  it("never drops when a rate drops", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 1e5, max: 1e8, noNaN: true }), { minLength: 1, maxLength: 8 }), fc.nat({ max: 7 }), fc.integer({ min: 0, max: 100_000 }), fc.double({ min: 0, max: 1, noNaN: true }), (rates, pick, atUs, keep) => {
        const delays = rates.map((_r, i) => i * 1000);
        const i = pick % rates.length;
        const before = varyingLowerBoundUs(100_000, delays, rates, FAST, [], [], []);
        const after = varyingLowerBoundUs(100_000, delays, rates, FAST, [atUs], [i], [rates[i] * keep]);
        expect(after).toBeGreaterThanOrEqual(before * (1 - 1e-12));
      }),
    );
  });
});

describe("BlockBounds", () => {
  it("keeps the start-time value when no source changes before it, and recomputes when one does", () => {
    const bounds = new BlockBounds(KB);
    // Block 0 from t = 1000 µs: one source at 8 Mb/s, T* = 1000 µs as long as nothing changes before 2000.
    expect(bounds.blockStarted(0, 1000, KB, [7], [0], [8e6], FAST)).toBeCloseTo(1000, 9);
    bounds.capacityChanged(1200, 3, 0); // not a source of the block
    bounds.capacityChanged(2500, 7, 1e6); // after the bound: cannot move it
    expect(bounds.blockEnded(0).tStarUs).toBeCloseTo(1000, 9);

    bounds.blockStarted(1, 3000, KB, [7], [0], [8e6], FAST);
    bounds.capacityChanged(3500, 7, 4e6); // half-way through: 4000 bits left at 4 bits/µs
    expect(bounds.blockEnded(1).tStarUs).toBeCloseTo(1500, 9);
  });

  it("counts a node whose connection opens during the block, from one RTT after it opened", () => {
    const bounds = new BlockBounds(KB);
    expect(bounds.blockStarted(0, 0, KB, [1], [0], [8e6], FAST)).toBeCloseTo(1000, 9);
    bounds.sourceOpened(100, 2, 50, 8e6); // a byte can come from node 2 from 150 µs on
    bounds.sourceOpened(120, 1, 0, 8e6); // node 1 again: already a source from the start
    bounds.capacityChanged(300, 2, 0); // node 2 leaves again
    // 0..150: 1200 bits from node 1; 150..300: 16 bits/µs, 3600 bits by then; the last 4400 at 8 bits/µs: 850 µs.
    expect(bounds.blockEnded(0).tStarUs).toBeCloseTo(850, 9);
  });

  it("keeps each open block's own changes when two blocks overlap", () => {
    const bounds = new BlockBounds(KB);
    bounds.blockStarted(0, 0, KB, [1], [0], [8e6], FAST);
    bounds.capacityChanged(100, 1, 8e6); // before block 1 started: only block 0 sees it (no effect on rates)
    bounds.blockStarted(1, 200, KB, [1], [0], [8e6], FAST);
    bounds.capacityChanged(700, 1, 4e6); // 700 µs into block 0, 500 µs into block 1
    expect(bounds.blockEnded(0).tStarUs).toBeCloseTo(1300, 9); // 5600 bits by 700 µs, 2400 more at 4 bits/µs
    expect(bounds.blockEnded(1).tStarUs).toBeCloseTo(1500, 9); // 4000 bits by 500 µs, 4000 more at 4 bits/µs
  });
});

describe("BlockBounds when a block stays open through a huge number of changes", () => {
  it("keeps that block's start-time value instead of failing the run, and is exact again for later blocks", () => {
    const bounds = new BlockBounds(KB);
    bounds.blockStarted(0, 0, KB, [1], [0], [8e6], FAST);
    for (let i = 0; i <= 1 << 20; i++) bounds.capacityChanged(i % 2 === 0 ? 10 : 20, 1, i % 2 === 0 ? 4e6 : 8e6);
    expect(bounds.blockEnded(0).tStarUs).toBeCloseTo(1000, 9); // the start-time value: the changes were not all kept
    bounds.blockStarted(1, 2000, KB, [1], [0], [8e6], FAST);
    bounds.capacityChanged(2500, 1, 4e6);
    expect(bounds.blockEnded(1).tStarUs).toBeCloseTo(1500, 9);
  });
});

describe("T* in whole runs", () => {
  // mobile.yaml: capacity traces; ci/churn-failures.yaml: connections that open mid-block (refills, the origin).
  for (const file of ["scenarios/mobile.yaml", "scenarios/ci/churn-failures.yaml"]) {
    it(`no block is ever faster than its bound (${file}, four strategies, two seeds)`, () => {
      const loaded = loadScenario(file);
      for (const strategy of ["oracle", "rebalance", "static", "endgame"]) {
        for (const seed of [1, 2]) {
          const { result } = runOne(loaded, { strategy, seed });
          expect(result.error).toBeNull();
          for (const b of result.blocks) {
            expect(b.tStarUs, `${strategy} seed ${seed} block ${b.block}`).toBeLessThanOrEqual(b.endUs - b.startUs + 1);
            expect(b.tStarUs).toBeGreaterThan(0);
          }
        }
      }
    });
  }
});
