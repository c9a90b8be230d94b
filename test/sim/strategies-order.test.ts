// On a heterogeneous scenario without churn (fluid model), the strategies rank as the design predicts:
// oracle ≤ rebalance ≤ index ≤ static for mean block time, and the oracle finishes each block within one
// sub-block transfer time of the fluid lower bound T*.
import { describe, expect, it } from "vitest";
import { runOne } from "../../src/harness/run.ts";
import { loadScenario } from "../../src/scenario/load.ts";

const loaded = loadScenario("test/fixtures/ordering.yaml");
const meanBlock = (strategy: string) => {
  let sum = 0;
  for (let seed = 1; seed <= 3; seed++) {
    const { result } = runOne(loaded, { strategy, seed });
    expect(result.error).toBeNull();
    sum += result.metrics.meanBlockS;
  }
  return sum / 3;
};

describe("strategy ordering on a heterogeneous scenario", () => {
  it("oracle ≤ rebalance ≤ index ≤ static for mean block time", () => {
    const m = Object.fromEntries(["oracle", "rebalance", "index", "static"].map((s) => [s, meanBlock(s)]));
    expect(m.oracle).toBeLessThanOrEqual(m.rebalance);
    expect(m.rebalance).toBeLessThanOrEqual(m.index);
    expect(m.index).toBeLessThanOrEqual(m.static);
  });

  it("the oracle finishes each block within one sub-block transfer time of T*", () => {
    const { result } = runOne(loaded, { strategy: "oracle", seed: 1 });
    const s = loaded.scenario;
    // One sub-block at the slowest rate the oracle actually used for the block.
    for (const b of result.blocks) {
      const used = result.subBlocks.filter((r) => r.block === b.block && r.outcome === "ok");
      const slowestBps = Math.min(
        ...used.map((r) => (r.bytes * 8 * 1e6) / Math.max(1, r.endUs - r.firstByteUs)),
      );
      const oneSubBlockUs = (s.content.sub_block_bytes * 8 * 1e6) / slowestBps;
      expect(b.endUs - b.startUs, `block ${b.block}`).toBeLessThanOrEqual(b.tStarUs + oneSubBlockUs + 1);
      expect(b.endUs - b.startUs, `block ${b.block}`).toBeGreaterThanOrEqual(b.tStarUs - 1);
    }
  });
});
