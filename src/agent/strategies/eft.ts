// `eft` (earliest finish time): a strategy beyond the design that keeps its block rule. Every decision is taken
// on the expected time each connection's queue is delivered (timeline.ts) at the connection's estimated rate
// (ConnectionView.rateBps: what it achieved lately, which under a saturated downlink is its share, the rate
// it will get next as long as the same connections are busy).
// - Block start, and any sub-blocks back in the pool: each sub-block goes to the connection that would deliver
//   it first (earliestFinish over max(queue end, now + RTT) + size / rate). A far or slow source whose first
//   sub-block would arrive after the fast ones could have fetched it is left idle: the block does not wait
//   for it.
// - After every arrival and whenever a connection goes idle: the connection expected to finish last gives the
//   last k of its sub-blocks not yet started to the connection (idle or not) that delivers them soonest, for
//   the (k, receiver) that ends the pair soonest, if that is at least MIN_GAIN_US sooner; repeated while a
//   move pays (at most MAX_MOVES_PER_CALL moves of at most MAX_MOVE_SUB_BLOCKS each).
// - Tail hedging: an idle connection that would deliver an in-flight sub-block sooner (by MIN_GAIN_US) fetches a
//   copy of it, the latest expected arrival first; the first copy wins, the agent cancels the other. Copies
//   requested stay within DUPLICATE_BUDGET of the bytes delivered so far (plus one sub-block).
// A pinned connection (the origin serving a block at its deadline) is never taken from.

import type { SubBlockId } from "../ports.ts";
import type { ConnectionView, Strategy, StrategyContext, StrategyEntry } from "../strategy.ts";
import { earliestFinish } from "./plan.ts";
import { Timeline } from "./timeline.ts";

/** A move or a copy must bring the expected end this much sooner, µs. */
export const MIN_GAIN_US = 1_000;
/** Copies requested, as a share of the bytes delivered so far. */
export const DUPLICATE_BUDGET = 0.05;
export const MAX_MOVES_PER_CALL = 64;
/**
 * Most sub-blocks one move takes (a bound on bestMove's scan, which is O(this × connections) per move): far above
 * the shipped scenarios' blocks of 16-64 sub-blocks, so it changes no decision there.
 */
export const MAX_MOVE_SUB_BLOCKS = 1024;

export class EftStrategy implements Strategy {
  readonly name: string = "eft";
  protected readonly timeline = new Timeline();
  protected duplicatedBytes = 0;
  protected deliveredBytes = 0;

  onBlockStart(ctx: StrategyContext): void {
    this.timeline.retain(ctx);
    this.assignPool(ctx);
  }

  onConnectionIdle(ctx: StrategyContext, _conn: ConnectionView): void {
    if (ctx.pool.length > 0) this.assignPool(ctx);
    this.improve(ctx);
  }

  onSubBlockDone(ctx: StrategyContext, conn: ConnectionView): void {
    const sample = this.timeline.arrived(ctx, conn);
    if (sample !== null) this.deliveredBytes += (sample.bps * (ctx.nowUs - sample.startUs)) / 8e6;
    this.improve(ctx);
  }

  /** The rate each ready connection is expected to deliver at: its estimate. */
  protected ratesBps(ctx: StrategyContext): number[] {
    return ctx.connections.map((c) => c.rateBps);
  }

  /** Requests the pool's sub-blocks, each on the connection that would deliver it first. */
  protected assignPool(ctx: StrategyContext): void {
    const conns = ctx.connections;
    if (conns.length === 0 || ctx.pool.length === 0) return;
    const ids = [...ctx.pool];
    const rates = this.ratesBps(ctx);
    const sources = conns.map((c, i) => ({
      readyUs: Math.max(this.timeline.finishUs(ctx, c, rates[i]), ctx.nowUs + c.rttUs),
      rateBps: rates[i],
    }));
    const assignment = earliestFinish(
      ids.map((id) => ctx.content.subBlockSize(id)),
      sources,
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
    // Within one call the time, the views' rates and every queue but the two a move touches stay as they are,
    // so each connection's finish is computed once and only the pair of a move is computed again.
    const rates = this.ratesBps(ctx);
    const finish = conns.map((c, i) => this.timeline.finishUs(ctx, c, rates[i]));
    for (let step = 0; step < MAX_MOVES_PER_CALL; step++) {
      let last = -1;
      for (let i = 0; i < conns.length; i++) {
        if (conns[i].outstandingCount > 0 && (last < 0 || finish[i] > finish[last])) last = i;
      }
      if (last < 0) return;
      const move = this.bestMove(ctx, last, rates, finish);
      if (move === null) {
        this.hedge(ctx, rates, finish);
        return;
      }
      const from = conns[last];
      const ids: SubBlockId[] = [];
      for (let j = from.outstandingCount - move.count; j < from.outstandingCount; j++) ids.push(from.outstandingAt(j));
      ctx.move(conns[last].id, conns[move.to].id, ids, {
        reason: "the connection expected to finish last gives its tail to the one that ends it soonest",
        fromRateBps: rates[last],
        toRateBps: rates[move.to],
        fromEndUs: finish[last],
        afterEndUs: move.endUs,
      });
      this.timeline.removedTail(ctx, from, ids);
      this.timeline.requested(ctx, conns[move.to], ids);
      finish[last] = this.timeline.finishUs(ctx, conns[last], rates[last]);
      finish[move.to] = this.timeline.finishUs(ctx, conns[move.to], rates[move.to]);
    }
  }

  /**
   * The move of the last k unstarted sub-blocks of conns[from] (k ≤ MAX_MOVE_SUB_BLOCKS) that ends the pair
   * soonest, if it pays. Whether a receiver may fetch the last k is kept per receiver as k grows (the last k
   * all fetchable iff the last k − 1 are and the k-th from the end is), so each pair is asked at most once.
   */
  private bestMove(
    ctx: StrategyContext,
    from: number,
    rates: readonly number[],
    finish: readonly number[],
  ): { to: number; count: number; endUs: number } | null {
    const conns = ctx.connections;
    const src = conns[from];
    if (src.pinned) return null;
    const count = src.outstandingCount;
    const movable = Math.min(MAX_MOVE_SUB_BLOCKS, count - (this.timeline.headStarted(ctx, src) ? 1 : 0));
    if (movable <= 0) return null;
    // The arrivals of the last sub-blocks, the last first, extended (doubled) as the scan goes: O(k scanned).
    let tail: number[] = [];
    // fetchable[to]: how many of the last sub-blocks `to` may fetch, as far as asked; -1: out (one it may not
    // fetch is among the last k, or it cannot end sooner than the best), so no larger k can go there either.
    const fetchable = conns.map(() => 0);
    let best: { to: number; count: number; endUs: number } | null = null;
    let bestUs = finish[from] - MIN_GAIN_US;
    let bytes = 0;
    // A receiver whose own end with the last k is not sooner than the best so far is out for every larger k too
    // (its end only grows with k, the best only shrinks): the scan stops when no receiver is left.
    let receivers = conns.length - 1;
    for (let k = 1; k <= movable && receivers > 0; k++) {
      bytes += ctx.content.subBlockSize(src.outstandingAt(count - k));
      if (k < count && k >= tail.length) tail = this.timeline.tailArrivalsUs(ctx, src, rates[from], Math.max(8, 2 * k));
      const keptUs = k < count ? tail[k] : ctx.nowUs;
      for (let to = 0; to < conns.length; to++) {
        if (to === from || fetchable[to] < 0) continue;
        // A request made now on `to` starts after its queue and one RTT from now (timeline.appendFinishUs).
        const appendUs = Math.max(finish[to], ctx.nowUs + conns[to].rttUs) + (bytes * 8e6) / rates[to];
        if (appendUs >= bestUs) {
          fetchable[to] = -1;
          receivers--;
          continue;
        }
        const endUs = Math.max(keptUs, appendUs);
        if (endUs >= bestUs) continue;
        while (fetchable[to] >= 0 && fetchable[to] < k) {
          if (ctx.canFetch(conns[to].id, src.outstandingAt(count - 1 - fetchable[to]))) fetchable[to]++;
          else fetchable[to] = -1;
        }
        if (fetchable[to] < 0) {
          receivers--;
          continue;
        }
        bestUs = endUs;
        best = { to, count: k, endUs };
      }
    }
    return best;
  }

  /**
   * Idle connections fetch copies of sub-blocks they would deliver sooner (by MIN_GAIN_US), within the budget:
   * the earliest block first (the one everything waits for), and in it the latest expected arrival first.
   */
  protected hedge(ctx: StrategyContext, rates: readonly number[], finish?: readonly number[]): void {
    const conns = ctx.connections;
    const c = ctx.content.subBlockBytes;
    if (!this.mayCopy(ctx, c)) return;
    // The soonest an idle connection could deliver a copy of a full sub-block: nothing later is worth copying.
    let soonestUs = Number.POSITIVE_INFINITY;
    const idle: ConnectionView[] = [];
    const idleRates: number[] = [];
    conns.forEach((conn, i) => {
      if (conn.outstandingCount > 0) return;
      idle.push(conn);
      idleRates.push(rates[i]);
      soonestUs = Math.min(soonestUs, ctx.nowUs + conn.rttUs + (c * 8e6) / rates[i]);
    });
    if (idle.length === 0) return;
    const candidates: { id: SubBlockId; block: number; atUs: number }[] = [];
    conns.forEach((conn, i) => {
      const count = conn.outstandingCount;
      if (count === 0) return;
      if ((finish?.[i] ?? this.timeline.finishUs(ctx, conn, rates[i])) - MIN_GAIN_US <= soonestUs) return;
      // Arrivals only grow along a queue: the candidates are its last sub-blocks, read from the end (the
      // arrivals extended, doubled, as far as needed).
      let tail: number[] = [];
      for (let j = 0; j < count; j++) {
        if (j >= tail.length) tail = this.timeline.tailArrivalsUs(ctx, conn, rates[i], Math.max(8, 2 * j));
        const atUs = tail[j];
        if (atUs - MIN_GAIN_US <= soonestUs) break;
        const id = conn.outstandingAt(count - 1 - j);
        if (ctx.copiesOf(id).length === 1) candidates.push({ id, block: ctx.content.blockOf(id), atUs });
      }
    });
    candidates.sort((a, b) => a.block - b.block || b.atUs - a.atUs || a.id - b.id);
    for (const cand of candidates) {
      const size = ctx.content.subBlockSize(cand.id);
      if (!this.mayCopy(ctx, size)) return;
      let best: ConnectionView | undefined;
      let bestUs = cand.atUs - MIN_GAIN_US;
      idle.forEach((conn, j) => {
        if (conn.outstandingCount > 0 || !ctx.canFetch(conn.id, cand.id)) return;
        const atUs = ctx.nowUs + conn.rttUs + (size * 8e6) / idleRates[j];
        if (atUs < bestUs) {
          bestUs = atUs;
          best = conn;
        }
      });
      if (best === undefined) continue;
      const to: ConnectionView = best;
      ctx.duplicate(to.id, cand.id);
      this.timeline.requested(ctx, to, [cand.id]);
      this.duplicatedBytes += size;
      if (idle.every((c) => c.outstandingCount > 0)) return;
    }
  }

  /** May a copy of `bytes` more be requested within the budget? */
  protected mayCopy(ctx: StrategyContext, bytes: number): boolean {
    return this.duplicatedBytes + bytes <= DUPLICATE_BUDGET * this.deliveredBytes + ctx.content.subBlockBytes;
  }

  protected request(ctx: StrategyContext, conn: ConnectionView, ids: readonly SubBlockId[]): void {
    ctx.request(conn.id, ids);
    this.timeline.requested(ctx, conn, ids);
  }
}

export const eftEntry: StrategyEntry = {
  name: "eft",
  description:
    "earliest-finish split (slow far sources left idle), moves off the connection expected to finish last, tail copies within 5%",
  create: () => new EftStrategy(),
};
