// `index`: each block's sub-blocks are split over the ready connections in proportion to the connection-state
// valuation index V_i = speedWeight × (speed_i / max_j speed_j) + rttWeight × (min_j rtt_j / rtt_i)
// (valuation-index.ts, over the ready connections), largest-remainder rounding so the counts sum exactly.
// Returned sub-blocks are split the same way over the idle connections.
//
// The "average download speed" is the node's speed as node-speed.ts measures it: rate samples of the
// sub-blocks the node sent, except that a sample taken while the client's downlink was saturated (another
// connection measured the same max-min level at the same time) only raises it, so a fast node that had to
// share a crowded downlink is not ranked as a slow one; the tracker's prior until the first sample. RTTs are
// the agent's estimates. At coarse granularity (about one sub-block per connection) the rounding decides and
// index and static give the same split.

import type { ConnId, SubBlockId } from "../ports.ts";
import type { ConnectionView, StrategyContext, StrategyEntry } from "../strategy.ts";
import { valuationIndexes } from "../valuation-index.ts";
import { NodeSpeeds } from "./node-speed.ts";
import { WeightedSplit } from "./shares.ts";
import { Timeline } from "./timeline.ts";

export class IndexStrategy extends WeightedSplit {
  readonly name: string = "index";
  protected readonly timeline = new Timeline();
  protected readonly speeds = new NodeSpeeds();
  /** The indexes of the ready connections for one context (a context lives for one hook call). */
  private indexesFor: StrategyContext | null = null;
  private readonly indexes = new Map<ConnId, number>();

  override onBlockStart(ctx: StrategyContext): void {
    this.timeline.retain(ctx);
    this.speeds.retain(ctx);
    super.onBlockStart(ctx);
  }

  onSubBlockDone(ctx: StrategyContext, conn: ConnectionView): void {
    const sample = this.timeline.arrived(ctx, conn);
    if (sample !== null) this.speeds.sample(ctx, conn, sample.bps, sample.startUs);
  }

  protected weight(ctx: StrategyContext, conn: ConnectionView): number {
    if (this.indexesFor !== ctx) {
      this.indexesFor = ctx;
      this.indexes.clear();
      const v = valuationIndexes(
        ctx.connections.map((c) => ({ rateBps: this.speeds.speedBps(c), rttUs: c.rttUs })),
        ctx.config.index,
      );
      ctx.connections.forEach((c, i) => this.indexes.set(c.id, v[i]));
    }
    return this.indexes.get(conn.id) ?? 0;
  }

  protected override requested(ctx: StrategyContext, conn: ConnectionView, ids: readonly SubBlockId[]): void {
    this.timeline.requested(ctx, conn, ids);
  }
}

export const indexEntry: StrategyEntry = {
  name: "index",
  description: "split each block in proportion to the valuation index (node speed and RTT)",
  create: () => new IndexStrategy(),
};
