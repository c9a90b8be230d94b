// The testbed's bandwidth shaper: a token bucket per response stream, refilled at the stream's max-min fair
// share of its node's uplink (shared by the node's connections) and of an optional downlink shared by every
// node (the simulator's star, solved by the simulator's own solver, src/sim/network/maxmin.ts).
//
// Precision: a tick runs every TICK_MS (2 ms) while a stream is active. Each tick credits every stream with
// rate × (time since that stream was last credited, from the monotonic clock), so the long-run rate is exact
// whatever the timer's lateness; credit is capped at MAX_GAP_MS (100 ms) of the rate: a process kept off the
// cores for longer than that (a loaded machine) loses bandwidth rather than bursting more than 100 ms worth. Bytes leave in bursts of one tick's
// credit (2 ms at the nominal tick), so a receiver sees the rate to within one tick; a sub-block of S bytes at
// rate R ends within about 2 ms (+ the event loop's lateness) of S·8/R after its first byte. A stream is
// credited from the moment it should have started (`sinceMs`, the answer's due time), not from when a late
// timer got to it: the bytes it should already have sent leave at once (up to the 100 ms cap), so a late
// start costs the first byte its lateness but not the last. Streams whose socket buffer is full
// (backpressure) take no share until it drains.

import { MaxMinScratch, solveMaxMin } from "../sim/network/maxmin.ts";

export const TICK_MS = 2;
export const MAX_GAP_MS = 100;

export interface ShapedStream {
  /** Index of the node sending it. */
  readonly node: number;
  /** Bytes still to send. */
  remaining(): number;
  /** False while the socket cannot take more (backpressure). */
  writable(): boolean;
  /** Sends n > 0 bytes now (n ≤ remaining()). */
  send(n: number): void;
}

export class Shaper {
  private readonly streams = new Set<ShapedStream>();
  private readonly credit = new Map<ShapedStream, number>();
  /** When each stream was last credited (performance.now() ms). */
  private readonly creditedMs = new Map<ShapedStream, number>();
  private kick: NodeJS.Immediate | null = null;
  private readonly nodeBps: number[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly scratch = new MaxMinScratch();

  /** downlinkBps: a cap shared by every stream (Infinity: none). */
  constructor(private downlinkBps = Infinity) {}

  setNodeRate(node: number, bps: number): void {
    if (!(bps >= 0)) throw new RangeError(`node rate must be ≥ 0, got ${bps}`);
    this.nodeBps[node] = bps;
  }

  nodeRate(node: number): number {
    return this.nodeBps[node] ?? 0;
  }

  setDownlink(bps: number): void {
    this.downlinkBps = bps;
  }

  /** Adds a stream credited from sinceMs (a performance.now() time, at most now); it is served at once. */
  add(s: ShapedStream, sinceMs = performance.now()): void {
    this.streams.add(s);
    this.credit.set(s, 0);
    this.creditedMs.set(s, Math.min(sinceMs, performance.now()));
    if (this.timer === null) {
      this.timer = setInterval(() => this.tick(), TICK_MS);
    }
    this.kick ??= setImmediate(() => {
      this.kick = null;
      if (this.streams.size > 0) this.tick();
    });
  }

  remove(s: ShapedStream): void {
    this.streams.delete(s);
    this.credit.delete(s);
    this.creditedMs.delete(s);
    if (this.streams.size === 0 && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
      if (this.kick !== null) clearImmediate(this.kick);
      this.kick = null;
    }
  }

  get active(): number {
    return this.streams.size;
  }

  stop(): void {
    for (const s of [...this.streams]) this.remove(s);
  }

  /** One refill-and-send round (public for tests, which call it with a chosen elapsed time for every stream). */
  tick(elapsedMs?: number): void {
    const now = performance.now();
    const flows: ShapedStream[] = [];
    for (const s of this.streams) {
      if (s.remaining() > 0 && s.writable()) flows.push(s);
      else this.creditedMs.set(s, now); // no share while blocked: nothing to catch up on afterwards
    }
    if (flows.length === 0) return;
    let nNodes = 0;
    for (const s of flows) nNodes = Math.max(nNodes, s.node + 1);
    const flowNode = new Int32Array(flows.length);
    const flowCap = new Float64Array(flows.length).fill(Infinity);
    const nodeCap = new Float64Array(nNodes);
    for (let n = 0; n < nNodes; n++) nodeCap[n] = this.nodeBps[n] ?? 0;
    flows.forEach((s, i) => {
      flowNode[i] = s.node;
    });
    const rate = new Float64Array(flows.length);
    const level = new Float64Array(nNodes);
    solveMaxMin(flows.length, flowNode, flowCap, nNodes, nodeCap, this.downlinkBps, rate, level, this.scratch);
    for (let i = 0; i < flows.length; i++) {
      const s = flows[i];
      const r = rate[i];
      const dtMs = Math.min(MAX_GAP_MS, Math.max(0, elapsedMs ?? now - (this.creditedMs.get(s) ?? now)));
      this.creditedMs.set(s, now);
      const cap = (r * MAX_GAP_MS) / 8000;
      const c = Math.min(cap, (this.credit.get(s) ?? 0) + (r * dtMs) / 8000);
      const n = Math.min(Math.floor(c), s.remaining());
      this.credit.set(s, c - n);
      if (n > 0) s.send(n);
    }
  }
}
