// Edit distance and did-you-mean suggestions: hand-computed distances, and properties of the distance.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { didYouMean, levenshtein } from "../../src/scenario/did-you-mean.ts";

describe("levenshtein", () => {
  it("counts insertions, deletions, substitutions and neighbour swaps as one edit each", () => {
    expect(levenshtein("kitten", "sitting")).toBe(3); // k→s, e→i, +g
    expect(levenshtein("max_conections", "max_connections")).toBe(1);
    expect(levenshtein("tpc", "tcp")).toBe(1); // swap
    expect(levenshtein("", "abc")).toBe(3);
    expect(levenshtein("abc", "abc")).toBe(0);
  });

  it("is symmetric, zero only on equal strings, and bounded by the longer length", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), (a, b) => {
        const d = levenshtein(a, b);
        expect(levenshtein(b, a)).toBe(d);
        expect(d === 0).toBe(a === b);
        expect(d).toBeLessThanOrEqual(Math.max(a.length, b.length));
        expect(d).toBeGreaterThanOrEqual(Math.abs(a.length - b.length));
      }),
    );
  });
});

describe("didYouMean", () => {
  const keys = ["content", "agent", "network", "tracker", "origin", "servers", "peers"];

  it("suggests the closest key when it is a plausible typo", () => {
    expect(didYouMean("contnt", keys)).toBe("content");
    expect(didYouMean("peer", keys)).toBe("peers");
    expect(didYouMean("Agent", keys)).toBe("agent");
  });

  it("suggests nothing for unrelated words", () => {
    expect(didYouMean("bitrate", keys)).toBeUndefined();
    expect(didYouMean("x", ["content"])).toBeUndefined();
  });

  it("knows common synonyms of distribution names", () => {
    expect(didYouMean("gauss", ["constant", "uniform", "normal"])).toBe("normal");
    expect(didYouMean("gauss", ["constant", "uniform"])).toBeUndefined();
  });
});

describe("didYouMean on hostile words", () => {
  it("answers at once for a huge word and never reads Object.prototype as a synonym", () => {
    expect(didYouMean("k".repeat(1_000_000), ["max_connections", "content"])).toBeUndefined();
    expect(didYouMean("__proto__", ["normal", "pareto"])).toBeUndefined();
    expect(didYouMean("constructor", ["normal", "pareto"])).toBeUndefined();
    expect(didYouMean("Gauss", ["constant", "normal"])).toBe("normal");
    expect(didYouMean("max_conections", ["max_connections", "connect_timeout_ms"])).toBe("max_connections");
  });
});
