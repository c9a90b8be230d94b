// The driver as an adapter: the agent is never re-entered from inside a port call (a strategy wrapper counts
// nested hook calls while the real strategy acts: cancels, moves and duplicates go through the ports), the
// whole run is recorded like a simulated one, and the same agent settings as the simulator's are used.

import { afterEach, describe, expect, it } from "vitest";
import { createStrategy } from "../../src/agent/strategies/registry.ts";
import type { ConnectionView, Strategy, StrategyContext } from "../../src/agent/strategy.ts";
import { runOnTestbed } from "../../src/real/testbed-run.ts";
import { bed, type Bed, fastScenario } from "./helpers.ts";

let b: Bed | null = null;
afterEach(async () => {
  await b?.close();
  b = null;
});

/** Wraps a strategy and records the deepest nesting of its hooks and the number of calls. */
function watched(inner: Strategy, seen: { depth: number; maxDepth: number; calls: number }): Strategy {
  const wrap =
    <A extends unknown[]>(f: (...a: A) => void) =>
    (...a: A) => {
      seen.depth++;
      seen.calls++;
      seen.maxDepth = Math.max(seen.maxDepth, seen.depth);
      try {
        f(...a);
      } finally {
        seen.depth--;
      }
    };
  return {
    name: inner.name,
    pipelinesBlocks: inner.pipelinesBlocks,
    onBlockStart: wrap((ctx: StrategyContext) => inner.onBlockStart(ctx)),
    onConnectionIdle: wrap((ctx: StrategyContext, c: ConnectionView) => inner.onConnectionIdle(ctx, c)),
    onSubBlockDone:
      inner.onSubBlockDone === undefined ? undefined : wrap((ctx: StrategyContext, c: ConnectionView) => inner.onSubBlockDone!(ctx, c)),
  };
}

describe("RealDriver", () => {
  it.each(["rebalance", "endgame"])("never re-enters the agent from a port call (%s)", async (strategy) => {
    const loaded = fastScenario({
      servers: [{ count: 4, uplink_bps: { dist: "uniform", min: 5e6, max: 60e6 }, rtt_ms: { dist: "uniform", min: 1, max: 10 } }],
    });
    b = await bed(loaded);
    const seen = { depth: 0, maxDepth: 0, calls: 0 };
    const run = await runOnTestbed(loaded, b.testbed, { strategy, seed: 7, strategyFactory: (n) => watched(createStrategy(n), seen) });
    expect(run.outcome.error).toBeNull();
    expect(run.outcome.status).toBe("done");
    expect(seen.calls).toBeGreaterThan(8);
    expect(seen.maxDepth).toBe(1);
    // Recorded like a simulated run: every block once, in order, made of intact sub-blocks.
    expect(run.result.blocks.map((x) => x.block)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    for (const x of run.result.blocks) expect(x.endUs).toBeGreaterThanOrEqual(x.startUs);
    const ok = new Set(run.result.subBlocks.filter((s) => s.outcome === "ok").map((s) => s.subBlockId));
    expect(ok.size).toBe(64);
    expect(run.result.metrics.fingerprint).toBe("real");
  });
});
