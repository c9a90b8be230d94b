// `rebalance` (complete-then-rebalance): starts each block like `index`. When a connection has nothing left
// (it finished its share, or it just connected) and the pool is empty, it looks at the slowest connection
// (lowest estimated rate) among the others that still hold sub-blocks not yet in flight (two or more
// outstanding: the first one may be mid-transfer and always stays), and splits that connection's n outstanding
// sub-blocks between the two in proportion to their rates:
//   [keep, give] = largestRemainder(n, [rate_slow, rate_idle]), keep raised to at least 1,
// the last `give` sub-blocks are cancelled and re-requested on the idle connection (one move) — but only if
// that finishes sooner: max(bytes(kept) / rate_slow, rtt_idle + bytes(given) / rate_idle) < bytes(all n) /
// rate_slow. Example: idle at 4 Mb/s, slowest at 1 Mb/s with 10 outstanding ⇒ 8 move, 2 stay.
// Pool work (returned sub-blocks) goes first, split over the idle connections by index. A pinned connection (the
// origin serving a block at its playback deadline) is never taken from.

import { largestRemainder } from "../split.ts";
import type { ConnectionView, StrategyContext, StrategyEntry } from "../strategy.ts";
import { IndexStrategy } from "./index-split.ts";
import { bytesOf } from "./shares.ts";

export class RebalanceStrategy extends IndexStrategy {
  override readonly name: string = "rebalance";

  override onConnectionIdle(ctx: StrategyContext, conn: ConnectionView): void {
    if (ctx.pool.length > 0) {
      super.onConnectionIdle(ctx, conn);
      if (conn.outstanding.length > 0) return;
    }
    const slow = slowestWithQueuedWork(ctx, conn);
    if (slow === undefined) return;
    const ids = rebalanceShare(ctx, slow, conn);
    if (ids.length > 0) ctx.move(slow.id, conn.id, ids);
  }
}

function slowestWithQueuedWork(ctx: StrategyContext, except: ConnectionView): ConnectionView | undefined {
  let slow: ConnectionView | undefined;
  for (const c of ctx.connections) {
    if (c.id === except.id || c.pinned || c.outstanding.length < 2) continue;
    if (slow === undefined || c.rateBps < slow.rateBps) slow = c;
  }
  return slow;
}

/** The sub-blocks to move from slow to idle under the rule above (empty when moving does not pay). */
export function rebalanceShare(ctx: StrategyContext, slow: ConnectionView, idle: ConnectionView): number[] {
  const all = slow.outstanding;
  const n = all.length;
  const [keepShare] = largestRemainder(n, [slow.rateBps, idle.rateBps]);
  const keep = Math.max(1, keepShare);
  const give = all.slice(keep).filter((id) => ctx.canFetch(idle.id, id));
  if (give.length === 0) return [];
  const kept = all.filter((id) => !give.includes(id));
  const beforeUs = (bytesOf(ctx, all) * 8e6) / slow.rateBps;
  const afterUs = Math.max(
    (bytesOf(ctx, kept) * 8e6) / slow.rateBps,
    idle.rttUs + (bytesOf(ctx, give) * 8e6) / idle.rateBps,
  );
  return afterUs < beforeUs ? give : [];
}

export const rebalanceEntry: StrategyEntry = {
  name: "rebalance",
  description: "index split, then idle connections take a rate-proportional share of the slowest one's queue",
  create: () => new RebalanceStrategy(),
};
