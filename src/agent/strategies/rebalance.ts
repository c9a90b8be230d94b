// `rebalance` (the design's complete-then-rebalance): starts each block like `index`. A connection with nothing
// left (it finished its share, or it just connected) takes work from the connection expected to finish last:
// - "slowest" is the connection whose queue is expected to be delivered last: its head's remaining bytes
//   (progress counted from when its first byte came, timeline.ts) and then its queued sub-blocks, at its
//   estimated rate (ConnectionView.rateBps);
// - what may move is its sub-blocks not yet started: every queued one, and the head too while its first byte
//   has not come (so a single queued sub-block may move); n of them;
// - the n are split between the two in proportion to their rates, [keep, give] = largestRemainder(n,
//   [rate_slow, rate_idle]), and the last `give` are cancelled and re-requested on the idle connection (one
//   move) if that ends the pair sooner: max(finish_slow without them, now + rtt_idle + bytes(give) / rate_idle)
//   < finish_slow; when the proportional share does not pay, the largest smaller one that does is moved;
// - moves repeat, idle connection after idle connection, while one ends the block sooner (at most
//   MAX_MOVES_PER_CALL per call);
// - a connection left idle while others hold queued work is watched: the check runs again after every arrival
//   (claims 16 and 28), not only when it went idle.
// Example: idle at 4 Mb/s, slowest at 1 Mb/s with 10 unstarted sub-blocks ⇒ 8 move, 2 stay.
// Pool work (returned sub-blocks) goes first, split over the idle connections by index. A pinned connection (the
// origin serving a block at its playback deadline) is never taken from.

import { largestRemainder } from "../split.ts";
import type { ConnectionView, StrategyContext, StrategyEntry } from "../strategy.ts";
import { IndexStrategy } from "./index-split.ts";
import { bytesOf, idleConnections } from "./shares.ts";

export const MAX_MOVES_PER_CALL = 64;

export class RebalanceStrategy extends IndexStrategy {
  override readonly name: string = "rebalance";

  override onConnectionIdle(ctx: StrategyContext, conn: ConnectionView): void {
    super.onConnectionIdle(ctx, conn); // pool work first
    this.rebalance(ctx);
  }

  override onSubBlockDone(ctx: StrategyContext, conn: ConnectionView): void {
    super.onSubBlockDone(ctx, conn);
    this.rebalance(ctx); // watch the idle connections
  }

  private rebalance(ctx: StrategyContext): void {
    for (let moves = 0; moves < MAX_MOVES_PER_CALL; moves++) {
      const idle = idleConnections(ctx);
      if (idle.length === 0) return;
      const slow = this.slowest(ctx); // an idle connection has nothing that may move: never the slowest
      if (slow === undefined) return;
      const taker = idle.find((c) => this.share(ctx, slow, c).length > 0);
      if (taker === undefined) return;
      const ids = this.share(ctx, slow, taker);
      const { beforeUs, afterUs, queuedBytes } = this.lastShare;
      ctx.move(slow.id, taker.id, ids, {
        reason: "an idle connection takes a rate-proportional share of the unstarted work of the one expected to finish last",
        fromRateBps: slow.rateBps,
        toRateBps: taker.rateBps,
        fromQueuedBytes: queuedBytes,
        fromEndUs: beforeUs,
        afterEndUs: afterUs,
      });
      this.timeline.requested(ctx, taker, ids);
    }
  }

  /** Sub-blocks of conn that have not started (the head only while its first byte has not come). */
  private movable(ctx: StrategyContext, conn: ConnectionView): number {
    return conn.outstandingCount - (this.timeline.headStarted(ctx, conn) ? 1 : 0);
  }

  /** The connection expected to finish last among those with work that may move. */
  private slowest(ctx: StrategyContext): ConnectionView | undefined {
    let slow: ConnectionView | undefined;
    let slowUs = Number.NEGATIVE_INFINITY;
    for (const c of ctx.connections) {
      if (c.pinned || this.movable(ctx, c) === 0) continue;
      const finishUs = this.timeline.finishUs(ctx, c, c.rateBps);
      if (finishUs > slowUs) {
        slow = c;
        slowUs = finishUs;
      }
    }
    return slow;
  }

  /** The figures of the last share() that returned a move, for its reasons (traces). */
  private lastShare = { beforeUs: 0, afterUs: 0, queuedBytes: 0 };

  /** The sub-blocks to move from slow to idle under the rule above (empty when no move pays). */
  share(ctx: StrategyContext, slow: ConnectionView, idle: ConnectionView): number[] {
    const all = slow.outstanding;
    const n = this.movable(ctx, slow);
    const [, proportional] = largestRemainder(n, [slow.rateBps, idle.rateBps]);
    const beforeUs = this.timeline.finishUs(ctx, slow, slow.rateBps);
    for (let give = proportional; give >= 1; give--) {
      const ids = all.slice(all.length - give);
      if (!ids.every((id) => ctx.canFetch(idle.id, id))) continue;
      const afterUs = Math.max(
        this.timeline.finishUs(ctx, slow, slow.rateBps, give),
        ctx.nowUs + idle.rttUs + (bytesOf(ctx, ids) * 8e6) / idle.rateBps,
      );
      if (afterUs < beforeUs) {
        this.lastShare = { beforeUs, afterUs, queuedBytes: bytesOf(ctx, all) };
        return ids;
      }
    }
    return [];
  }
}

export const rebalanceEntry: StrategyEntry = {
  name: "rebalance",
  description:
    "index split; idle connections take a rate-proportional share of the unstarted work of the one expected to finish last",
  create: () => new RebalanceStrategy(),
};
