// The tracker's online set (order statistics over node ids) against a sorted array: membership, size and the
// k-th smallest member under random joins and leaves, across capacity growth.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OnlineSet } from "../../src/sim/world/online-set.ts";

describe("OnlineSet", () => {
  it("select(k) is the k-th smallest member (hand-picked, across a growth)", () => {
    const s = new OnlineSet();
    for (const id of [5, 0, 1023, 1024, 3000, 7]) s.add(id);
    s.delete(7);
    expect(s.size).toBe(5);
    expect([0, 1, 2, 3, 4].map((k) => s.select(k))).toEqual([0, 5, 1023, 1024, 3000]);
    expect([s.has(7), s.has(3000), s.has(-1), s.has(99_999)]).toEqual([false, true, false, false]);
  });

  it("matches a sorted reference under random joins and leaves", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.nat(5000)), { maxLength: 400 }), (ops) => {
        const s = new OnlineSet();
        const ref = new Set<number>();
        for (const [join, id] of ops) {
          if (join) {
            s.add(id);
            ref.add(id);
          } else {
            s.delete(id);
            ref.delete(id);
          }
        }
        const sorted = [...ref].sort((a, b) => a - b);
        expect(s.size).toBe(sorted.length);
        expect(sorted.map((_, k) => s.select(k))).toEqual(sorted);
      }),
      { numRuns: 200 },
    );
  });
});
