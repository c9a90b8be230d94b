// Connections whose head sub-block is not eligible yet (its request has not reached the node), each with its
// wake-up time (the ceil of the head's readyAt, µs). The list's order decides the order in which connections
// due at the same instant become flows (and so the flow table's row order): it is the order of a scan from the
// front where a removal moves the last entry into the freed position. A heap of the wake-up times finds the
// earliest one and the due ones without scanning the list.

import { fail } from "../../assert.ts";
import { sortAscending } from "./flow-table.ts";
import { TimeHeap } from "./time-heap.ts";

export class WaitList {
  private readonly conns: number[] = [];
  private readonly wakeUs: number[] = [];
  /** Position of each connection id in the list, -1 when it is not waiting. */
  private readonly posByConn: number[] = [];
  private readonly heap = new TimeHeap();
  private readonly due: number[] = [];

  has(connId: number): boolean {
    return (this.posByConn[connId] ?? -1) >= 0;
  }

  add(connId: number, wakeUs: number): void {
    if (this.has(connId)) fail("conn {0} is already waiting", connId);
    while (this.posByConn.length <= connId) this.posByConn.push(-1);
    this.posByConn[connId] = this.conns.length;
    this.conns.push(connId);
    this.wakeUs.push(wakeUs);
    this.heap.set(connId, wakeUs);
  }

  remove(connId: number): void {
    const pos = this.posByConn[connId] ?? -1;
    if (!(pos >= 0)) fail("conn {0} is not waiting", connId);
    const last = this.conns.pop()!;
    const lastWake = this.wakeUs.pop()!;
    if (last !== connId) {
      this.conns[pos] = last;
      this.wakeUs[pos] = lastWake;
      this.posByConn[last] = pos;
    }
    this.posByConn[connId] = -1;
    this.heap.delete(connId);
  }

  /** The earliest wake-up (µs), Infinity when nobody waits. */
  earliestUs(): number {
    return this.heap.minTime();
  }

  /**
   * Removes every connection due at nowUs, writing them to out[0..n-1] in scan order, and returns n. The scan
   * visits only the due positions, in ascending order: a removal moves the last entry into the position just
   * visited (where it is looked at again), and never into a position ahead of the scan.
   */
  takeDue(nowUs: number, out: number[]): number {
    const d = this.heap.collectDue(nowUs, this.due);
    if (d === 0) return 0;
    for (let i = 0; i < d; i++) this.due[i] = this.posByConn[this.due[i]];
    sortAscending(this.due, d);
    let n = 0;
    for (let i = 0; i < d; i++) {
      const p = this.due[i];
      while (p < this.conns.length && this.wakeUs[p] <= nowUs) {
        const c = this.conns[p];
        this.remove(c);
        out[n++] = c;
      }
    }
    return n;
  }
}
