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
// Each connection's queue is kept as runs of consecutive sub-blocks requested at the same time (requests come
// in batches), with their byte totals, so a queue's end is a fold over its runs (O(runs), not O(queue)): within a
// run every sub-block after the first is ready before the previous one ends, so a run adds its bytes / rate
// (the per-sub-block sum up to floating rounding). The runs follow the queue through the changes the timeline is
// told of (a request appended, the head arrived, the tail moved away); any other change (the agent's: a cancel,
// a copy won elsewhere, a reset) shows as an unexpected ConnectionView.queueVersion and the runs are rebuilt
// from the list, O(queue), once.
//
// Feeding it: `requested` after every request, move (on the receiving connection) and duplicate the strategy
// makes; `arrived` from onSubBlockDone; `removedTail` after a move away from a connection. It also yields one rate sample per arrival (size over the time since
// the head started), which node-speed.ts turns into a node's speed.

import { assert } from "../../assert.ts";
import type { ConnId, SubBlockId } from "../ports.ts";
import type { ConnectionView, StrategyContext } from "../strategy.ts";

export interface RateSample {
  readonly bps: number;
  /** When the sampled sub-block's first byte came, µs. */
  readonly startUs: number;
}

interface Track {
  /** When each outstanding sub-block was requested on this connection, µs (read only to rebuild the runs). */
  readonly requestUs: Map<SubBlockId, number>;
  /** The sub-block believed to be at the head, and when its first byte came (or comes); -1: none yet. */
  headId: SubBlockId;
  headStartUs: number;
  /** Last arrival on this connection, µs (-1: none). */
  lastArrivalUs: number;
  /** The queue as runs from runHead on: request time, sub-blocks and bytes of each (parallel arrays). */
  readonly runRequestUs: number[];
  readonly runCount: number[];
  readonly runBytes: number[];
  runHead: number;
  /** Sub-blocks in the runs. */
  count: number;
  /** The connection's queueVersion the runs mirror (-1: rebuild them at the next use). */
  syncedVersion: number;
}

/**
 * Bound on the request times kept per connection beyond twice its outstanding sub-blocks (entries of sub-blocks
 * no longer outstanding are pruned then: amortised O(1) per request).
 */
const MAX_TRACKED = 4096;

export class Timeline {
  private readonly tracks = new Map<ConnId, Track>();
  /** Scratch: the end of each run in the last fold (index as the track's run arrays), µs. */
  private runEndsUs: number[] = [];

  /** The strategy requested ids on conn at ctx.nowUs (they are the last ids of its queue now). */
  requested(ctx: StrategyContext, conn: ConnectionView, ids: readonly SubBlockId[]): void {
    const t = this.track(conn.id);
    for (const id of ids) t.requestUs.set(id, ctx.nowUs);
    if (t.requestUs.size > MAX_TRACKED && t.requestUs.size > 2 * conn.outstandingCount) this.prune(conn, t);
    if (t.syncedVersion >= 0 && conn.queueVersion === t.syncedVersion + ids.length && conn.outstandingCount === t.count + ids.length) {
      let bytes = 0;
      for (const id of ids) bytes += ctx.content.subBlockSize(id);
      this.appendRun(t, ctx.nowUs, ids.length, bytes);
      t.syncedVersion = conn.queueVersion;
    } else {
      t.syncedVersion = -1;
    }
    this.headStartUs(ctx, conn); // notes the head now, so its arrival gives a sample
  }

  /** ids (the last of conn's queue) were just moved away from conn. */
  removedTail(ctx: StrategyContext, conn: ConnectionView, ids: readonly SubBlockId[]): void {
    const t = this.track(conn.id);
    if (t.syncedVersion >= 0 && conn.queueVersion === t.syncedVersion + ids.length && conn.outstandingCount === t.count - ids.length) {
      for (let j = ids.length - 1; j >= 0; j--) {
        const last = t.runCount.length - 1;
        assert(last >= t.runHead, "timeline: removed more than its runs hold");
        t.runCount[last]--;
        t.runBytes[last] -= ctx.content.subBlockSize(ids[j]);
        t.count--;
        if (t.runCount[last] === 0) this.popRun(t);
      }
      t.syncedVersion = conn.queueVersion;
    } else {
      t.syncedVersion = -1;
    }
    for (const id of ids) t.requestUs.delete(id);
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
    const headGone = t.headId >= 0 && (conn.outstandingCount === 0 || conn.outstandingAt(0) !== t.headId);
    if (headGone) {
      const elapsedUs = now - t.headStartUs;
      const size = ctx.content.subBlockSize(t.headId);
      if (elapsedUs > 0) sample = { bps: (size * 8e6) / elapsedUs, startUs: t.headStartUs };
      t.requestUs.delete(t.headId);
      if (t.syncedVersion >= 0 && conn.queueVersion === t.syncedVersion + 1 && conn.outstandingCount === t.count - 1) {
        const h = t.runHead;
        t.runCount[h]--;
        t.runBytes[h] -= size;
        t.count--;
        if (t.runCount[h] === 0) this.shiftRun(t);
        t.syncedVersion = conn.queueVersion;
      } else {
        t.syncedVersion = -1;
      }
    } else {
      t.syncedVersion = -1;
    }
    t.lastArrivalUs = now;
    t.headId = -1;
    this.headStartUs(ctx, conn); // the next head starts now at the earliest
    return sample;
  }

  /** When the first byte of conn's head arrived or is expected (µs); ctx.nowUs when nothing is outstanding. */
  headStartUs(ctx: StrategyContext, conn: ConnectionView): number {
    if (conn.outstandingCount === 0) return ctx.nowUs;
    const head = conn.outstandingAt(0);
    const t = this.track(conn.id);
    if (t.headId !== head) {
      t.headId = head;
      t.headStartUs = Math.max(t.lastArrivalUs, this.requestUsOf(ctx, t, head) + conn.rttUs);
    }
    return t.headStartUs;
  }

  /** Has the head's first byte arrived (by the model)? */
  headStarted(ctx: StrategyContext, conn: ConnectionView): boolean {
    return conn.outstandingCount > 0 && this.headStartUs(ctx, conn) <= ctx.nowUs;
  }

  /**
   * When conn's queue is expected to be delivered in full, at rateBps (µs); ctx.nowUs when it is empty. With
   * `skipLast` > 0, the queue without its last `skipLast` sub-blocks. O(runs + skipLast).
   */
  finishUs(ctx: StrategyContext, conn: ConnectionView, rateBps: number, skipLast = 0): number {
    const n = conn.outstandingCount - skipLast;
    if (n <= 0) return ctx.nowUs;
    const t = this.synced(ctx, conn);
    if (skipLast === 0) return this.fold(ctx, conn, t, rateBps, t.runCount.length, 0);
    // The skipped sub-blocks are the last ones: whole runs are dropped, the last run kept is cut by the bytes
    // of its skipped sub-blocks (O(runs + skipLast)).
    let run = t.runCount.length - 1;
    let left = skipLast;
    let pos = conn.outstandingCount - 1;
    while (left >= t.runCount[run]) {
      left -= t.runCount[run];
      pos -= t.runCount[run];
      run--;
      assert(run >= t.runHead, "timeline: skipLast beyond the runs");
    }
    let cutBytes = 0;
    for (let j = 0; j < left; j++) cutBytes += ctx.content.subBlockSize(conn.outstandingAt(pos--));
    return this.fold(ctx, conn, t, rateBps, run + 1, cutBytes);
  }

  /**
   * The expected arrival of each outstanding sub-block of conn, in queue order (µs): O(queue). Prefer
   * tailArrivalsUs when only the last few are needed.
   */
  arrivalsUs(ctx: StrategyContext, conn: ConnectionView, rateBps: number): readonly number[] {
    const back = this.tailArrivalsUs(ctx, conn, rateBps, conn.outstandingCount);
    return back.reverse();
  }

  /**
   * The expected arrivals of the last m outstanding sub-blocks of conn, the last first (µs): [0] is the queue's
   * end, [j] the arrival of sub-block count − 1 − j. O(runs + m). The array is new (the caller's).
   */
  tailArrivalsUs(ctx: StrategyContext, conn: ConnectionView, rateBps: number, m: number): number[] {
    const count = conn.outstandingCount;
    const out: number[] = [];
    if (count === 0 || m <= 0) return out;
    const t = this.synced(ctx, conn);
    this.fold(ctx, conn, t, rateBps, t.runCount.length, 0);
    const want = Math.min(m, count);
    let pos = count - 1;
    for (let run = t.runCount.length - 1; run >= t.runHead && out.length < want; run--) {
      const endUs = this.runEndsUs[run];
      let suffixBytes = 0;
      for (let j = 0; j < t.runCount[run] && out.length < want; j++) {
        out.push(endUs - (suffixBytes * 8e6) / rateBps);
        suffixBytes += ctx.content.subBlockSize(conn.outstandingAt(pos--));
      }
    }
    return out;
  }

  /**
   * When runs runHead … endRun − 1 of t are delivered, the last of them cut by cutBytes at its end; notes each
   * run's end in runEndsUs. The head is taken overdue as in the model above. O(runs).
   */
  private fold(ctx: StrategyContext, conn: ConnectionView, t: Track, rateBps: number, endRun: number, cutBytes: number): number {
    const runs = endRun;
    const start = this.headStartUs(ctx, conn);
    const h = t.runHead;
    assert(runs > h && t.count > 0, "timeline: fold over no runs");
    const headBytes = ctx.content.subBlockSize(t.headId);
    let end = start + (headBytes * 8e6) / rateBps;
    // Overdue: the estimate was too high (or the node went silent). The head is taken to need as long again as
    // it is late, so a connection that keeps not delivering looks later and later.
    if (end < ctx.nowUs) end = ctx.nowUs + (ctx.nowUs - end);
    const ends = this.runEndsUs;
    // The rest of the head's run is ready (requested with it) before the head ends.
    const headRest = t.runBytes[h] - headBytes - (runs === h + 1 ? cutBytes : 0);
    if (headRest > 0) end += (headRest * 8e6) / rateBps;
    ends[h] = end;
    for (let i = h + 1; i < runs; i++) {
      const bytes = t.runBytes[i] - (i === runs - 1 ? cutBytes : 0);
      end = Math.max(end, t.runRequestUs[i] + conn.rttUs) + (bytes * 8e6) / rateBps;
      ends[i] = end;
    }
    return end;
  }

  /** How late conn's head is by its estimate (µs; 0 when on time or nothing is outstanding). */
  lateUs(ctx: StrategyContext, conn: ConnectionView, rateBps: number): number {
    if (conn.outstandingCount === 0) return 0;
    const dueUs = this.headStartUs(ctx, conn) + (ctx.content.subBlockSize(conn.outstandingAt(0)) * 8e6) / rateBps;
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

  /** conn's track with its runs mirroring the queue (rebuilt from the list when it changed unseen: O(queue)). */
  private synced(ctx: StrategyContext, conn: ConnectionView): Track {
    const t = this.track(conn.id);
    if (t.syncedVersion === conn.queueVersion) return t;
    t.runRequestUs.length = 0;
    t.runCount.length = 0;
    t.runBytes.length = 0;
    t.runHead = 0;
    t.count = 0;
    const q = conn.outstanding;
    for (const id of q) {
      const at = this.requestUsOf(ctx, t, id);
      const size = ctx.content.subBlockSize(id);
      this.appendRun(t, at, 1, size);
    }
    t.syncedVersion = conn.queueVersion;
    return t;
  }

  /** Appends sub-blocks requested at atUs: to the last run if it has the same request time (as a rebuild would). */
  private appendRun(t: Track, atUs: number, count: number, bytes: number): void {
    const last = t.runCount.length - 1;
    if (last >= t.runHead && t.runRequestUs[last] === atUs) {
      t.runCount[last] += count;
      t.runBytes[last] += bytes;
      t.count += count;
      return;
    }
    t.runRequestUs.push(atUs);
    t.runCount.push(count);
    t.runBytes.push(bytes);
    t.count += count;
  }

  /** Drops the (empty) last run. */
  private popRun(t: Track): void {
    t.runRequestUs.pop();
    t.runCount.pop();
    t.runBytes.pop();
    if (t.runCount.length === t.runHead) this.emptyRuns(t);
  }

  /** Drops the (empty) first run; the arrays are compacted when half of them is dropped runs (amortised O(1)). */
  private shiftRun(t: Track): void {
    t.runHead++;
    if (t.runHead === t.runCount.length) {
      this.emptyRuns(t);
    } else if (t.runHead > 16 && 2 * t.runHead > t.runCount.length) {
      t.runRequestUs.splice(0, t.runHead);
      t.runCount.splice(0, t.runHead);
      t.runBytes.splice(0, t.runHead);
      t.runHead = 0;
    }
  }

  private emptyRuns(t: Track): void {
    t.runRequestUs.length = 0;
    t.runCount.length = 0;
    t.runBytes.length = 0;
    t.runHead = 0;
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
      t = {
        requestUs: new Map(),
        headId: -1,
        headStartUs: 0,
        lastArrivalUs: -1,
        runRequestUs: [],
        runCount: [],
        runBytes: [],
        runHead: 0,
        count: 0,
        syncedVersion: -1,
      };
      this.tracks.set(conn, t);
    }
    return t;
  }

  private prune(conn: ConnectionView, t: Track): void {
    const keep = new Set(conn.outstanding);
    for (const id of [...t.requestUs.keys()]) if (!keep.has(id)) t.requestUs.delete(id);
  }
}
