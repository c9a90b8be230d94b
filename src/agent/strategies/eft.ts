// `eft` (earliest finish time): a strategy beyond the design that keeps its block rule. Every decision is taken
// on the expected time each connection's queue is delivered (timeline.ts), from the node's speed (node-speed.ts:
// what it can send, not its share of a crowded downlink) capped at the downlink's fair level (plan.ts).
// - Block start, and any sub-blocks back in the pool: each sub-block goes to the connection that would deliver
//   it first (earliestFinish over max(queue end, now + RTT) + size / rate). A far or slow source whose first
//   sub-block would arrive after the fast ones could have fetched it is left idle: the block does not wait
//   for it.
// - After every arrival and whenever a connection goes idle: the connection expected to finish last gives the
//   last k of its sub-blocks not yet started to the connection (idle or not) that delivers them soonest, for
//   the (k, receiver) that ends the pair soonest, if that is at least MIN_GAIN_US sooner; repeated while a
//   move pays (at most MAX_MOVES_PER_CALL).
// - Tail hedging: an idle connection that would deliver an in-flight sub-block sooner (by MIN_GAIN_US) fetches a
//   copy of it, the latest expected arrival first; the first copy wins, the agent cancels the other. Copies
//   requested stay within DUPLICATE_BUDGET of the bytes delivered so far (plus one sub-block).
// A pinned connection (the origin serving a block at its deadline) is never taken from.

import type { ConnId, SubBlockId } from "../ports.ts";
import type { ConnectionView, Strategy, StrategyContext, StrategyEntry } from "../strategy.ts";
import { NodeSpeeds } from "./node-speed.ts";
import { earliestFinishCapped, fairLevelBps } from "./plan.ts";
import { bytesOf } from "./shares.ts";
import { Timeline } from "./timeline.ts";

/** A move or a copy must bring the expected end this much sooner, µs. */
export const MIN_GAIN_US = 1_000;
/** Copies requested, as a share of the bytes delivered so far. */
export const DUPLICATE_BUDGET = 0.05;
export const MAX_MOVES_PER_CALL = 64;

export class EftStrategy implements Strategy {
  readonly name: string = "eft";
  protected readonly timeline = new Timeline();
  protected readonly speeds = new NodeSpeeds();
  private duplicatedBytes = 0;
  protected deliveredBytes = 0;

  onBlockStart(ctx: StrategyContext): void {
    this.timeline.retain(ctx);
    this.speeds.retain(ctx);
    this.assignPool(ctx);
  }

  onConnectionIdle(ctx: StrategyContext, _conn: ConnectionView): void {
    if (ctx.pool.length > 0) this.assignPool(ctx);
    this.improve(ctx);
  }

  onSubBlockDone(ctx: StrategyContext, conn: ConnectionView): void {
    const sample = this.timeline.arrived(ctx, conn);
    if (sample !== null) {
      this.speeds.sample(ctx, conn, sample.bps, sample.startUs);
      this.deliveredBytes += (sample.bps * (ctx.nowUs - sample.startUs)) / 8e6;
    }
    this.improve(ctx);
  }

  /** The rate each ready connection can count on now: its speed, capped at the downlink's fair level. */
  protected ratesBps(ctx: StrategyContext, extra?: ConnectionView): number[] {
    const speeds = ctx.connections.map((c) => this.speeds.speedBps(c));
    const downlink = this.speeds.downlinkBps;
    if (!Number.isFinite(downlink)) return speeds;
    const busy = speeds.filter((_s, i) => ctx.connections[i].outstanding.length > 0 || ctx.connections[i] === extra);
    const level = fairLevelBps(busy, downlink);
    return speeds.map((s) => Math.min(s, level));
  }

  /** Requests the pool's sub-blocks, each on the connection that would deliver it first. */
  protected assignPool(ctx: StrategyContext): void {
    const conns = ctx.connections;
    if (conns.length === 0 || ctx.pool.length === 0) return;
    const ids = [...ctx.pool];
    const speeds = conns.map((c) => this.speeds.speedBps(c));
    const sources = conns.map((c, i) => ({
      readyUs: Math.max(this.timeline.finishUs(ctx, c, speeds[i]), ctx.nowUs + c.rttUs),
      rateBps: speeds[i],
    }));
    const { assignment } = earliestFinishCapped(
      ids.map((id) => ctx.content.subBlockSize(id)),
      sources,
      this.speeds.downlinkBps,
      (k, i) => ctx.canFetch(conns[i].id, ids[k]),
    );
    conns.forEach((c, i) => {
      const mine = ids.filter((_id, k) => assignment[k] === i);
      if (mine.length > 0) this.request(ctx, c, mine);
    });
  }

  /** Moves work off the connection expected to finish last while that pays, then hedges the tail. */
  protected improve(ctx: StrategyContext): void {
    const conns = ctx.connections;
    for (let step = 0; step < MAX_MOVES_PER_CALL; step++) {
      const rates = this.ratesBps(ctx);
      const finish = conns.map((c, i) => this.timeline.finishUs(ctx, c, rates[i]));
      let last = -1;
      for (let i = 0; i < conns.length; i++) {
        if (conns[i].outstanding.length > 0 && (last < 0 || finish[i] > finish[last])) last = i;
      }
      if (last < 0) return;
      const move = this.bestMove(ctx, last, rates, finish);
      if (move === null) break;
      const ids = conns[last].outstanding.slice(-move.count);
      ctx.move(conns[last].id, conns[move.to].id, ids);
      this.timeline.requested(ctx, conns[move.to], ids);
    }
    this.hedge(ctx);
  }

  /** The move of the last k unstarted sub-blocks of conns[from] that ends the pair soonest, if it pays. */
  private bestMove(
    ctx: StrategyContext,
    from: number,
    rates: readonly number[],
    finish: readonly number[],
  ): { to: number; count: number } | null {
    const conns = ctx.connections;
    const src = conns[from];
    if (src.pinned) return null;
    const queue = src.outstanding;
    const movable = queue.length - (this.timeline.headStarted(ctx, src) ? 1 : 0);
    let best: { to: number; count: number } | null = null;
    let bestUs = finish[from] - MIN_GAIN_US;
    for (let k = 1; k <= movable; k++) {
      const ids = queue.slice(queue.length - k);
      const bytes = bytesOf(ctx, ids);
      const keptUs = this.timeline.finishUs(ctx, src, rates[from], k);
      if (keptUs >= bestUs) continue;
      for (let to = 0; to < conns.length; to++) {
        if (to === from || !ids.every((id) => ctx.canFetch(conns[to].id, id))) continue;
        const endUs = Math.max(keptUs, this.timeline.appendFinishUs(ctx, conns[to], rates[to], bytes));
        if (endUs < bestUs) {
          bestUs = endUs;
          best = { to, count: k };
        }
      }
    }
    return best;
  }

  /**
   * Idle connections fetch copies of sub-blocks they would deliver sooner (by MIN_GAIN_US), within the budget:
   * the earliest block first (the one everything waits for), and in it the latest expected arrival first.
   */
  protected hedge(ctx: StrategyContext): void {
    const conns = ctx.connections;
    const idle = conns.filter((c) => c.outstanding.length === 0);
    if (idle.length === 0) return;
    const rates = this.ratesBps(ctx);
    const rateOf = new Map<ConnId, number>(conns.map((c, i) => [c.id, rates[i]]));
    const candidates: { id: SubBlockId; block: number; atUs: number }[] = [];
    conns.forEach((c, i) => {
      const arrivals = this.timeline.arrivalsUs(ctx, c, rates[i]);
      c.outstanding.forEach((id, k) => {
        if (ctx.copiesOf(id).length === 1) candidates.push({ id, block: ctx.content.blockOf(id), atUs: arrivals[k] });
      });
    });
    candidates.sort((a, b) => a.block - b.block || b.atUs - a.atUs || a.id - b.id);
    for (const cand of candidates) {
      const size = ctx.content.subBlockSize(cand.id);
      if (this.duplicatedBytes + size > DUPLICATE_BUDGET * this.deliveredBytes + ctx.content.subBlockBytes) return;
      let best: ConnectionView | undefined;
      let bestUs = cand.atUs - MIN_GAIN_US;
      for (const c of idle) {
        if (c.outstanding.length > 0 || !ctx.canFetch(c.id, cand.id)) continue;
        const atUs = this.timeline.appendFinishUs(ctx, c, rateOf.get(c.id)!, size);
        if (atUs < bestUs) {
          bestUs = atUs;
          best = c;
        }
      }
      if (best === undefined) continue;
      ctx.duplicate(best.id, cand.id);
      this.timeline.requested(ctx, best, [cand.id]);
      this.duplicatedBytes += size;
      if (idle.every((c) => c.outstanding.length > 0)) return;
    }
  }

  protected request(ctx: StrategyContext, conn: ConnectionView, ids: readonly SubBlockId[]): void {
    ctx.request(conn.id, ids);
    this.timeline.requested(ctx, conn, ids);
  }
}

export const eftEntry: StrategyEntry = {
  name: "eft",
  description:
    "earliest-finish split from node speeds (slow far sources left idle), moves off the latest connection, tail copies within 5%",
  create: () => new EftStrategy(),
};
