// `ecf` (earliest completion first, after MPTCP's ECF scheduler): a pipelining strategy beyond the design, built
// on `eft`'s finish-time model. It requests up to WINDOW_BLOCKS blocks ahead (pipelinesBlocks, windowBlocks)
// and keeps every useful connection's queue long enough to hide its RTT, so no connection waits for a first
// byte between sub-blocks; it starts at the first ready connection (waitsForConnections: false), the others
// joining as they connect:
// - top-up, after each of a connection's arrivals and whenever it goes idle (idle connections are looked at
//   again after every arrival): sub-blocks are added while the queue would end before the next arrival plus one
//   RTT plus QUEUE_MARGIN sub-blocks, so a request made at the next arrival brings its first byte before the
//   queue drains;
// - which sub-block (ECF): by time t the others, fetching the pool in order, finish at most
//   P(t) = Σ_others ⌊rate_k × (t − ready_k)⁺ / sub-block⌋ whole sub-blocks (ready_k: when their queue drains,
//   or one RTT from now). A connection that would deliver its next sub-block at f takes the first pool
//   sub-block beyond the first P(f): the earliest one it still delivers before the others could get to it. The
//   connection that would finish the next sub-block first always takes it; a slow or far one takes one further
//   ahead; one that would finish even the last pool sub-block after the others takes nothing (and is looked at
//   again later);
// - when the pool has nothing for an idle connection: `eft`'s moves (unstarted sub-blocks off the connection
//   expected to finish last) and tail copies within the byte budget, the earliest block first;
// - rescue, after every arrival: a sub-block of the current block (the one playback and the window wait for)
//   on a connection whose head is late moves to, or is copied on, a connection that would deliver it sooner.
// Rates: the connections' estimates, as in `eft`.

import type { ConnectionView, StrategyContext, StrategyEntry } from "../strategy.ts";
import { EftStrategy } from "./eft.ts";

/** Blocks the window holds: enough for a slow far source's sub-block to be taken well ahead of need. */
export const WINDOW_BLOCKS = 16;
/** Sub-blocks one top-up may add to one connection (a bound on the loop; the horizon usually stops it first). */
export const MAX_TOP_UP = 64;
/** Pool sub-blocks read at first by a top-up (more are read as needed). */
export const POOL_HEAD = 64;
/** Queue kept beyond the next arrival plus one RTT, in sub-blocks at the connection's rate. */
export const QUEUE_MARGIN = 1;

export class EcfStrategy extends EftStrategy {
  override readonly name: string = "ecf";
  readonly pipelinesBlocks = true;
  readonly windowBlocks = WINDOW_BLOCKS;
  /** Work goes out per connection as each becomes ready: the first block starts at the first one. */
  readonly waitsForConnections = false;

  override onBlockStart(ctx: StrategyContext): void {
    this.timeline.retain(ctx);
    for (const c of ctx.connections) this.topUp(ctx, c);
  }

  override onConnectionIdle(ctx: StrategyContext, conn: ConnectionView): void {
    this.topUp(ctx, conn);
    if (conn.outstandingCount === 0) this.improve(ctx);
  }

  override onSubBlockDone(ctx: StrategyContext, conn: ConnectionView): void {
    const sample = this.timeline.arrived(ctx, conn);
    if (sample !== null) this.deliveredBytes += (sample.bps * (ctx.nowUs - sample.startUs)) / 8e6;
    this.topUp(ctx, conn);
    let idle = false;
    for (const c of ctx.connections) {
      if (c.outstandingCount > 0) continue;
      this.topUp(ctx, c);
      idle ||= c.outstandingCount === 0;
    }
    if (idle) this.improve(ctx);
    this.rescue(ctx);
  }

  /**
   * The current block's sub-blocks held by a connection whose head is late (slower than estimated, or silent),
   * when it would deliver them more than one of the rescuer's sub-block times later than another connection
   * could (after its own queue): an unstarted one moves there, a started one is copied there within the
   * budget. At most one per holder per call. (With a deep window the pool is rarely empty, so no connection
   * goes idle to take over work as in `eft`: the block everything waits for is watched here.)
   */
  protected rescue(ctx: StrategyContext): void {
    const conns = ctx.connections;
    const rates = this.ratesBps(ctx);
    const freeUs = conns.map((c, i) => Math.max(this.timeline.finishUs(ctx, c, rates[i]), ctx.nowUs + c.rttUs));
    for (let h = 0; h < conns.length; h++) {
      const holder = conns[h];
      const q = holder.outstanding;
      if (q.length === 0 || ctx.content.blockOf(q[0]) > ctx.block || this.timeline.lateUs(ctx, holder, rates[h]) <= 0) continue;
      const arrivals = this.timeline.arrivalsUs(ctx, holder, rates[h]);
      for (let k = 0; k < q.length; k++) {
        const id = q[k];
        if (ctx.content.blockOf(id) !== ctx.block || ctx.copiesOf(id).length > 1) continue;
        const size = ctx.content.subBlockSize(id);
        let best = -1;
        let bestUs = Number.POSITIVE_INFINITY;
        for (let r = 0; r < conns.length; r++) {
          if (r === h) continue;
          const atUs = freeUs[r] + (size * 8e6) / rates[r];
          const marginUs = (ctx.content.subBlockBytes * 8e6) / rates[r];
          if (atUs < bestUs && arrivals[k] - atUs > marginUs && ctx.canFetch(conns[r].id, id)) {
            best = r;
            bestUs = atUs;
          }
        }
        if (best < 0) continue;
        const started = k === 0 && this.timeline.headStarted(ctx, holder);
        if (!started && !holder.pinned) {
          ctx.move(holder.id, conns[best].id, [id], {
            reason: "rescue: the holder of a sub-block of the current block is late",
            fromRateBps: rates[h],
            toRateBps: rates[best],
            fromEndUs: arrivals[k],
            toEndUs: bestUs,
          });
        } else if (this.mayCopy(ctx, size)) {
          ctx.duplicate(conns[best].id, id);
          this.duplicatedBytes += size;
        } else {
          continue;
        }
        this.timeline.requested(ctx, conns[best], [id]);
        freeUs[best] = bestUs;
        break;
      }
    }
  }

  /** Refills conn's queue up to its horizon with the sub-blocks ECF gives it. */
  protected topUp(ctx: StrategyContext, conn: ConnectionView): void {
    let pool = ctx.poolHead(conn.id, POOL_HEAD);
    if (pool.length === 0) return;
    const conns = ctx.connections;
    const rates = this.ratesBps(ctx);
    const me = conns.indexOf(conn);
    const rate = rates[me];
    const subBlockUs = (ctx.content.subBlockBytes * 8e6) / rate;
    // The queue must last until a request made at the next arrival brings its first byte, plus a margin.
    let nextArrivalUs = conn.outstandingCount > 0 ? this.timeline.arrivalsUs(ctx, conn, rate)[0] : -1;
    // When the others could start on new work, and at what rate.
    const others = conns
      .map((c, i) => ({
        readyUs: Math.max(this.timeline.finishUs(ctx, c, rates[i]), ctx.nowUs + c.rttUs),
        rateBps: rates[i],
      }))
      .filter((_o, i) => i !== me);
    // The pool's head as this connection may fetch it (the ids taken stay in it until the request is made),
    // read further (doubling) when the walk below reaches its end: O(ids read × log n), not O(pool size).
    let asked = POOL_HEAD;
    const more = (): boolean => {
      if (pool.length < asked) return false; // the whole pool was read
      asked *= 2;
      const had = pool.length;
      pool = ctx.poolHead(conn.id, asked);
      return pool.length > had;
    };
    const taken: number[] = [];
    let queueEndUs = this.timeline.finishUs(ctx, conn, rate);
    let at = 0; // index in pool of the first sub-block not taken
    let before = 0; // pool bytes before pool[at], not counting those taken
    for (let n = 0; n < MAX_TOP_UP && (at < pool.length || more()); n++) {
      if (nextArrivalUs >= 0 && queueEndUs >= nextArrivalUs + conn.rttUs + QUEUE_MARGIN * subBlockUs) break;
      const finishUs = Math.max(queueEndUs, ctx.nowUs + conn.rttUs) + subBlockUs;
      // Whole sub-blocks the others finish strictly before finishUs (a sub-block is never split).
      let othersBytes = 0;
      for (const o of others) {
        const whole = Math.floor(((finishUs - 1 - o.readyUs) * o.rateBps) / (8e6 * ctx.content.subBlockBytes));
        if (whole > 0) othersBytes += whole * ctx.content.subBlockBytes;
      }
      // The first sub-block (that this connection may fetch) whose end lies beyond what the others deliver by
      // finishUs; those skipped stay for the others.
      while ((at < pool.length || more()) && before + ctx.content.subBlockSize(pool[at]) <= othersBytes) {
        before += ctx.content.subBlockSize(pool[at]);
        at++;
      }
      if (at >= pool.length && !more()) break;
      taken.push(pool[at]);
      queueEndUs = finishUs;
      if (nextArrivalUs < 0) nextArrivalUs = finishUs;
      at++;
    }
    if (taken.length > 0) this.request(ctx, conn, taken);
  }
}

export const ecfEntry: StrategyEntry = {
  name: "ecf",
  description:
    "pipelines 16 blocks ahead; each connection takes the earliest sub-block it delivers before the others could, queue hides its RTT; eft's moves and tail copies",
  create: () => new EcfStrategy(),
};
