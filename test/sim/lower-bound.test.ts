// The fluid lower bound T*, against values computed by hand.
import { describe, expect, it } from "vitest";
import { fluidLowerBoundUs, fluidSplitBytes } from "../../src/sim/metrics/lower-bound.ts";

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
});
