// The active flows of the network: one row per connection whose head sub-block is eligible, in dense slots of
// typed-array columns. Every per-flow field is declared, grown and moved here, once. Removing a flow moves the
// last row into its slot (swap-remove), so slots stay dense and the order of the rows is a deterministic
// function of the order of adds and removes (the solver sums over the rows in slot order). The completion
// times are indexed for the earliest one and the due ones: a scan of the column while the table is small (as
// cheap as it gets for the few dozen flows of one agent), a heap (time-heap.ts) once it is large.

import { fail } from "../../assert.ts";
import { TimeHeap } from "./time-heap.ts";

/** What limits a flow at the last solve: its own cap, its source's uplink or its destination's downlink. */
export const BY_CAP = 0;
export const BY_UPLINK = 1;
export const BY_DOWNLINK = 2;

const INITIAL_ROWS = 64;
/** The completion heap is kept from this many rows on, and dropped again below half of it. */
const HEAP_FROM_ROWS = 128;

export class FlowTable {
  /** Rows 0..size-1 are the active flows. */
  size = 0;

  // ---- columns (reallocated when the table grows: read them through the table, never keep a reference) -----
  /** The flow's connection id. */
  conn = new Int32Array(INITIAL_ROWS);
  /** The sending host (the flow crosses its uplink). */
  src = new Int32Array(INITIAL_ROWS);
  /** The receiving host (the flow crosses its downlink). */
  dst = new Int32Array(INITIAL_ROWS);
  /** Bytes of the head sub-block left at t0. */
  remBytes = new Float64Array(INITIAL_ROWS);
  /** When remBytes was last brought up to date (µs). */
  t0Us = new Float64Array(INITIAL_ROWS);
  rateBps = new Float64Array(INITIAL_ROWS);
  /** The head's completion event time (µs), or Infinity while it has no rate. Write it with setEnd. */
  endUs = new Float64Array(INITIAL_ROWS);
  /** The rate the flow would get without its own cap, at the last solve (the TCP window's "cap-bound" test). */
  levelBps = new Float64Array(INITIAL_ROWS);
  /** The flow's own cap at the last solve (bps; Infinity for none). */
  capBps = new Float64Array(INITIAL_ROWS);
  /** BY_CAP, BY_UPLINK or BY_DOWNLINK at the last solve that covered the flow (general solver only). */
  bottleneck = new Int32Array(INITIAL_ROWS);

  /** endUs of every row, by connection id, while `indexed`. */
  private readonly ends = new TimeHeap();
  private indexed = false;
  /** Slot of each connection id, -1 when the connection is not an active flow. */
  private readonly slotByConn: number[] = [];

  /** The slot of connId, or -1. */
  slotOf(connId: number): number {
    const k = this.slotByConn[connId];
    return k === undefined ? -1 : k;
  }

  /** Appends a row for connId (which must not have one) and returns its slot; the caller fills the columns. */
  add(connId: number, srcHost: number, dstHost: number): number {
    if (!(this.slotOf(connId) < 0)) fail("conn {0} is already a flow", connId);
    const k = this.size++;
    if (k === this.conn.length) this.grow();
    while (this.slotByConn.length <= connId) this.slotByConn.push(-1);
    this.slotByConn[connId] = k;
    this.conn[k] = connId;
    this.src[k] = srcHost;
    this.dst[k] = dstHost;
    this.bottleneck[k] = BY_CAP;
    this.endUs[k] = Infinity;
    if (this.indexed) this.ends.set(connId, Infinity);
    else if (this.size >= HEAP_FROM_ROWS) {
      this.indexed = true;
      this.endsWritten();
    }
    return k;
  }

  /** Removes connId's row; the last row takes its slot. */
  remove(connId: number): void {
    const k = this.slotOf(connId);
    if (!(k >= 0)) fail("conn {0} is not a flow", connId);
    const last = --this.size;
    if (k !== last) {
      const moved = this.conn[last];
      this.conn[k] = moved;
      this.src[k] = this.src[last];
      this.dst[k] = this.dst[last];
      this.remBytes[k] = this.remBytes[last];
      this.t0Us[k] = this.t0Us[last];
      this.rateBps[k] = this.rateBps[last];
      this.endUs[k] = this.endUs[last];
      this.levelBps[k] = this.levelBps[last];
      this.capBps[k] = this.capBps[last];
      this.bottleneck[k] = this.bottleneck[last];
      this.slotByConn[moved] = k;
    }
    this.slotByConn[connId] = -1;
    if (this.indexed) {
      this.ends.delete(connId);
      if (this.size < HEAP_FROM_ROWS >> 1) {
        this.indexed = false;
        this.ends.rebuild(0, this.conn, this.endUs);
      }
    }
  }

  /** Sets row k's completion time. */
  setEnd(k: number, endUs: number): void {
    this.endUs[k] = endUs;
    if (this.indexed) this.ends.set(this.conn[k], endUs);
  }

  /** After writing endUs of many rows directly: re-indexes them all (O(rows)). */
  endsWritten(): void {
    if (this.indexed) this.ends.rebuild(this.size, this.conn, this.endUs);
  }

  /** The earliest completion time (µs), Infinity when there is none. */
  earliestEndUs(): number {
    if (this.indexed) return this.ends.minTime();
    let next = Infinity;
    for (let k = 0; k < this.size; k++) if (this.endUs[k] < next) next = this.endUs[k];
    return next;
  }

  /** Writes the slots of the rows due by nowUs to out, in ascending order, and returns how many. */
  dueSlots(nowUs: number, out: number[]): number {
    let n = 0;
    if (this.indexed) {
      n = this.ends.collectDue(nowUs, out);
      for (let i = 0; i < n; i++) out[i] = this.slotByConn[out[i]];
      if (n > 1) sortAscending(out, n);
    } else {
      for (let k = 0; k < this.size; k++) if (this.endUs[k] <= nowUs) out[n++] = k;
    }
    return n;
  }

  private grow(): void {
    const n = this.conn.length * 2;
    const i32 = (a: Int32Array) => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    const f64 = (a: Float64Array) => {
      const b = new Float64Array(n);
      b.set(a);
      return b;
    };
    this.conn = i32(this.conn);
    this.src = i32(this.src);
    this.dst = i32(this.dst);
    this.remBytes = f64(this.remBytes);
    this.t0Us = f64(this.t0Us);
    this.rateBps = f64(this.rateBps);
    this.endUs = f64(this.endUs);
    this.levelBps = f64(this.levelBps);
    this.capBps = f64(this.capBps);
    this.bottleneck = i32(this.bottleneck);
  }
}

/** Sorts a[0..n-1] (integers) ascending in place: insertion sort for the usual handful, else a native sort. */
export function sortAscending(a: number[], n: number): void {
  if (n > 32) {
    const sorted = Int32Array.from(a.slice(0, n)).sort();
    for (let i = 0; i < n; i++) a[i] = sorted[i];
    return;
  }
  for (let i = 1; i < n; i++) {
    const x = a[i];
    let j = i - 1;
    while (j >= 0 && a[j] > x) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = x;
  }
}
