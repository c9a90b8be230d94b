// Helpers shared by the split-based strategies: divide the pool among connections by weight, in consecutive
// runs, each run sent as one request. Sub-blocks a connection may not fetch stay in the pool.

import { largestRemainder, runs } from "../split.ts";
import type { ConnectionView, StrategyContext } from "../strategy.ts";

export function splitPool(
  ctx: StrategyContext,
  conns: readonly ConnectionView[],
  weights: readonly number[],
): void {
  if (conns.length === 0 || ctx.pool.length === 0) return;
  const ids = [...ctx.pool];
  const parts = runs(ids, largestRemainder(ids.length, weights));
  conns.forEach((conn, i) => {
    const mine = parts[i].filter((id) => ctx.canFetch(conn.id, id));
    if (mine.length > 0) ctx.request(conn.id, mine);
  });
}

/** Ready connections with nothing outstanding. */
export function idleConnections(ctx: StrategyContext): ConnectionView[] {
  return ctx.connections.filter((c) => c.outstanding.length === 0);
}

/** Bytes of the given sub-blocks. */
export function bytesOf(ctx: StrategyContext, ids: readonly number[]): number {
  let sum = 0;
  for (const id of ids) sum += ctx.content.subBlockSize(id);
  return sum;
}
