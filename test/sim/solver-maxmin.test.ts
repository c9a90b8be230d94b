// The star max-min solver alone: hand-computed allocations, caps, and a max-min optimality property.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MaxMinScratch, solveMaxMin } from "../../src/sim/network/maxmin.ts";
import { referenceMaxMin } from "./maxmin-reference.ts";

interface Solved {
  rates: number[];
  levels: number[];
  theta: number;
}

/** flows: [node, cap] pairs; caps Infinity for none. */
function solve(flows: Array<[number, number]>, nodeCaps: number[], downlink: number): Solved {
  const n = flows.length;
  const flowNode = Int32Array.from(flows.map((f) => f[0]));
  const flowCap = Float64Array.from(flows.map((f) => f[1]));
  const rate = new Float64Array(n);
  const level = new Float64Array(nodeCaps.length);
  const theta = solveMaxMin(
    n,
    flowNode,
    flowCap,
    nodeCaps.length,
    Float64Array.from(nodeCaps),
    downlink,
    rate,
    level,
    new MaxMinScratch(),
  );
  return { rates: [...rate], levels: [...level], theta };
}

const M = 1e6;

describe("solveMaxMin", () => {
  it("shares a 10 Mb/s downlink among 2, 5, 10 and 20 Mb/s peers as 2, 8/3, 8/3, 8/3", () => {
    // θ: 2 + 3θ = 10 → θ = 8/3; the 2 Mb/s peer is held by its own uplink.
    const s = solve(
      [
        [0, Infinity],
        [1, Infinity],
        [2, Infinity],
        [3, Infinity],
      ],
      [2 * M, 5 * M, 10 * M, 20 * M],
      10 * M,
    );
    expect(s.rates[0]).toBeCloseTo(2 * M, 3);
    for (const r of s.rates.slice(1)) expect(r).toBeCloseTo((8 / 3) * M, 3);
    expect(s.theta).toBeCloseTo((8 / 3) * M, 3);
    expect(s.levels[0]).toBeCloseTo(2 * M, 3); // node 0's own level λ = 2 < θ
  });

  it("lets two flows of one node share its uplink, and the downlink take the rest", () => {
    // Node 0 (10 Mb/s) has two flows, node 1 (100 Mb/s) one, downlink 30 Mb/s: node 0 saturates at 5 + 5,
    // node 1 takes the remaining 20.
    const s = solve(
      [
        [0, Infinity],
        [0, Infinity],
        [1, Infinity],
      ],
      [10 * M, 100 * M],
      30 * M,
    );
    expect(s.rates[0]).toBeCloseTo(5 * M, 3);
    expect(s.rates[1]).toBeCloseTo(5 * M, 3);
    expect(s.rates[2]).toBeCloseTo(20 * M, 3);
  });

  it("leaves everything to the uplinks when the downlink is unlimited", () => {
    const s = solve(
      [
        [0, Infinity],
        [0, Infinity],
        [0, Infinity],
        [1, Infinity],
      ],
      [3 * M, 7 * M],
      Infinity,
    );
    expect(s.rates).toEqual([M, M, M, 7 * M]);
    expect(s.theta).toBe(Infinity);
  });

  it("honours per-flow caps and gives the slack to the others", () => {
    // One 20 Mb/s node, downlink 10 Mb/s, caps 1, 3, none: 1 + 3 + θ = 10 → the uncapped flow gets 6.
    const a = solve(
      [
        [0, 1 * M],
        [0, 3 * M],
        [0, Infinity],
      ],
      [20 * M],
      10 * M,
    );
    expect(a.rates[0]).toBe(1 * M);
    expect(a.rates[1]).toBe(3 * M);
    expect(a.rates[2]).toBeCloseTo(6 * M, 3);
    // Node-limited: 9 Mb/s node, caps 1, 5, 5: λ with 1 + 2λ = 9 → 4, 4.
    const b = solve(
      [
        [0, 1 * M],
        [0, 5 * M],
        [0, 5 * M],
      ],
      [9 * M],
      100 * M,
    );
    expect(b.rates[0]).toBe(1 * M);
    expect(b.rates[1]).toBeCloseTo(4 * M, 3);
    expect(b.rates[2]).toBeCloseTo(4 * M, 3);
    // All caps below every level: each flow gets its cap, and its level stays above it.
    const c = solve(
      [
        [0, 1 * M],
        [1, 2 * M],
      ],
      [10 * M, 10 * M],
      100 * M,
    );
    expect(c.rates).toEqual([1 * M, 2 * M]);
    expect(c.levels).toEqual([Infinity, Infinity]);
  });

  it("gives nothing through a node or a downlink of capacity 0", () => {
    const s = solve(
      [
        [0, Infinity],
        [1, Infinity],
      ],
      [0, 5 * M],
      10 * M,
    );
    expect(s.rates).toEqual([0, 5 * M]);
    const d = solve([[0, Infinity]], [5 * M], 0);
    expect(d.rates).toEqual([0]);
  });

  it("is max-min optimal on random stars: no link over capacity, every flow bottlenecked", () => {
    const capArb = fc.oneof(fc.constant(Infinity), fc.double({ min: 0, max: 50, noNaN: true }));
    const arb = fc
      .record({
        nodeCaps: fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0, max: 100, noNaN: true })), {
          minLength: 1,
          maxLength: 8,
        }),
        downlink: fc.oneof(fc.constant(Infinity), fc.double({ min: 0, max: 200, noNaN: true })),
        flows: fc.array(fc.tuple(fc.nat(), capArb), { maxLength: 30 }),
      })
      .map((x) => ({
        ...x,
        flows: x.flows.map(([n, c]) => [n % x.nodeCaps.length, c] as [number, number]),
      }));
    fc.assert(
      fc.property(arb, ({ nodeCaps, downlink, flows }) => {
        const { rates } = solve(flows, nodeCaps, downlink);
        const tol = (x: number) => 1e-9 * Math.max(1, x);
        const nodeSum = nodeCaps.map(() => 0);
        const nodeMax = nodeCaps.map(() => 0);
        let total = 0;
        let maxAll = 0;
        flows.forEach(([n, c], f) => {
          const r = rates[f];
          expect(r).toBeGreaterThanOrEqual(0);
          expect(r).toBeLessThanOrEqual(c + tol(c));
          nodeSum[n] += r;
          nodeMax[n] = Math.max(nodeMax[n], r);
          total += r;
          maxAll = Math.max(maxAll, r);
        });
        expect(total).toBeLessThanOrEqual(downlink + tol(downlink));
        nodeCaps.forEach((u, n) => {
          expect(nodeSum[n]).toBeLessThanOrEqual(u + tol(u));
        });
        const downSaturated = total >= downlink - tol(downlink) * 1e3;
        flows.forEach(([n, c], f) => {
          const r = rates[f];
          const atCap = r >= c - tol(c) * 1e3;
          const nodeBottleneck =
            nodeSum[n] >= nodeCaps[n] - tol(nodeCaps[n]) * 1e3 && r >= nodeMax[n] - tol(r) * 1e3;
          const downBottleneck = downSaturated && r >= maxAll - tol(r) * 1e3;
          expect(atCap || nodeBottleneck || downBottleneck).toBe(true);
        });
      }),
      { numRuns: 500 },
    );
  });

  it("gives the rates of an independent progressive filling on random stars", () => {
    const capArb = fc.oneof(fc.constant(Infinity), fc.double({ min: 0, max: 50, noNaN: true }));
    const arb = fc
      .record({
        nodeCaps: fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: 1, maxLength: 8 }),
        downlink: fc.oneof(fc.constant(Infinity), fc.double({ min: 0, max: 200, noNaN: true })),
        flows: fc.array(fc.tuple(fc.nat(), capArb), { maxLength: 30 }),
      })
      .map((x) => ({ ...x, flows: x.flows.map(([n, c]) => [n % x.nodeCaps.length, c] as [number, number]) }));
    fc.assert(
      fc.property(arb, ({ nodeCaps, downlink, flows }) => {
        const { rates } = solve(flows, nodeCaps, downlink);
        // Links: the nodes' uplinks, then the downlink.
        const ref = referenceMaxMin(
          flows.map(([n, c]) => ({ links: [n, nodeCaps.length], cap: c })),
          [...nodeCaps, downlink],
        );
        rates.forEach((r, f) => {
          if (!(Math.abs(r - ref[f]) <= 1e-7 * Math.max(1, ref[f]))) throw new Error(`flow ${f}: ${r}, reference ${ref[f]}`);
        });
      }),
      { numRuns: 500 },
    );
  });
});
