// `static`: each block's sub-blocks are split evenly over the ready connections, each share in one request
// (largest-remainder rounding: the first connections get one more when it does not divide). Sub-blocks that
// come back to the pool (failed connection, corrupt copy) are split evenly over the idle connections. Nothing
// else ever moves.

import type { ConnectionView, Strategy, StrategyContext, StrategyEntry } from "../strategy.ts";
import { idleConnections, splitPool } from "./shares.ts";

export class StaticStrategy implements Strategy {
  readonly name = "static";

  onBlockStart(ctx: StrategyContext): void {
    splitPool(
      ctx,
      ctx.connections,
      ctx.connections.map(() => 1),
    );
  }

  onConnectionIdle(ctx: StrategyContext, _conn: ConnectionView): void {
    if (ctx.pool.length === 0) return; // nothing came back to split (the usual case)
    const idle = idleConnections(ctx);
    splitPool(
      ctx,
      idle,
      idle.map(() => 1),
    );
  }
}

export const staticEntry: StrategyEntry = {
  name: "static",
  description: "even split of each block over the ready connections; returned sub-blocks go to idle ones",
  create: () => new StaticStrategy(),
};
