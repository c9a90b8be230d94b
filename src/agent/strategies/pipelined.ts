// `pipelined`: pull with a request queue per connection of depth ⌈rate × RTT / subBlockBytes⌉ + 1 (rate and RTT
// are the connection's estimates; capped at MAX_QUEUE_DEPTH), topped up whenever the connection is idle or a
// sub-block arrives, so the RTT between two sub-blocks is hidden. It relaxes the one-block rule
// (pipelinesBlocks): the next block's sub-blocks are requested while the current block's last ones arrive, so
// block boundaries do not cost an RTT either.

import type { ConnectionView, Strategy, StrategyContext, StrategyEntry } from "../strategy.ts";

export const MAX_QUEUE_DEPTH = 64;

/** Bandwidth-delay queue depth of a connection, in sub-blocks. */
export function queueDepth(conn: ConnectionView, subBlockBytes: number): number {
  const bdpBytes = (conn.rateBps * conn.rttUs) / 8e6;
  return Math.min(MAX_QUEUE_DEPTH, Math.ceil(bdpBytes / subBlockBytes) + 1);
}

export class PipelinedStrategy implements Strategy {
  readonly name: string = "pipelined";
  readonly pipelinesBlocks = true;

  onBlockStart(_ctx: StrategyContext): void {
    // Idle connections are offered right after a block starts; busy ones top up on their next arrival.
  }

  onConnectionIdle(ctx: StrategyContext, conn: ConnectionView): void {
    this.topUp(ctx, conn);
  }

  onSubBlockDone(ctx: StrategyContext, conn: ConnectionView): void {
    this.topUp(ctx, conn);
  }

  protected topUp(ctx: StrategyContext, conn: ConnectionView): void {
    const need = queueDepth(conn, ctx.content.subBlockBytes) - conn.outstandingCount;
    if (need <= 0) return;
    const ids = ctx.poolHead(conn.id, need);
    if (ids.length > 0) ctx.request(conn.id, ids);
  }
}

export const pipelinedEntry: StrategyEntry = {
  name: "pipelined",
  description: "pull with a bandwidth-delay request queue per connection; pipelines blocks",
  create: () => new PipelinedStrategy(),
};
