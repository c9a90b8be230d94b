// `index`: each block's sub-blocks are split over the ready connections in proportion to the connection-state
// valuation index V_i = speedWeight × (rate_i / max_j rate_j) + rttWeight × (min_j rtt_j / rtt_i)
// (valuation-index.ts; estimates, tracker priors before any measurement), largest-remainder rounding so the
// counts sum exactly. Returned sub-blocks are split the same way over the idle connections.

import type { ConnectionView, Strategy, StrategyContext, StrategyEntry } from "../strategy.ts";
import { idleConnections, splitPool } from "./shares.ts";

export class IndexStrategy implements Strategy {
  readonly name: string = "index";

  onBlockStart(ctx: StrategyContext): void {
    splitPool(
      ctx,
      ctx.connections,
      ctx.connections.map((c) => c.index),
    );
  }

  onConnectionIdle(ctx: StrategyContext, _conn: ConnectionView): void {
    if (ctx.pool.length === 0) return; // nothing came back to split (the usual case)
    const idle = idleConnections(ctx);
    splitPool(
      ctx,
      idle,
      idle.map((c) => c.index),
    );
  }
}

export const indexEntry: StrategyEntry = {
  name: "index",
  description: "split each block in proportion to the valuation index (speed and RTT)",
  create: () => new IndexStrategy(),
};
