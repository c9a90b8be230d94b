// The run-level throughput bound: the earliest the whole content could have arrived from the sources the agent
// really had, whatever the strategy (it binds strategies that pipeline blocks too, where per-block bounds do not).
//
// Sources: every node the agent had a connection open to during the run, from one RTT after that connection
// first opened (connection set-up, then one request RTT: the earliest a byte can come from it) to the end of
// the run, at the capacity it really had (uplink after load, traces, stalls, slow-downs; 0 while offline).
// At most M of them deliver at any instant, M being the most connections the agent ever had open (or closing
// gracefully) at once, so at each instant they count for the sum of the M largest capacities; the downlink caps
// the total:
//   bound = min T with ∫_0^T min(C(t), Σ of the M largest capacities available at t) dt ≥ content bits.
// A node the agent never connected to is not a source: it could only have delivered through a connection.
// Observer only: nothing here feeds back into the simulation.

import { assert } from "../../assert.ts";

/** Node id of the downlink in the capacity log (as in block-bound.ts). */
const LINK = -1;
/** Capacity changes kept (a churning swarm logs one per join or leave of a connected node). Past it: no bound. */
const MAX_LOG = 1 << 20;

export class ThroughputBound {
  private readonly startDownlinkBps: number;
  /** Per connected node: when it becomes a source, and its capacity when its first connection opened (bits/s). */
  private readonly availableAt = new Map<number, number>();
  private readonly openingRate = new Map<number, number>();
  // Capacity changes of connected nodes and of the downlink, in time order.
  private readonly logTimeUs: number[] = [];
  private readonly logNode: number[] = [];
  private readonly logRateBps: number[] = [];
  private overflow = false;
  private maxLive = 0;

  constructor(downlinkBps: number) {
    this.startDownlinkBps = downlinkBps;
  }

  /** A connection to `node` opened at timeUs: it can deliver from delayUs later, at rateBps as of now. */
  sourceOpened(timeUs: number, node: number, delayUs: number, rateBps: number): void {
    if (!this.availableAt.has(node)) {
      this.availableAt.set(node, timeUs + delayUs);
      this.openingRate.set(node, rateBps);
    }
  }

  /** A node's capacity (or the downlink's, node = -1) became rateBps at timeUs. */
  capacityChanged(timeUs: number, node: number, rateBps: number): void {
    if (node !== LINK && !this.availableAt.has(node)) return; // not a source (yet): its capacity then is noted on opening
    if (this.logTimeUs.length >= MAX_LOG) {
      this.overflow = true;
      return;
    }
    this.logTimeUs.push(timeUs);
    this.logNode.push(node);
    this.logRateBps.push(rateBps);
  }

  /** The number of connections open (or closing gracefully) changed to `count`. */
  connectionsLive(count: number): void {
    this.maxLive = Math.max(this.maxLive, count);
  }

  /** The bound in µs (not rounded) for sizeBytes; Infinity when the sources could never deliver it, NaN when the log overflowed. */
  boundUs(sizeBytes: number): number {
    if (this.overflow) return Number.NaN;
    const bits = sizeBytes * 8;
    if (bits === 0) return 0;
    const M = this.maxLive;
    if (M === 0) return Number.POSITIVE_INFINITY;
    // Events in time order: a node becoming a source, a capacity change. Each node's capacity starts at its value
    // when its connection opened; the log holds its changes from then on.
    const nodes = [...this.availableAt.keys()];
    const avail = nodes.map((n) => ({ node: n, at: this.availableAt.get(n)! })).sort((a, b) => a.at - b.at || a.node - b.node);
    const current = new Map<number, number>();
    for (const n of nodes) current.set(n, this.openingRate.get(n)!);
    const usable = new Set<number>();
    let link = this.startDownlinkBps;
    let t = 0;
    let got = 0;
    let a = 0;
    let k = 0;
    const topSum = (): number => {
      const caps: number[] = [];
      for (const n of usable) caps.push(Math.max(0, current.get(n)!));
      caps.sort((x, y) => y - x);
      let s = 0;
      for (let i = 0; i < Math.min(M, caps.length); i++) s += caps[i];
      return s;
    };
    let sum = 0;
    for (let steps = 0; steps <= avail.length + this.logTimeUs.length + 1; steps++) {
      const nextAvail = a < avail.length ? avail[a].at : Number.POSITIVE_INFINITY;
      const nextChange = k < this.logTimeUs.length ? this.logTimeUs[k] : Number.POSITIVE_INFINITY;
      const point = Math.min(nextAvail, nextChange);
      const r = Math.min(link, sum) / 1e6; // bits per µs
      if (r > 0 && got + r * (point - t) >= bits) return t + (bits - got) / r;
      if (point === Number.POSITIVE_INFINITY) return Number.POSITIVE_INFINITY;
      if (r > 0) got += r * (point - t);
      t = point;
      while (k < this.logTimeUs.length && this.logTimeUs[k] <= t) {
        if (this.logNode[k] === LINK) link = this.logRateBps[k];
        else current.set(this.logNode[k], this.logRateBps[k]);
        k++;
      }
      while (a < avail.length && avail[a].at <= t) usable.add(avail[a++].node);
      sum = topSum();
    }
    assert(false, "throughput bound walk did not end");
  }
}
