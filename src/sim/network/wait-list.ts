// Connections whose head sub-block is not eligible yet (its request has not reached the node), each with its
// wake-up time (the ceil of the head's readyAt, µs). Removal swaps the last entry in (a deterministic order).
// The earliest wake-up is cached: exact unless stale, never above the exact value (a removal can only raise it),
// so events before it need not scan the list.

import { invariant } from "../kernel/kernel.ts";

export class WaitList {
  private readonly conns: number[] = [];
  private readonly wakeUs: number[] = [];
  /** Position of each connection id in the list, -1 when it is not waiting. */
  private readonly posByConn: number[] = [];
  private minUs = Infinity;
  private minStale = false;

  has(connId: number): boolean {
    return (this.posByConn[connId] ?? -1) >= 0;
  }

  add(connId: number, wakeUs: number): void {
    if (this.has(connId)) invariant(false, `conn ${connId} is already waiting`);
    while (this.posByConn.length <= connId) this.posByConn.push(-1);
    this.posByConn[connId] = this.conns.length;
    this.conns.push(connId);
    this.wakeUs.push(wakeUs);
    if (wakeUs < this.minUs) this.minUs = wakeUs;
  }

  remove(connId: number): void {
    const pos = this.posByConn[connId] ?? -1;
    if (!(pos >= 0)) invariant(false, `conn ${connId} is not waiting`);
    const last = this.conns.pop()!;
    const lastWake = this.wakeUs.pop()!;
    if (last !== connId) {
      this.conns[pos] = last;
      this.wakeUs[pos] = lastWake;
      this.posByConn[last] = pos;
    }
    this.posByConn[connId] = -1;
    this.minStale = true;
  }

  /** The earliest wake-up (µs), Infinity when nobody waits. */
  earliestUs(): number {
    if (this.minStale) {
      let min = Infinity;
      for (let i = 0; i < this.wakeUs.length; i++) if (this.wakeUs[i] < min) min = this.wakeUs[i];
      this.minUs = min;
      this.minStale = false;
    }
    return this.minUs;
  }

  /** Removes every connection due at nowUs, writing them to out[0..n-1] in list order; returns n. */
  takeDue(nowUs: number, out: number[]): number {
    if (nowUs < this.minUs) return 0; // nobody is due before the (never too late) cached minimum
    let n = 0;
    for (let i = 0; i < this.conns.length; ) {
      const c = this.conns[i];
      if (this.wakeUs[i] <= nowUs) {
        this.remove(c);
        out[n++] = c;
      } else i++;
    }
    return n;
  }
}
