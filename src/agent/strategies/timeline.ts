// What a strategy can know about each connection's queue between arrivals, kept by the strategy itself (the
// agent reports a sub-block only when its last byte arrives): when each sub-block was requested, when the
// sub-block at the head of the queue started (or will start) arriving, and from these the expected time at
// which the whole queue is delivered. The model is the network's own (README, "The network model"): a node
// sends a connection's sub-blocks back to back in request order, and a request's first byte comes one RTT
// after it was made, so
//   start(head) = max(arrival of the previous sub-block on the connection, request(head) + RTT),
//   end(k)      = max(end(k − 1), request(k) + RTT) + size(k) / rate        (k after the head),
// and the head's progress is (now − start(head)) × rate. RTT and rate are the connection's estimates. A head
// still missing when it should have arrived is taken to need as long again as it is late (the estimate was too
// high, or the node went silent: the longer it stays silent, the later it looks). A
// sub-block requested by the agent rather than the strategy (a forced assignment, the origin fallback) counts
// as requested when the timeline first sees it: later than in truth, so its start is never early.
//
// Feeding it: `requested` after every request, move (on the receiving connection) and duplicate the strategy
// makes; `arrived` from onSubBlockDone. It also yields one rate sample per arrival (size over the time since
// the head started), which node-speed.ts turns into a node's speed.

import type { ConnId, SubBlockId } from "../ports.ts";
import type { ConnectionView, StrategyContext } from "../strategy.ts";

export interface RateSample {
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
  /** Bumped whenever a request time or the head's start may have changed (keys the walk's cache). */
  version: number;
  /** The last full walk of the queue and what it was computed from (null: none). */
  walked: Walked | null;
}

/**
 * A full walk of a queue, reused while nothing it was computed from changed: the same ids in the same order,
 * the same request times (the track's version), rate and RTT, and a head not overdue (the only use of the
 * time). The comparison of ids is O(queue) but far cheaper than the walk, which looks up every request time.
 */
interface Walked {
  readonly ids: SubBlockId[];
  readonly version: number;
  readonly rateBps: number;
  readonly rttUs: number;
  /** When the head is due (its end before any overdue rule); the walk is valid while nowUs ≤ this. */
  readonly headDueUs: number;
  /** Each sub-block's expected arrival, in queue order, µs. */
  readonly endsUs: number[];
}

/** Bound on the request times kept per connection (entries of sub-blocks no longer outstanding are pruned). */
const MAX_TRACKED = 4096;

export class Timeline {
  private readonly tracks = new Map<ConnId, Track>();

  /** The strategy requested ids on conn at ctx.nowUs. */
  requested(ctx: StrategyContext, conn: ConnectionView, ids: readonly SubBlockId[]): void {
    const t = this.track(conn.id);
    for (const id of ids) t.requestUs.set(id, ctx.nowUs);
    t.version++;
    if (t.requestUs.size > MAX_TRACKED) this.prune(conn, t);
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
    t.version++;
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
      t.version++;
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
    if (skipLast > 0) return this.walk(ctx, conn, rateBps, n, null);
    const ends = this.arrivalsUs(ctx, conn, rateBps);
    return ends[ends.length - 1];
  }

  /**
   * The expected arrival of each outstanding sub-block of conn, in queue order (µs). The array is the
   * timeline's own, kept for reuse (a later walk makes a new one, so it stays as it is): never change it.
   */
  arrivalsUs(ctx: StrategyContext, conn: ConnectionView, rateBps: number): readonly number[] {
    const q = conn.outstanding;
    if (q.length === 0) return [];
    const t = this.track(conn.id);
    this.headStartUs(ctx, conn); // may bump the version (a new head)
    const w = t.walked;
    if (
      w !== null &&
      w.version === t.version &&
      w.rateBps === rateBps &&
      w.rttUs === conn.rttUs &&
      ctx.nowUs <= w.headDueUs &&
      sameIds(w.ids, q)
    ) {
      return w.endsUs;
    }
    const endsUs: number[] = [];
    this.walk(ctx, conn, rateBps, q.length, endsUs);
    const headDueUs = t.headStartUs + (ctx.content.subBlockSize(q[0]) * 8e6) / rateBps;
    // walk() may have noted request times of ids it saw for the first time: they are part of this walk.
    t.walked = { ids: q.slice(), version: t.version, rateBps, rttUs: conn.rttUs, headDueUs, endsUs };
    return endsUs;
  }

  /** Walks the first n sub-blocks of conn's queue; returns when the n-th arrives, noting each arrival in out. */
  private walk(ctx: StrategyContext, conn: ConnectionView, rateBps: number, n: number, out: number[] | null): number {
    const q = conn.outstanding;
    const t = this.track(conn.id);
    const start = this.headStartUs(ctx, conn);
    const headUs = (ctx.content.subBlockSize(q[0]) * 8e6) / rateBps;
    let end = start + headUs;
    // Overdue: the estimate was too high (or the node went silent). The head is taken to need as long again as
    // it is late, so a connection that keeps not delivering looks later and later.
    if (end < ctx.nowUs) end = ctx.nowUs + (ctx.nowUs - end);
    out?.push(end);
    for (let k = 1; k < n; k++) {
      const ready = this.requestUsOf(ctx, t, q[k]) + conn.rttUs;
      end = Math.max(end, ready) + (ctx.content.subBlockSize(q[k]) * 8e6) / rateBps;
      out?.push(end);
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
      t = { requestUs: new Map(), headId: -1, headStartUs: 0, lastArrivalUs: -1, version: 0, walked: null };
      this.tracks.set(conn, t);
    }
    return t;
  }

  private prune(conn: ConnectionView, t: Track): void {
    const keep = new Set(conn.outstanding);
    for (const id of [...t.requestUs.keys()]) if (!keep.has(id)) t.requestUs.delete(id);
    t.version++;
  }
}

function sameIds(a: readonly SubBlockId[], b: readonly SubBlockId[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
