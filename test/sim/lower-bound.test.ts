// The fluid lower bound T*, against values computed by hand.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FluidBound, fluidLowerBoundUs, fluidSplitBytes, type Source } from "../../src/sim/metrics/lower-bound.ts";

/** The bound as first written: filter, sort by (delay, rate descending), water-fill. */
function plainBoundUs(sizeBytes: number, sources: readonly Source[], downlinkBps: number): number {
  const bits = sizeBytes * 8;
  const usable = sources.filter((s) => s.rateBps > 0).sort((x, y) => x.delayUs - y.delayUs || y.rateBps - x.rateBps);
  if (usable.length === 0 || bits === 0) return bits === 0 ? 0 : Number.POSITIVE_INFINITY;
  let rateSum = 0;
  let weighted = 0;
  let tUs = Number.POSITIVE_INFINITY;
  for (let i = 0; i < usable.length; i++) {
    const r = usable[i].rateBps / 1e6;
    rateSum += r;
    weighted += r * usable[i].delayUs;
    tUs = (bits + weighted) / rateSum;
    const next = usable[i + 1];
    if (next === undefined || tUs <= next.delayUs) break;
  }
  return Math.max(tUs, usable[0].delayUs + bits / (downlinkBps / 1e6));
}

describe("fluidLowerBoundUs", () => {
  it("with equal delays is d + B / Σr", () => {
    // 1 MB = 8e6 bits over 2 + 6 Mb/s = 1 s, plus 20 ms.
    expect(fluidLowerBoundUs(1_000_000, [{ rateBps: 2e6, delayUs: 20_000 }, { rateBps: 6e6, delayUs: 20_000 }], 1e9)).toBeCloseTo(1_020_000, 6);
  });

  it("leaves out a source whose delay is later than the bound", () => {
    // Alone, the 8 Mb/s source at 0 delay needs 8e6 / 8 = 1 s < 5 s, so the 5 s source never helps.
    const s = [{ rateBps: 8e6, delayUs: 0 }, { rateBps: 100e6, delayUs: 5_000_000 }];
    expect(fluidLowerBoundUs(1_000_000, s, 1e9)).toBeCloseTo(1_000_000, 6);
    expect(fluidSplitBytes(1_000_000, s, 1e9)[1]).toBe(0);
  });

  it("uses the water-filling formula with different delays", () => {
    // r = 1 and 3 bits/µs, d = 0 and 100 µs, B = 1000 bits = 125 bytes: T = (1000 + 300) / 4 = 325 µs.
    const s = [{ rateBps: 1e6, delayUs: 0 }, { rateBps: 3e6, delayUs: 100 }];
    expect(fluidLowerBoundUs(125, s, 1e12)).toBeCloseTo(325, 9);
    const split = fluidSplitBytes(125, s, 1e12);
    expect(split[0] + split[1]).toBeCloseTo(125, 9); // 325 bits + 675 bits
    expect(split[0] * 8).toBeCloseTo(325, 9);
  });

  it("is bounded by the downlink", () => {
    // Σr = 100 Mb/s but the downlink is 10 Mb/s: 8e6 bits / 10 Mb/s = 0.8 s after the smallest delay.
    expect(fluidLowerBoundUs(1_000_000, [{ rateBps: 50e6, delayUs: 1000 }, { rateBps: 50e6, delayUs: 1000 }], 10e6)).toBeCloseTo(801_000, 6);
  });

  it("is infinite without a usable source", () => {
    expect(fluidLowerBoundUs(10, [{ rateBps: 0, delayUs: 0 }], 1e6)).toBe(Number.POSITIVE_INFINITY);
  });

  it("gives exactly the plain sort-then-fill value, also through a reused FluidBound", () => {
    const source = fc.record({
      rateBps: fc.oneof(fc.constantFrom(0, -1, 1e6, 2e6), fc.double({ min: 0, max: 1e9, noNaN: true })),
      delayUs: fc.oneof(fc.constantFrom(0, 20_000, 50_000), fc.integer({ min: 0, max: 500_000 })),
    });
    const reused = new FluidBound();
    fc.assert(
      fc.property(fc.array(source, { maxLength: 40 }), fc.integer({ min: 0, max: 4_000_000 }), fc.constantFrom(1e6, 1e8, 1e12), (sources, size, downlink) => {
        const expected = plainBoundUs(size, sources, downlink);
        expect(fluidLowerBoundUs(size, sources, downlink)).toBe(expected);
        reused.clear();
        for (const s of sources) reused.add(s.rateBps, s.delayUs);
        expect(reused.lowerBoundUs(size, downlink)).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });
});
