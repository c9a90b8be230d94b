// Named random streams: reproducible per (seed, name), independent of each other, plus the small helpers.

import fc from "fast-check";
import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import { RandomStreams, type Rng, shuffleInPlace, uniformInt } from "../../src/sim/random/streams.ts";

const draws = (rng: Rng, n: number) => Array.from({ length: n }, () => rng.next());

/** An Rng replaying fixed values, to hand-compute what the helpers do. */
const fixed = (values: number[]): Rng => {
  let i = 0;
  return { next: () => values[i++] };
};

describe("RandomStreams", () => {
  it('seeds each stream with alea(seed + "/" + name)', () => {
    const expected = seedrandom.alea("7/peer/17/churn");
    const rng = new RandomStreams(7).stream("peer/17/churn");
    expect(draws(rng, 5)).toEqual([expected(), expected(), expected(), expected(), expected()]);
  });

  it("gives the same sequence for the same (seed, name) in two instances", () => {
    const a = new RandomStreams(42).stream("tracker/list");
    const b = new RandomStreams(42).stream("tracker/list");
    expect(draws(a, 100)).toEqual(draws(b, 100));
  });

  it("gives a different sequence for a different name or seed", () => {
    const base = draws(new RandomStreams(42).stream("peer/1/churn"), 10);
    expect(draws(new RandomStreams(42).stream("peer/2/churn"), 10)).not.toEqual(base);
    expect(draws(new RandomStreams(43).stream("peer/1/churn"), 10)).not.toEqual(base);
  });

  it("returns the same stream object for the same name, continuing where it was", () => {
    const streams = new RandomStreams(1);
    const first = streams.stream("x");
    expect(streams.stream("x")).toBe(first);
    const reference = draws(new RandomStreams(1).stream("x"), 4);
    expect([...draws(first, 2), ...draws(streams.stream("x"), 2)]).toEqual(reference);
  });

  it("is not disturbed by other streams being created and drawn from", () => {
    const alone = draws(new RandomStreams(9).stream("peer/3/failures"), 10);
    const busy = new RandomStreams(9);
    const watched = busy.stream("peer/3/failures");
    const mixed = draws(watched, 5);
    for (let p = 0; p < 20; p++) draws(busy.stream(`peer/${p}/churn`), 3);
    mixed.push(...draws(watched, 5));
    expect(mixed).toEqual(alone);
  });

  it("draws in [0, 1)", () => {
    for (const u of draws(new RandomStreams(5).stream("range"), 10_000)) {
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
    }
  });
});

describe("uniformInt", () => {
  it("maps one draw to floor(u × n)", () => {
    expect(uniformInt(fixed([0]), 5)).toBe(0);
    expect(uniformInt(fixed([0.39]), 5)).toBe(1);
    expect(uniformInt(fixed([0.999999]), 5)).toBe(4);
  });

  it("stays in [0, n) and rejects a bad bound", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (n, u) => {
          const k = uniformInt(fixed([u]), n);
          return Number.isInteger(k) && k >= 0 && k < n;
        },
      ),
    );
    expect(() => uniformInt(fixed([0.5]), 0)).toThrow();
    expect(() => uniformInt(fixed([0.5]), 2.5)).toThrow();
  });
});

describe("shuffleInPlace", () => {
  it("swaps from the end with j = floor(u × (i + 1))", () => {
    // i = 2: j = 0, [a,b,c] → [c,b,a]; i = 1: j = 0, → [b,c,a].
    expect(shuffleInPlace(fixed([0, 0]), ["a", "b", "c"])).toEqual(["b", "c", "a"]);
    // i = 2: j = 2 (no-op); i = 1: j = 1 (no-op).
    expect(shuffleInPlace(fixed([0.9, 0.9]), ["a", "b", "c"])).toEqual(["a", "b", "c"]);
  });

  it("returns a permutation of its input, deterministically per stream", () => {
    fc.assert(
      fc.property(fc.array(fc.integer(), { maxLength: 50 }), fc.nat(), (values, seed) => {
        const once = shuffleInPlace(new RandomStreams(seed).stream("s"), values.slice());
        const again = shuffleInPlace(new RandomStreams(seed).stream("s"), values.slice());
        expect(once).toEqual(again);
        expect(once.slice().sort()).toEqual(values.slice().sort());
      }),
      { numRuns: 50 },
    );
  });

  it("makes every permutation of 3 about equally likely", () => {
    const rng = new RandomStreams(3).stream("shuffle");
    const counts = new Map<string, number>();
    const n = 6000;
    for (let i = 0; i < n; i++) {
      const key = shuffleInPlace(rng, [1, 2, 3]).join("");
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    for (const c of counts.values()) expect(Math.abs(c - n / 6)).toBeLessThan(120); // sd ≈ 29
  });
});
