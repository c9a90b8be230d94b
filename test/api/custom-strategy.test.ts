// An example of what a team writes in its own test suite: run a scenario with a strategy of its own (defined
// right here) and with a built-in one, and assert on the metrics. Uses only the package's public API.
import { describe, expect, it } from "vitest";
import { type ConnectionView, runScenario, type Strategy, type StrategyContext } from "../../src/index.ts";

/** A strategy of our own: everything to the connection with the best estimated rate; idle ones take leftovers. */
class BestSourceOnly implements Strategy {
  readonly name = "best-source-only";
  onBlockStart(ctx: StrategyContext): void {
    const best = [...ctx.connections].sort((a, b) => b.rateBps - a.rateBps)[0];
    if (best !== undefined) ctx.request(best.id, ctx.poolFor(best.id));
  }
  onConnectionIdle(ctx: StrategyContext, conn: ConnectionView): void {
    const mine = ctx.poolFor(conn.id);
    if (mine.length > 0) ctx.request(conn.id, mine);
  }
}

const swarm = {
  name: "api-example",
  content: { size_bytes: 4 * 1048576, block_bytes: 1048576, sub_block_bytes: 65536 },
  agent: { downlink_bps: 100_000_000, max_connections: 4 },
  peers: [{ count: 4, uplink_bps: { dist: "uniform", min: 2_000_000, max: 8_000_000 }, rtt_ms: 30 }],
};

describe("the programmatic API", () => {
  it("runs a custom strategy and a built-in one on the same world", () => {
    const mine = runScenario(swarm, { strategy: () => new BestSourceOnly(), seed: 3 });
    const rebalance = runScenario(swarm, { strategy: "rebalance", seed: 3 });
    expect(mine.error).toBeNull();
    expect(mine.strategy).toBe("best-source-only");
    expect(mine.blocks).toHaveLength(4);
    // Using one source at a time cannot beat spreading over four of them.
    expect(rebalance.metrics.meanBlockS).toBeLessThan(mine.metrics.meanBlockS);
    expect(rebalance.metrics.tStarRatio).toBeGreaterThanOrEqual(1);
  });

  it("reports a strategy that throws as a failed run naming the strategy and the time", () => {
    const broken: Strategy = {
      name: "broken",
      onBlockStart: () => {
        throw new Error("boom");
      },
      onConnectionIdle: () => {},
    };
    const r = runScenario(swarm, { strategy: () => broken, seed: 1 });
    expect(r.error).toMatch(/strategy.*broken.*boom/);
    expect(r.error).toMatch(/t=\d/);
  });
});
