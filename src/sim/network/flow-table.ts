// The active flows of the network: one row per connection whose head sub-block is eligible, in dense slots of
// typed-array columns. Every per-flow field is declared, grown and moved here, once. Removing a flow moves the
// last row into its slot (swap-remove), so slots stay dense and the order of the rows is a deterministic
// function of the order of adds and removes (the solver sums over the rows in slot order).

import { invariant } from "../kernel/kernel.ts";

const INITIAL_ROWS = 64;

export class FlowTable {
  /** Rows 0..size-1 are the active flows. */
  size = 0;

  // ---- columns (reallocated when the table grows: read them through the table, never keep a reference) -----
  /** The flow's connection id. */
  conn = new Int32Array(INITIAL_ROWS);
  /** The sending node (its uplink is the flow's first link). */
  src = new Int32Array(INITIAL_ROWS);
  /** Bytes of the head sub-block left at t0. */
  remBytes = new Float64Array(INITIAL_ROWS);
  /** When remBytes was last brought up to date (µs). */
  t0Us = new Float64Array(INITIAL_ROWS);
  rateBps = new Float64Array(INITIAL_ROWS);
  /** The head's completion event time (µs), or Infinity while it has no rate. */
  endUs = new Float64Array(INITIAL_ROWS);
  /** The rate the flow would get without its own cap, at the last solve (the TCP window's "cap-bound" test). */
  levelBps = new Float64Array(INITIAL_ROWS);
  /** The flow's own cap at the last solve (bps; Infinity for none). */
  capBps = new Float64Array(INITIAL_ROWS);

  /** Slot of each connection id, -1 when the connection is not an active flow. */
  private readonly slotByConn: number[] = [];

  /** The slot of connId, or -1. */
  slotOf(connId: number): number {
    const k = this.slotByConn[connId];
    return k === undefined ? -1 : k;
  }

  /** Appends a row for connId (which must not have one) and returns its slot; the caller fills the columns. */
  add(connId: number, srcNode: number): number {
    if (!(this.slotOf(connId) < 0)) invariant(false, `conn ${connId} is already a flow`);
    const k = this.size++;
    if (k === this.conn.length) this.grow();
    while (this.slotByConn.length <= connId) this.slotByConn.push(-1);
    this.slotByConn[connId] = k;
    this.conn[k] = connId;
    this.src[k] = srcNode;
    return k;
  }

  /** Removes connId's row; the last row takes its slot. */
  remove(connId: number): void {
    const k = this.slotOf(connId);
    if (!(k >= 0)) invariant(false, `conn ${connId} is not a flow`);
    const last = --this.size;
    if (k !== last) {
      const moved = this.conn[last];
      this.conn[k] = moved;
      this.src[k] = this.src[last];
      this.remBytes[k] = this.remBytes[last];
      this.t0Us[k] = this.t0Us[last];
      this.rateBps[k] = this.rateBps[last];
      this.endUs[k] = this.endUs[last];
      this.levelBps[k] = this.levelBps[last];
      this.capBps[k] = this.capBps[last];
      this.slotByConn[moved] = k;
    }
    this.slotByConn[connId] = -1;
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
    this.remBytes = f64(this.remBytes);
    this.t0Us = f64(this.t0Us);
    this.rateBps = f64(this.rateBps);
    this.endUs = f64(this.endUs);
    this.levelBps = f64(this.levelBps);
    this.capBps = f64(this.capBps);
  }
}
