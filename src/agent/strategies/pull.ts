// `pull` (dynamic parallel access): a connection with nothing outstanding takes the next unassigned sub-block
// (lowest id it may fetch). No splits, no moves; one sub-block in flight per connection.

import type { ConnectionView, Strategy, StrategyContext, StrategyEntry } from "../strategy.ts";

export class PullStrategy implements Strategy {
  readonly name: string = "pull";

  onBlockStart(_ctx: StrategyContext): void {
    // Idle connections are offered right after a block starts; they pull from there.
  }

  onConnectionIdle(ctx: StrategyContext, conn: ConnectionView): void {
    const next = ctx.poolHead(conn.id, 1)[0];
    if (next !== undefined) ctx.request(conn.id, [next]);
  }
}

export const pullEntry: StrategyEntry = {
  name: "pull",
  description: "dynamic parallel access: a connection that finishes a sub-block takes the next one",
  create: () => new PullStrategy(),
};
