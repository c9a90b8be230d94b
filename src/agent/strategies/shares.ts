// Helpers shared by the split-based strategies: divide the pool among connections by weight, in consecutive
// runs, each run sent as one request. Sub-blocks a connection may not fetch stay in the pool.

import type { SubBlockId } from "../ports.ts";
import { largestRemainder, runs } from "../split.ts";
import type { ConnectionView, Strategy, StrategyContext } from "../strategy.ts";

/** Called after each request a split makes (strategies that keep a timeline note it there). */
export type OnRequest = (conn: ConnectionView, ids: readonly SubBlockId[]) => void;

export function splitPool(
  ctx: StrategyContext,
  conns: readonly ConnectionView[],
  weights: readonly number[],
  onRequest?: OnRequest,
): void {
  if (conns.length === 0 || ctx.pool.length === 0) return;
  const ids = [...ctx.pool];
  const parts = runs(ids, largestRemainder(ids.length, weights));
  conns.forEach((conn, i) => {
    const mine = parts[i].filter((id) => ctx.canFetch(conn.id, id));
    if (mine.length === 0) return;
    ctx.request(conn.id, mine);
    onRequest?.(conn, mine);
  });
}

/** Ready connections with nothing outstanding. */
export function idleConnections(ctx: StrategyContext): ConnectionView[] {
  return ctx.connections.filter((c) => c.outstandingCount === 0);
}

/** Bytes of the given sub-blocks. */
export function bytesOf(ctx: StrategyContext, ids: readonly number[]): number {
  let sum = 0;
  for (const id of ids) sum += ctx.content.subBlockSize(id);
  return sum;
}

/**
 * The design's split at block start: a block's sub-blocks go to the ready connections in proportion to
 * weight(ctx, connection), each share in one request; sub-blocks returned to the pool go to the idle
 * connections the same way. `static` weighs every connection 1, `index` by its valuation index.
 */
export abstract class WeightedSplit implements Strategy {
  abstract readonly name: string;
  protected abstract weight(ctx: StrategyContext, conn: ConnectionView): number;

  /** Called after every request the split makes. */
  protected requested(_ctx: StrategyContext, _conn: ConnectionView, _ids: readonly SubBlockId[]): void {}

  onBlockStart(ctx: StrategyContext): void {
    this.split(ctx, ctx.connections);
  }

  onConnectionIdle(ctx: StrategyContext, _conn: ConnectionView): void {
    if (ctx.pool.length === 0) return; // nothing came back to split (the usual case)
    this.split(ctx, idleConnections(ctx));
  }

  protected split(ctx: StrategyContext, conns: readonly ConnectionView[]): void {
    splitPool(
      ctx,
      conns,
      conns.map((c) => this.weight(ctx, c)),
      (conn, ids) => this.requested(ctx, conn, ids),
    );
  }
}
