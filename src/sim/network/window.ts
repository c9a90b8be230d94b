// The per-connection rate cap beyond link sharing: a TCP-like congestion window (model "tcp"), or none (model
// "fluid", the no-window case: no cap, no clocks). The network asks a window for each flow's cap at every
// solve, tells it when a connection starts and stops being a flow, and lets it arm and step its own clocks.
//
// tcp (per connection): cwnd (bytes), cap = min(cwnd, rwnd) · 8e6 / RTT_us bps (RTT 0 → no cap).
// - A connection that becomes a flow and never sent before, or was idle for more than idleRestartUs
//   (slow-start restart), starts from cwnd = initialWindowBytes; otherwise cwnd is kept.
// - A flow is *cap-bound* when cap < its level (the rate it would get without its cap: the max-min level of
//   its links). After a solve, an active, cap-bound flow with cwnd < rwnd and a stopped doubling clock starts
//   it: RTT later, if it is still cap-bound, cwnd = min(2·cwnd, rwnd) (a rate change) and the clock stops (the
//   solve that follows restarts it if the flow is still cap-bound); if it is not, the clock just stops. Going
//   idle stops the clock.

import { assert } from "../../assert.ts";
import type { FlowTable } from "./flow-table.ts";
import { TimeHeap } from "./time-heap.ts";

export interface WindowConfig {
  /** IW10 = 10 × 1448. */
  initialWindowBytes: number;
  /** The cap on the window. */
  receiveWindowBytes: number;
  /** Slow-start restart after this idle time. */
  idleRestartUs: number;
}

/** A flow is cap-bound when its cap is below its level by more than this relative slack (solver noise). */
const CAP_BOUND_TOL = 1e-9;

/** What the network needs from a window model; methods taking the flow table act on its active rows. */
export interface FlowWindow {
  /** A connection opens (idle from now) with the given round-trip time. */
  open(connId: number, rttUs: number, nowUs: number): void;
  /** connId becomes an active flow. */
  start(connId: number, nowUs: number): void;
  /** connId stops being an active flow (idle from now). */
  stop(connId: number, nowUs: number): void;
  /** The flow's own rate cap now (bps; Infinity for none). */
  capBps(connId: number): number;
  /** After a solve (rate, cap and level of row k are current): arms the clock of a cap-bound flow. */
  solved(flows: FlowTable, k: number, nowUs: number): void;
  /** Runs the clocks due at nowUs; writes the connections whose cap changed to out and returns how many. */
  stepDue(flows: FlowTable, nowUs: number, out: number[]): number;
  /** The earliest pending clock (µs), Infinity for none. */
  nextUs(): number;
  /** The window of a connection (bytes; 0 before it first sent, always 0 without windows). */
  windowBytes(connId: number): number;
}

/** The fluid model: no cap, no clocks. */
export class NoWindow implements FlowWindow {
  open(): void {}
  start(): void {}
  stop(): void {}
  capBps(): number {
    return Infinity;
  }
  solved(): void {}
  stepDue(): number {
    return 0;
  }
  nextUs(): number {
    return Infinity;
  }
  windowBytes(): number {
    return 0;
  }
}

/** The tcp model's congestion windows, by connection id. */
export class TcpWindow implements FlowWindow {
  private readonly rttUs: number[] = [];
  private readonly cwndBytes: number[] = []; // 0 = never sent
  /** The running doubling clocks (connection id → when it fires); a stopped clock is absent. */
  private readonly clocks = new TimeHeap();
  private readonly idleSinceUs: number[] = [];
  private readonly due: number[] = [];

  constructor(private readonly config: WindowConfig) {
    assert(config.initialWindowBytes > 0, "tcp initial window must be positive");
    assert(config.receiveWindowBytes > 0, "tcp receive window must be positive");
    assert(config.idleRestartUs >= 0, "tcp idle restart must be ≥ 0");
  }

  open(connId: number, rttUs: number, nowUs: number): void {
    while (this.rttUs.length <= connId) {
      this.rttUs.push(0);
      this.cwndBytes.push(0);
      this.idleSinceUs.push(0);
    }
    this.rttUs[connId] = rttUs;
    this.idleSinceUs[connId] = nowUs;
  }

  start(connId: number, nowUs: number): void {
    const c = this.config;
    if (this.cwndBytes[connId] === 0 || nowUs - this.idleSinceUs[connId] > c.idleRestartUs) {
      this.cwndBytes[connId] = c.initialWindowBytes;
    }
    this.clocks.delete(connId);
  }

  stop(connId: number, nowUs: number): void {
    this.clocks.delete(connId);
    this.idleSinceUs[connId] = nowUs;
  }

  capBps(connId: number): number {
    const rtt = this.rttUs[connId];
    if (rtt <= 0) return Infinity;
    return (Math.min(this.cwndBytes[connId], this.config.receiveWindowBytes) * 8e6) / rtt;
  }

  solved(flows: FlowTable, k: number, nowUs: number): void {
    const c = flows.conn[k];
    if (
      this.cwndBytes[c] < this.config.receiveWindowBytes &&
      flows.capBps[k] < flows.levelBps[k] * (1 - CAP_BOUND_TOL) &&
      !this.clocks.has(c)
    ) {
      this.clocks.set(c, nowUs + Math.max(1, Math.round(this.rttUs[c])));
    }
  }

  stepDue(flows: FlowTable, nowUs: number, out: number[]): number {
    const rwnd = this.config.receiveWindowBytes;
    const d = this.clocks.collectDue(nowUs, this.due);
    let n = 0;
    for (let i = 0; i < d; i++) {
      const c = this.due[i];
      this.clocks.delete(c);
      const k = flows.slotOf(c); // a running clock belongs to an active flow (stop() removes it)
      if (flows.capBps[k] < flows.levelBps[k] * (1 - CAP_BOUND_TOL)) {
        this.cwndBytes[c] = Math.min(2 * this.cwndBytes[c], rwnd);
        out[n++] = c;
      }
    }
    return n;
  }

  nextUs(): number {
    return this.clocks.minTime();
  }

  windowBytes(connId: number): number {
    return this.cwndBytes[connId] ?? 0;
  }
}
