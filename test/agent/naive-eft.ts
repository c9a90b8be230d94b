// Test-only reference for `eft` (test/agent/eft-reference.test.ts): the strategy and its timeline exactly as
// first written, the straightforward computation: every connection's queue walked in full for every estimate
// (no reuse of a walk), every connection's finish recomputed at every step of a move, every k and every
// receiver of a move scanned, with the fetch check made on the whole moved tail each time. Slow (quadratic in
// the sub-blocks of a block) but plainly the model of src/agent/strategies/timeline.ts and eft.ts. Its walk
// sums each run of sub-blocks requested together at once, the closed form timeline.ts uses (the per-sub-block
// sums differ from it in the last bits; test/agent/timeline.test.ts checks the two agree where sums are exact).

import type { ConnId, SubBlockId } from "../../src/agent/ports.ts";
import { earliestFinish } from "../../src/agent/strategies/plan.ts";
import type { ConnectionView, Strategy, StrategyContext } from "../../src/agent/strategy.ts";

interface RateSample {
  readonly bps: number;
  /** When the sampled sub-block's first byte came, µs. */
  readonly startUs: number;
}

interface Track {
  /** When each outstanding sub-block was requested on this connection, µs. */
  readonly requestUs: Map<SubBlockId, number>;
  /** The sub-block believed to be at the head, and when its first byte came (or comes); -1: none yet. */
  headId: SubBlockId;
  headStartUs: number;
  /** Last arrival on this connection, µs (-1: none). */
  lastArrivalUs: number;
}

/** Bound on the request times kept per connection (entries of sub-blocks no longer outstanding are pruned). */
const MAX_TRACKED_NAIVE = 4096;

class NaiveTimeline {
  private readonly tracks = new Map<ConnId, Track>();

  /** The strategy requested ids on conn at ctx.nowUs. */
  requested(ctx: StrategyContext, conn: ConnectionView, ids: readonly SubBlockId[]): void {
    const t = this.track(conn.id);
    for (const id of ids) t.requestUs.set(id, ctx.nowUs);
    if (t.requestUs.size > MAX_TRACKED_NAIVE) this.prune(conn, t);
    this.headStartUs(ctx, conn); // notes the head now, so its arrival gives a sample
  }

  /**
   * The head of conn's queue arrived just now (call from onSubBlockDone). Returns the arrival's rate sample
   * (bits/s) and when that sub-block's first byte came, or null when the timeline cannot tell (the head it
   * tracked is still outstanding, or no time passed).
   */
  arrived(ctx: StrategyContext, conn: ConnectionView): RateSample | null {
    const t = this.track(conn.id);
    const now = ctx.nowUs;
    let sample: RateSample | null = null;
    if (t.headId >= 0 && !conn.outstanding.includes(t.headId)) {
      const elapsedUs = now - t.headStartUs;
      if (elapsedUs > 0) {
        sample = { bps: (ctx.content.subBlockSize(t.headId) * 8e6) / elapsedUs, startUs: t.headStartUs };
      }
      t.requestUs.delete(t.headId);
    }
    t.lastArrivalUs = now;
    t.headId = -1;
    this.headStartUs(ctx, conn); // the next head starts now at the earliest
    return sample;
  }

  /** When the first byte of conn's head arrived or is expected (µs); ctx.nowUs when nothing is outstanding. */
  headStartUs(ctx: StrategyContext, conn: ConnectionView): number {
    const head = conn.outstanding[0];
    if (head === undefined) return ctx.nowUs;
    const t = this.track(conn.id);
    if (t.headId !== head) {
      t.headId = head;
      t.headStartUs = Math.max(t.lastArrivalUs, this.requestUsOf(ctx, t, head) + conn.rttUs);
    }
    return t.headStartUs;
  }

  /** Has the head's first byte arrived (by the model)? */
  headStarted(ctx: StrategyContext, conn: ConnectionView): boolean {
    return conn.outstanding.length > 0 && this.headStartUs(ctx, conn) <= ctx.nowUs;
  }

  /**
   * When conn's queue is expected to be delivered in full, at rateBps (µs); ctx.nowUs when it is empty. With
   * `skipLast` > 0, the queue without its last `skipLast` sub-blocks.
   */
  finishUs(ctx: StrategyContext, conn: ConnectionView, rateBps: number, skipLast = 0): number {
    const n = conn.outstanding.length - skipLast;
    if (n <= 0) return ctx.nowUs;
    return this.walk(ctx, conn, rateBps, n, null);
  }

  /** The expected arrival of each outstanding sub-block of conn, in queue order (µs). */
  arrivalsUs(ctx: StrategyContext, conn: ConnectionView, rateBps: number): number[] {
    const out: number[] = [];
    if (conn.outstanding.length > 0) this.walk(ctx, conn, rateBps, conn.outstanding.length, out);
    return out;
  }

  /**
   * Walks the first n sub-blocks of conn's queue in runs (consecutive sub-blocks requested at the same time);
   * returns when the n-th arrives, noting each arrival in out. A run adds its bytes / rate at once (within a run
   * every sub-block is ready before the previous one ends), and a sub-block arrives when its run ends less the
   * bytes after it in the run: the model's per-sub-block sums in closed form, as timeline.ts computes them.
   */
  private walk(ctx: StrategyContext, conn: ConnectionView, rateBps: number, n: number, out: number[] | null): number {
    const q = conn.outstanding;
    const t = this.track(conn.id);
    const start = this.headStartUs(ctx, conn);
    const headBytes = ctx.content.subBlockSize(q[0]);
    let end = start + (headBytes * 8e6) / rateBps;
    // Overdue: the estimate was too high (or the node went silent). The head is taken to need as long again as
    // it is late, so a connection that keeps not delivering looks later and later.
    if (end < ctx.nowUs) end = ctx.nowUs + (ctx.nowUs - end);
    for (let first = 0; first < n; ) {
      const atUs = this.requestUsOf(ctx, t, q[first]);
      let last = first;
      while (last + 1 < n && this.requestUsOf(ctx, t, q[last + 1]) === atUs) last++;
      let bytes = 0;
      for (let k = first; k <= last; k++) bytes += ctx.content.subBlockSize(q[k]);
      if (first === 0) {
        if (bytes - headBytes > 0) end += ((bytes - headBytes) * 8e6) / rateBps;
      } else {
        end = Math.max(end, atUs + conn.rttUs) + (bytes * 8e6) / rateBps;
      }
      if (out !== null) {
        let after = bytes;
        for (let k = first; k <= last; k++) {
          after -= ctx.content.subBlockSize(q[k]);
          out.push(end - (after * 8e6) / rateBps);
        }
      }
      first = last + 1;
    }
    return end;
  }

  /** How late conn's head is by its estimate (µs; 0 when on time or nothing is outstanding). */
  lateUs(ctx: StrategyContext, conn: ConnectionView, rateBps: number): number {
    const head = conn.outstanding[0];
    if (head === undefined) return 0;
    const dueUs = this.headStartUs(ctx, conn) + (ctx.content.subBlockSize(head) * 8e6) / rateBps;
    return Math.max(0, ctx.nowUs - dueUs);
  }

  /** When a request made now on conn would deliver `bytes` (after its current queue), µs. */
  appendFinishUs(ctx: StrategyContext, conn: ConnectionView, rateBps: number, bytes: number): number {
    const ready = ctx.nowUs + conn.rttUs;
    return Math.max(this.finishUs(ctx, conn, rateBps), ready) + (bytes * 8e6) / rateBps;
  }

  /** When conn's last arrival was (µs), -1 if none. */
  lastArrivalUs(conn: ConnId): number {
    return this.tracks.get(conn)?.lastArrivalUs ?? -1;
  }

  /** Drops the tracks of connections that are no longer ready. */
  retain(ctx: StrategyContext): void {
    if (this.tracks.size <= ctx.connections.length) return;
    const live = new Set(ctx.connections.map((c) => c.id));
    for (const id of [...this.tracks.keys()]) if (!live.has(id)) this.tracks.delete(id);
  }

  private requestUsOf(ctx: StrategyContext, t: Track, id: SubBlockId): number {
    let at = t.requestUs.get(id);
    if (at === undefined) {
      at = ctx.nowUs; // requested by the agent: seen now for the first time
      t.requestUs.set(id, at);
    }
    return at;
  }

  private track(conn: ConnId): Track {
    let t = this.tracks.get(conn);
    if (t === undefined) {
      t = { requestUs: new Map(), headId: -1, headStartUs: 0, lastArrivalUs: -1 };
      this.tracks.set(conn, t);
    }
    return t;
  }

  private prune(conn: ConnectionView, t: Track): void {
    const keep = new Set(conn.outstanding);
    for (const id of [...t.requestUs.keys()]) if (!keep.has(id)) t.requestUs.delete(id);
  }
}

/** A move or a copy must bring the expected end this much sooner, µs. */
const MIN_GAIN_US = 1_000;
/** Copies requested, as a share of the bytes delivered so far. */
const DUPLICATE_BUDGET = 0.05;
const MAX_MOVES_PER_CALL = 64;

export class NaiveEftStrategy implements Strategy {
  readonly name: string = "naive-eft";
  protected readonly timeline = new NaiveTimeline();
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
    for (let step = 0; step < MAX_MOVES_PER_CALL; step++) {
      const rates = this.ratesBps(ctx);
      const finish = conns.map((c, i) => this.timeline.finishUs(ctx, c, rates[i]));
      let last = -1;
      for (let i = 0; i < conns.length; i++) {
        if (conns[i].outstanding.length > 0 && (last < 0 || finish[i] > finish[last])) last = i;
      }
      if (last < 0) return;
      const move = this.bestMove(ctx, last, rates, finish);
      if (move === null) {
        this.hedge(ctx, rates);
        return;
      }
      const ids = conns[last].outstanding.slice(-move.count);
      ctx.move(conns[last].id, conns[move.to].id, ids, {
        reason: "the connection expected to finish last gives its tail to the one that ends it soonest",
        fromRateBps: rates[last],
        toRateBps: rates[move.to],
        fromEndUs: finish[last],
        afterEndUs: move.endUs,
      });
      this.timeline.requested(ctx, conns[move.to], ids);
    }
  }

  /** The move of the last k unstarted sub-blocks of conns[from] that ends the pair soonest, if it pays. */
  private bestMove(
    ctx: StrategyContext,
    from: number,
    rates: readonly number[],
    finish: readonly number[],
  ): { to: number; count: number; endUs: number } | null {
    const conns = ctx.connections;
    const src = conns[from];
    if (src.pinned) return null;
    const queue = src.outstanding;
    const movable = queue.length - (this.timeline.headStarted(ctx, src) ? 1 : 0);
    if (movable <= 0) return null;
    const arrivals = this.timeline.arrivalsUs(ctx, src, rates[from]);
    let best: { to: number; count: number; endUs: number } | null = null;
    let bestUs = finish[from] - MIN_GAIN_US;
    let bytes = 0;
    for (let k = 1; k <= movable; k++) {
      bytes += ctx.content.subBlockSize(queue[queue.length - k]);
      const keptUs = k < queue.length ? arrivals[queue.length - k - 1] : ctx.nowUs;
      if (keptUs >= bestUs) continue;
      for (let to = 0; to < conns.length; to++) {
        if (to === from) continue;
        // A request made now on `to` starts after its queue and one RTT from now (timeline.appendFinishUs).
        const endUs = Math.max(keptUs, Math.max(finish[to], ctx.nowUs + conns[to].rttUs) + (bytes * 8e6) / rates[to]);
        if (endUs >= bestUs) continue;
        const ids = queue.slice(queue.length - k);
        if (!ids.every((id) => ctx.canFetch(conns[to].id, id))) continue;
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
  protected hedge(ctx: StrategyContext, rates: readonly number[]): void {
    const conns = ctx.connections;
    const c = ctx.content.subBlockBytes;
    if (!this.mayCopy(ctx, c)) return;
    // The soonest an idle connection could deliver a copy of a full sub-block: nothing later is worth copying.
    let soonestUs = Number.POSITIVE_INFINITY;
    const idle: ConnectionView[] = [];
    const idleRates: number[] = [];
    conns.forEach((conn, i) => {
      if (conn.outstanding.length > 0) return;
      idle.push(conn);
      idleRates.push(rates[i]);
      soonestUs = Math.min(soonestUs, ctx.nowUs + conn.rttUs + (c * 8e6) / rates[i]);
    });
    if (idle.length === 0) return;
    const candidates: { id: SubBlockId; block: number; atUs: number }[] = [];
    conns.forEach((conn, i) => {
      if (conn.outstanding.length === 0 || this.timeline.finishUs(ctx, conn, rates[i]) - MIN_GAIN_US <= soonestUs) return;
      const arrivals = this.timeline.arrivalsUs(ctx, conn, rates[i]);
      conn.outstanding.forEach((id, k) => {
        if (arrivals[k] - MIN_GAIN_US > soonestUs && ctx.copiesOf(id).length === 1) {
          candidates.push({ id, block: ctx.content.blockOf(id), atUs: arrivals[k] });
        }
      });
    });
    candidates.sort((a, b) => a.block - b.block || b.atUs - a.atUs || a.id - b.id);
    for (const cand of candidates) {
      const size = ctx.content.subBlockSize(cand.id);
      if (!this.mayCopy(ctx, size)) return;
      let best: ConnectionView | undefined;
      let bestUs = cand.atUs - MIN_GAIN_US;
      idle.forEach((conn, j) => {
        if (conn.outstanding.length > 0 || !ctx.canFetch(conn.id, cand.id)) return;
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
      if (idle.every((c) => c.outstanding.length > 0)) return;
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
