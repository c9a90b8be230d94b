// Capacity processes: trace replay from an offset, wrapping around and tiling time exactly; the Markov
// chain's holding times and starting state.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RandomStreams, type Rng } from "../../src/sim/random/streams.ts";
import { type CapacitySegment, markovProcess, traceProcess } from "../../src/sim/traces/process.ts";
import type { Trace } from "../../src/traces/trace.ts";

const TRACE: Trace = {
  name: "abc",
  segments: [
    { durationUs: 1000, bps: 10 },
    { durationUs: 2000, bps: 20 },
    { durationUs: 500, bps: 30 },
  ],
};

/** An Rng replaying fixed values and counting draws. */
function fixed(values: number[]): Rng & { count: number } {
  const rng = {
    count: 0,
    next: () => values[rng.count++],
  };
  return rng;
}

const take = (process: { next(): CapacitySegment }, n: number) =>
  Array.from({ length: n }, () => process.next());

describe("traceProcess", () => {
  it("without an offset replays from the start, scaled, wrapping around, drawing nothing", () => {
    const rng = fixed([]);
    expect(take(traceProcess(TRACE, rng, false, 2), 5)).toEqual([
      { bps: 20, durationUs: 1000 },
      { bps: 40, durationUs: 2000 },
      { bps: 60, durationUs: 500 },
      { bps: 20, durationUs: 1000 },
      { bps: 40, durationUs: 2000 },
    ]);
    expect(rng.count).toBe(0);
  });

  it("with an offset starts with the rest of the segment the offset falls in (one draw)", () => {
    const rng = fixed([0.5]); // offset = floor(0.5 × 3500) = 1750 µs: 1250 µs left of the 20 bit/s segment
    expect(take(traceProcess(TRACE, rng, true, 1), 4)).toEqual([
      { bps: 20, durationUs: 1250 },
      { bps: 30, durationUs: 500 },
      { bps: 10, durationUs: 1000 },
      { bps: 20, durationUs: 2000 },
    ]);
    expect(rng.count).toBe(1);
  });

  it("handles offsets on a segment boundary and at the very end", () => {
    expect(traceProcess(TRACE, fixed([1000 / 3500]), true, 1).next()).toEqual({ bps: 20, durationUs: 2000 });
    expect(take(traceProcess(TRACE, fixed([0.99999999]), true, 1), 2)).toEqual([
      { bps: 30, durationUs: 1 },
      { bps: 10, durationUs: 1000 },
    ]);
  });

  it("tiles time exactly: the bandwidth at t is the trace's at (offset + t) mod duration", () => {
    const segment = fc.record({
      durationUs: fc.integer({ min: 1, max: 5000 }),
      bps: fc.integer({ min: 0, max: 1e9 }),
    });
    fc.assert(
      fc.property(
        fc.array(segment, { minLength: 1, maxLength: 20 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (segments, u) => {
          const trace: Trace = { name: "p", segments };
          const totalUs = segments.reduce((s, x) => s + x.durationUs, 0);
          const offsetUs = Math.floor(u * totalUs);
          const traceBpsAt = (t: number) => {
            let start = 0;
            for (const s of segments) {
              if (t < start + s.durationUs) return s.bps;
              start += s.durationUs;
            }
            throw new Error("past the end");
          };
          const process = traceProcess(trace, fixed([u]), true, 1);
          let t = 0;
          for (let i = 0; i < 3 * segments.length + 1; i++) {
            const { bps, durationUs } = process.next();
            expect(Number.isInteger(durationUs) && durationUs >= 1).toBe(true);
            expect(bps).toBe(traceBpsAt((offsetUs + t) % totalUs));
            expect(bps).toBe(traceBpsAt((offsetUs + t + durationUs - 1) % totalUs));
            t += durationUs;
          }
          // 3 full cycles plus the partial first segment: the ends line up with the trace's boundaries.
          const boundary = (offsetUs + t) % totalUs;
          let start = 0;
          const boundaries = [0, ...segments.map((s) => (start += s.durationUs) % totalUs)];
          expect(boundaries).toContain(boundary);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("rejects a trace it cannot replay", () => {
    expect(() => traceProcess({ name: "e", segments: [] }, fixed([0]), true, 1)).toThrow(/no segments/);
    expect(() =>
      traceProcess({ name: "z", segments: [{ durationUs: 0, bps: 1 }] }, fixed([0]), true, 1),
    ).toThrow();
    expect(() => traceProcess(TRACE, fixed([0]), true, 0)).toThrow(/scale/);
  });
});

describe("markovProcess", () => {
  const spec = { goodBps: 8e6, badBps: 5e5, meanGoodS: 3, meanBadS: 1 };

  it("alternates states with exponential holding times of the given means", () => {
    const process = markovProcess(spec, new RandomStreams(1).stream("markov"));
    const segments = take(process, 20_000);
    const good = segments.filter((s) => s.bps === spec.goodBps).map((s) => s.durationUs);
    const bad = segments.filter((s) => s.bps === spec.badBps).map((s) => s.durationUs);
    expect(good.length).toBe(10_000);
    expect(bad.length).toBe(10_000);
    expect(segments.every((s, i) => i === 0 || s.bps !== segments[i - 1].bps)).toBe(true);
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    // Standard error of the mean of 10k exponentials: 1% of the mean; allow 4%.
    expect(Math.abs(mean(good) / 3e6 - 1)).toBeLessThan(0.04);
    expect(Math.abs(mean(bad) / 1e6 - 1)).toBeLessThan(0.04);
    expect(segments.every((s) => Number.isInteger(s.durationUs) && s.durationUs >= 1)).toBe(true);
  });

  it("starts in the good state with probability meanGood / (meanGood + meanBad)", () => {
    const streams = new RandomStreams(2);
    const n = 4000;
    let goodStarts = 0;
    for (let i = 0; i < n; i++) {
      if (markovProcess(spec, streams.stream(`start/${i}`)).next().bps === spec.goodBps) goodStarts++;
    }
    expect(Math.abs(goodStarts / n - 0.75)).toBeLessThan(0.03); // standard error ≈ 0.007
  });

  it("starts good below the threshold and bad above it (hand-picked draws)", () => {
    expect(markovProcess(spec, fixed([0.74, 0.5])).next().bps).toBe(spec.goodBps);
    const bad = markovProcess(spec, fixed([0.76, 1 - Math.exp(-1)])).next();
    expect(bad.bps).toBe(spec.badBps);
    expect(bad.durationUs).toBe(1_000_000); // -ln(1 - u) = 1 → one mean
  });

  it("never yields a duration below 1 µs", () => {
    const tiny = { goodBps: 1, badBps: 0, meanGoodS: 1e-9, meanBadS: 1e-9 };
    for (const s of take(markovProcess(tiny, new RandomStreams(3).stream("tiny")), 100)) {
      expect(s.durationUs).toBe(1);
    }
  });
});
