// The agent's small pure modules: content arithmetic, largest-remainder rounding, the valuation index,
// water-filling, the queue depth, and the strategy registry.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createStrategy, STRATEGIES } from "../../src/agent/agent.ts";
import { Content } from "../../src/agent/content.ts";
import { ConnectionEstimate, priorFromNodeInfo } from "../../src/agent/estimator.ts";
import { waterFill } from "../../src/agent/strategies/oracle.ts";
import { queueDepth } from "../../src/agent/strategies/pipelined.ts";
import { largestRemainder } from "../../src/agent/split.ts";
import { valuationIndexes } from "../../src/agent/valuation-index.ts";
import { nodeInfo } from "./fakes.ts";

describe("Content", () => {
  it("handles a short last block and short last sub-blocks", () => {
    // 2 500 000 bytes in 1 MB blocks of 300 kB sub-blocks: 4 sub-blocks per block (3 × 300 kB + 100 kB),
    // last block 500 kB = 300 kB + 200 kB, ids 8 and 9.
    const c = new Content({ sizeBytes: 2_500_000, blockBytes: 1_000_000, subBlockBytes: 300_000 });
    expect([c.blockCount, c.subBlocksPerBlock]).toEqual([3, 4]);
    expect([c.blockSize(2), c.subBlocksIn(2)]).toEqual([500_000, 2]);
    expect(c.subBlockIds(2)).toEqual([8, 9]);
    expect([c.subBlockSize(3), c.subBlockSize(8), c.subBlockSize(9)]).toEqual([100_000, 300_000, 200_000]);
    expect([c.blockOf(7), c.blockOf(8)]).toEqual([1, 2]);
    expect([c.isValid(9), c.isValid(10), c.isValid(-1)]).toEqual([true, false, false]);
    expect(() => c.subBlockSize(10)).toThrow(/does not exist/);
  });

  it("sub-block sizes of a block add up to the block, and blocks to the content", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e7 }),
        fc.integer({ min: 1, max: 1e6 }),
        fc.integer({ min: 1, max: 1e5 }),
        (size, block, sub) => {
          const c = new Content({ sizeBytes: size, blockBytes: block, subBlockBytes: sub });
          let total = 0;
          for (const b of [0, c.blockCount - 1]) {
            const sum = c.subBlockIds(b).reduce((a, id) => a + c.subBlockSize(id), 0);
            expect(sum).toBe(c.blockSize(b));
          }
          for (let b = 0; b < c.blockCount; b++) total += c.blockSize(b);
          expect(total).toBe(size);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("largestRemainder", () => {
  it("rounds by largest remainder, ties to the earlier entry", () => {
    expect(largestRemainder(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(largestRemainder(10, [1, 4])).toEqual([2, 8]);
    expect(largestRemainder(10, [1, 0.3666666])).toEqual([7, 3]);
    expect(largestRemainder(5, [0, 0])).toEqual([3, 2]);
  });

  it("always sums to the total and stays within one of the exact share", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 500 }),
        fc.array(fc.double({ min: 0.001, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 12 }),
        (total, w) => {
          const counts = largestRemainder(total, w);
          expect(counts.reduce((a, b) => a + b, 0)).toBe(total);
          const sum = w.reduce((a, b) => a + b, 0);
          counts.forEach((c, i) => {
            expect(Math.abs(c - (total * w[i]) / sum)).toBeLessThan(1 + 1e-9);
          });
        },
      ),
    );
  });
});

describe("valuation index and estimates", () => {
  it("V_i = 0.8 × rate/max + 0.2 × minRtt/rtt", () => {
    const v = valuationIndexes(
      [
        { rateBps: 3e6, rttUs: 50_000 },
        { rateBps: 1e6, rttUs: 100_000 },
      ],
      { speedWeight: 0.8, rttWeight: 0.2 },
    );
    expect(v[0]).toBeCloseTo(1.0, 12);
    expect(v[1]).toBeCloseTo(0.8 / 3 + 0.1, 12);
  });

  it("prior = advertised × (1 − load) / (1 + users); the first sample replaces it, later ones are EWMA", () => {
    expect(priorFromNodeInfo({ ...nodeInfo(1, 10e6, 40, "server"), load: 0.5, connectedUsers: 4 })).toEqual({
      rateBps: 1e6,
      rttUs: 40_000,
    });
    const e = new ConnectionEstimate({ rateBps: 1e6, rttUs: 40_000 }, 0.25);
    expect(e.measured).toBe(false);
    e.addTransferSample(100_000, 200_000); // 4 Mb/s
    expect([e.rateBps, e.measured]).toEqual([4e6, true]);
    e.addTransferSample(100_000, 100_000); // 8 Mb/s ⇒ 0.25 × 8 + 0.75 × 4 = 5 Mb/s
    expect(e.rateBps).toBe(5e6);
    e.addRttSample(20_000);
    e.addRttSample(60_000); // 0.25 × 60 + 0.75 × 20 = 30 ms
    expect(e.rttUs).toBe(30_000);
  });
});

describe("strategy helpers", () => {
  it("water-filling matches the hand computation (8/4/2 Mb/s, 0.1/0.4/2 s, 1 MB)", () => {
    const { tStar, shares } = waterFill(1e6, [
      { rateBytesPerS: 1e6, delayS: 0.1 },
      { rateBytesPerS: 5e5, delayS: 0.4 },
      { rateBytesPerS: 2.5e5, delayS: 2 },
    ]);
    expect(tStar).toBeCloseTo(1.3 / 1.5, 12);
    expect(shares[0]).toBeCloseTo(1e6 * (1.3 / 1.5 - 0.1), 6);
    expect(shares[1]).toBeCloseTo(5e5 * (1.3 / 1.5 - 0.4), 6);
    expect(shares[2]).toBe(0);
  });

  it("equal RTTs: T* = d + B / Σr", () => {
    const { tStar } = waterFill(3e6, [
      { rateBytesPerS: 1e6, delayS: 0.05 },
      { rateBytesPerS: 2e6, delayS: 0.05 },
    ]);
    expect(tStar).toBeCloseTo(1.05, 12);
  });

  it("queue depth = ⌈rate × RTT / sub-block⌉ + 1", () => {
    // 8 Mb/s × 100 ms = 100 kB = 1.53 sub-blocks of 65 536 bytes ⇒ 2 + 1.
    const view = {
      id: 0,
      nodeId: 0,
      kind: "peer",
      rateBps: 8e6,
      rttUs: 100_000,
      measured: true,
      index: 1,
      outstanding: [],
      outstandingCount: 0,
      outstandingAt: () => -1,
      queueVersion: 0,
      pinned: false,
    } as const;
    expect(queueDepth(view, 65_536)).toBe(3);
  });

  it("the registry creates every strategy by name and lists the valid names for an unknown one", () => {
    const env = { oracle: { trueUplinkBps: () => 1, trueRttUs: () => 1, downlinkBps: () => 1 } };
    for (const e of STRATEGIES) expect(createStrategy(e.name, env).name).toBe(e.name);
    expect(STRATEGIES.map((e) => e.name)).toEqual([
      "static",
      "index",
      "rebalance",
      "oracle",
      "pull",
      "pipelined",
      "endgame",
      "eft",
      "ecf",
    ]);
    expect(() => createStrategy("nope")).toThrow(/unknown strategy "nope".*static, index, rebalance/);
    const pipelining = STRATEGIES.filter((e) => e.create(env).pipelinesBlocks === true).map((e) => e.name);
    expect(pipelining).toEqual(["pipelined", "endgame", "ecf"]);
  });
});
