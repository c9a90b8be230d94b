// Max-min fair sharing of the hosts' links among the active flows, recomputed incrementally. The network
// reports every change (a flow starts or ends, a flow's cap changes, a link's capacity changes); solve() then
// returns new rates for the flows whose rates may have moved, and only for those.
//
// Two solvers, chosen at each solve:
// - Star (every active flow has the same destination, as in every single-agent world): all flows share that
//   destination's downlink and each crosses its source's uplink. The whole set is solved at once by the star
//   solver (maxmin.ts), in flow-table order, exactly as before hosts existed: single-agent runs keep their
//   fingerprints.
// - General (several destinations): progressive filling (maxmin-general.ts) over a set A of flows, the others
//   (B) keeping their rates, each link's capacity reduced by what B uses on it. A starts with the flows a change
//   can move directly: the changed flow, and the flows whose bottleneck is a link the change touched (all
//   flows of a link whose capacity changed). The result is max-min fair for the whole network exactly when
//   every flow has a bottleneck (a saturated link where no flow gets more, or its own cap); that still holds
//   for B flows whose bottleneck link carries no A flow, so only the links A crosses are checked:
//     (i)  a link that froze A flows at level λ carries no B flow above λ;
//     (ii) a B flow whose bottleneck is the link still finds it saturated, with no A flow above it.
//   Where a check fails, the link's B flows join A and A is solved again. So the cost follows the part of the
//   network whose rates move, not the swarm. After MAX_ROUNDS rounds A becomes the whole connected component
//   (over links of finite capacity), which needs no check. The first general solve after star solves covers
//   every flow (the star solver does not record bottlenecks).
// Invariants (asserted after every solve, on the links solved): no link carries more than its capacity, no
// negative rate, nothing through a link of capacity 0.

import { fail } from "../../assert.ts";
import { BY_CAP, BY_DOWNLINK, BY_UPLINK, type FlowTable } from "./flow-table.ts";
import { downLink, Links, upLink } from "./links.ts";
import { FROZEN_BY_CAP, MaxMinFiller } from "./maxmin-general.ts";
import { MaxMinScratch, solveMaxMin } from "./maxmin.ts";

/** Relative slack of the capacity invariants and the bottleneck checks (floating-point noise of the solvers). */
const TOL = 1e-9;
/** Absolute slack of the same (bps). */
const ABS_TOL_BPS = 1e-6;
/** Rounds of checks and growth of A before A becomes the whole component (by default). */
export const MAX_ROUNDS = 8;

/** Statistics of the solves so far (benchmarks and tests). */
export interface SharingStats {
  starSolves: number;
  generalSolves: number;
  /** Flows given a new rate by general solves, summed. */
  generalFlows: number;
  /** Rounds of general solves, summed (1 per solve when no check fails). */
  generalRounds: number;
  /** General solves that fell back to the whole component. */
  componentFallbacks: number;
}

/** A scratch buffer of at least n entries (its content is not kept). */
const growI32 = (a: Int32Array<ArrayBuffer>, n: number): Int32Array<ArrayBuffer> =>
  a.length >= n ? a : new Int32Array(Math.max(n, 2 * a.length));
const growF64 = (a: Float64Array<ArrayBuffer>, n: number): Float64Array<ArrayBuffer> =>
  a.length >= n ? a : new Float64Array(Math.max(n, 2 * a.length));

export class Sharing {
  readonly links: Links;
  readonly stats: SharingStats = {
    starSolves: 0,
    generalSolves: 0,
    generalFlows: 0,
    generalRounds: 0,
    componentFallbacks: 0,
  };

  private dirty = false;
  /** The next general solve covers every flow. */
  private full = true;
  /** Connections whose rates a change may move directly (general solver; duplicates and ended flows allowed). */
  private seeds: number[] = [];

  // ---- the result of a solve: slot, rate, level and bottleneck of the flows whose rates were recomputed --------
  outCount = 0;
  outSlot = new Int32Array(64);
  outRate = new Float64Array(64);
  outLevel = new Float64Array(64);
  outBottleneck = new Int32Array(64);

  // ---- star solver buffers: flows by slot, hosts by local index (first appearance among the flows) -----------
  private flowLocal = new Int32Array(64);
  private localCap = new Float64Array(64);
  private localLevel = new Float64Array(64);
  private localUsed = new Float64Array(64);
  private localHost = new Int32Array(64);
  private readonly hostStamp: number[] = [];
  private readonly hostLocal: number[] = [];
  private stamp = 0;
  private readonly scratch = new MaxMinScratch();

  // ---- general solver buffers: A's flows, A's links (local ids), membership stamps -----------------------------
  private readonly filler = new MaxMinFiller();
  private aConn = new Int32Array(64);
  private aSlot = new Int32Array(64);
  private aUp = new Int32Array(64);
  private aDown = new Int32Array(64);
  private aCap = new Float64Array(64);
  private aRate = new Float64Array(64);
  private aFrozenBy = new Int32Array(64);
  private nA = 0;
  private inA = new Int32Array(64); // by connection id: the solve stamp while in A
  private aIndex = new Int32Array(64); // by connection id: its index in A
  private aStamp = 0;
  private linkLocal = new Int32Array(64); // by link id
  private linkStamp = new Int32Array(64);
  private lStamp = 0;
  private lGlobal = new Int32Array(64); // by local link id
  private lCap = new Float64Array(64); // capacity left for A
  private lLevel = new Float64Array(64);
  private nL = 0;

  constructor(
    efficiency: number,
    /** Rounds of checks before the whole component is solved (0: always the whole component). */
    private readonly maxRounds = MAX_ROUNDS,
  ) {
    this.links = new Links(efficiency);
  }

  // ---- changes --------------------------------------------------------------------------------------------------

  addHost(uplinkBps: number, downlinkBps: number): number {
    const h = this.links.addHost(uplinkBps, downlinkBps);
    this.hostStamp.push(-1);
    this.hostLocal.push(0);
    if (this.linkLocal.length < 2 * h + 2) {
      const m = Math.max(2 * h + 2, 2 * this.linkLocal.length);
      const stamps = new Int32Array(m);
      stamps.set(this.linkStamp);
      this.linkStamp = stamps;
      this.linkLocal = new Int32Array(m);
    }
    return h;
  }

  setUplink(host: number, bps: number): void {
    if (this.links.setUplink(host, bps)) this.capacityChanged(upLink(host));
  }

  setFactor(host: number, factor: number): void {
    if (this.links.setFactor(host, factor)) this.capacityChanged(upLink(host));
  }

  setDownlink(host: number, bps: number): void {
    if (this.links.setDownlink(host, bps)) this.capacityChanged(downLink(host));
  }

  /** Row k of the table became an active flow (its cap is set). */
  flowStarted(flows: FlowTable, k: number): void {
    const c = flows.conn[k];
    if (this.inA.length <= c) {
      const m = Math.max(c + 1, 2 * this.inA.length);
      const inA = new Int32Array(m);
      inA.set(this.inA);
      this.inA = inA;
      this.aIndex = new Int32Array(m);
    }
    this.links.add(c, flows.src[k], flows.dst[k]);
    this.dirty = true;
    if (this.seeding()) {
      this.seeds.push(c);
      this.seedBottlenecked(flows, upLink(flows.src[k]), BY_UPLINK);
      this.seedBottlenecked(flows, downLink(flows.dst[k]), BY_DOWNLINK);
    }
  }

  /** Row k of the table is about to stop being an active flow. */
  flowEnding(flows: FlowTable, k: number): void {
    this.links.remove(flows.conn[k], flows.src[k], flows.dst[k]);
    this.dirty = true;
    if (this.seeding()) {
      this.seedBottlenecked(flows, upLink(flows.src[k]), BY_UPLINK);
      this.seedBottlenecked(flows, downLink(flows.dst[k]), BY_DOWNLINK);
    }
  }

  /** Row k's cap changed. */
  capChanged(flows: FlowTable, k: number): void {
    this.dirty = true;
    if (this.seeding()) {
      this.seeds.push(flows.conn[k]);
      this.seedBottlenecked(flows, upLink(flows.src[k]), BY_UPLINK);
      this.seedBottlenecked(flows, downLink(flows.dst[k]), BY_DOWNLINK);
    }
  }

  private capacityChanged(link: number): void {
    const on = this.links.flows(link);
    if (on.length === 0) return;
    this.dirty = true;
    if (this.seeding()) for (let i = 0; i < on.length; i++) this.seeds.push(on[i]);
  }

  /**
   * Seeds are kept only while an incremental general solve can use them: once the flows have one destination
   * (or none), the next general solve covers every flow.
   */
  private seeding(): boolean {
    if (this.full) return false;
    if (this.links.activeDestinations > 1) return true;
    this.full = true;
    this.seeds.length = 0;
    return false;
  }

  private seedBottlenecked(flows: FlowTable, link: number, code: number): void {
    const on = this.links.flows(link);
    for (let i = 0; i < on.length; i++) {
      if (flows.bottleneck[flows.slotOf(on[i])] === code) this.seeds.push(on[i]);
    }
  }

  // ---- queries --------------------------------------------------------------------------------------------------

  get needsSolve(): boolean {
    return this.dirty;
  }

  /** The next solve is a star solve: it will overwrite the rate of every row. */
  get solvesAll(): boolean {
    return this.links.activeDestinations <= 1;
  }

  /** Σ rates of the active flows on a link. */
  linkRateBps(flows: FlowTable, link: number): number {
    const on = this.links.flows(link);
    let sum = 0;
    for (let i = 0; i < on.length; i++) sum += flows.rateBps[flows.slotOf(on[i])];
    return sum;
  }

  // ---- solving --------------------------------------------------------------------------------------------------

  /**
   * New rates for the flows whose rates may have changed (caps must be current in flows.capBps): a star solve
   * (solvesAll) writes the rates and levels of every row into the table, so the caller settles every row
   * first; a general solve leaves the table alone and gives out*[0..outCount-1]. Returns outCount.
   */
  solve(flows: FlowTable): number {
    this.dirty = false;
    this.outCount = 0;
    if (flows.size === 0) {
      if (this.seeds.length > 0) this.seeds.length = 0;
      return 0;
    }
    this.ensureOut(flows.size);
    if (this.solvesAll) {
      if (this.seeds.length > 0) this.seeds.length = 0;
      this.full = true;
      this.stats.starSolves++;
      this.solveStar(flows);
    } else {
      if (this.full) {
        this.seeds.length = 0;
        for (let k = 0; k < flows.size; k++) this.seeds.push(flows.conn[k]);
        this.full = false;
      }
      this.stats.generalSolves++;
      this.solveGeneral(flows);
    }
    return this.outCount;
  }

  private ensureOut(n: number): void {
    if (this.outSlot.length >= n) return;
    const m = Math.max(n, 2 * this.outSlot.length);
    this.outSlot = new Int32Array(m);
    this.outRate = new Float64Array(m);
    this.outLevel = new Float64Array(m);
    this.outBottleneck = new Int32Array(m);
  }

  /** Every flow at once, through the star solver (one destination). */
  private solveStar(flows: FlowTable): void {
    const nFlows = flows.size;
    if (this.flowLocal.length < nFlows) {
      const n = flows.conn.length;
      this.flowLocal = new Int32Array(n);
      this.localCap = new Float64Array(n);
      this.localLevel = new Float64Array(n);
      this.localUsed = new Float64Array(n);
      this.localHost = new Int32Array(n);
    }
    const stamp = ++this.stamp;
    const { flowLocal, localCap, localLevel, localUsed, localHost, hostStamp, hostLocal, links } = this;
    const outRate = flows.rateBps;
    const outLevel = flows.levelBps;
    const src = flows.src;
    let nHosts = 0;
    for (let k = 0; k < nFlows; k++) {
      const host = src[k];
      if (hostStamp[host] !== stamp) {
        hostStamp[host] = stamp;
        hostLocal[host] = nHosts;
        localHost[nHosts] = host;
        localCap[nHosts] = links.uplinkCapBps(host);
        localUsed[nHosts] = 0;
        nHosts++;
      }
      flowLocal[k] = hostLocal[host];
    }
    const downlink = this.links.capBps(downLink(flows.dst[0]));
    solveMaxMin(nFlows, flowLocal, flows.capBps, nHosts, localCap, downlink, outRate, localLevel, this.scratch);

    // Invariants, checked without allocating on the success path (this runs at every rate change).
    let total = 0;
    for (let k = 0; k < nFlows; k++) {
      const r = outRate[k];
      const local = flowLocal[k];
      if (!(r >= 0)) fail("negative rate {0} on conn {1}", r, flows.conn[k]);
      if (r > 0 && !(localCap[local] > 0))
        fail("conn {0} sends from a host with no capacity", flows.conn[k]);
      localUsed[local] += r;
      total += r;
      outLevel[k] = localLevel[local];
    }
    if (!(total <= downlink * (1 + TOL) + ABS_TOL_BPS)) {
      fail("downlink over capacity: {0} > {1} bps", total, downlink);
    }
    for (let h = 0; h < nHosts; h++) {
      const cap = localCap[h];
      if (!(localUsed[h] <= cap * (1 + TOL) + ABS_TOL_BPS)) {
        fail("host {0} over capacity: {1} > {2} bps", localHost[h], localUsed[h], cap);
      }
    }
    this.outCount = nFlows;
  }

  /** The flows of the seeds and whatever the checks add, through progressive filling. */
  private solveGeneral(flows: FlowTable): void {
    this.nA = 0;
    const stamp = ++this.aStamp;
    const seeds = this.seeds;
    this.ensureBuffers(flows);
    for (let i = 0; i < seeds.length; i++) this.addToA(flows, seeds[i], stamp);
    seeds.length = 0;
    if (this.nA === 0) return;

    // At most maxRounds + 1 rounds: the last one solves the whole component, which needs no check.
    let rounds = 0;
    for (;;) {
      rounds++;
      const whole = rounds > this.maxRounds;
      if (whole) {
        this.stats.componentFallbacks++;
        this.growToComponent(flows, stamp);
      }
      this.fill(flows, stamp);
      if (!this.check(flows, stamp, !whole)) break;
    }
    this.stats.generalRounds += rounds;
    this.stats.generalFlows += this.nA;

    for (let i = 0; i < this.nA; i++) {
      const r = this.aRate[i];
      if (!(r >= 0 && r < Infinity)) fail("bad rate {0} on conn {1}", r, this.aConn[i]);
      this.outSlot[i] = this.aSlot[i];
      this.outRate[i] = r;
      this.outLevel[i] = Math.min(this.lLevel[this.aUp[i]], this.lLevel[this.aDown[i]]);
      const by = this.aFrozenBy[i];
      this.outBottleneck[i] = by === FROZEN_BY_CAP ? BY_CAP : by === this.aUp[i] ? BY_UPLINK : BY_DOWNLINK;
    }
    this.outCount = this.nA;
  }

  private ensureBuffers(flows: FlowTable): void {
    const n = flows.conn.length; // ≥ the active flows
    this.aConn = growI32(this.aConn, n);
    this.aSlot = growI32(this.aSlot, n);
    this.aUp = growI32(this.aUp, n);
    this.aDown = growI32(this.aDown, n);
    this.aCap = growF64(this.aCap, n);
    this.aRate = growF64(this.aRate, n);
    this.aFrozenBy = growI32(this.aFrozenBy, n);
    this.lGlobal = growI32(this.lGlobal, 2 * n);
    this.lCap = growF64(this.lCap, 2 * n);
    this.lLevel = growF64(this.lLevel, 2 * n);
  }

  private addToA(flows: FlowTable, conn: number, stamp: number): void {
    const k = flows.slotOf(conn);
    if (k < 0 || this.inA[conn] === stamp) return; // ended since it was seeded, or already in
    this.inA[conn] = stamp;
    const i = this.nA++;
    this.aIndex[conn] = i;
    this.aConn[i] = conn;
    this.aSlot[i] = k;
    this.aCap[i] = flows.capBps[k];
  }

  /** A grows to every flow connected to it through links of finite capacity. */
  private growToComponent(flows: FlowTable, stamp: number): void {
    // Breadth first: A's list is the queue (bounded by the active flows, each added once).
    for (let i = 0; i < this.nA; i++) {
      const k = this.aSlot[i];
      this.addLinkToA(flows, upLink(flows.src[k]), stamp);
      this.addLinkToA(flows, downLink(flows.dst[k]), stamp);
    }
  }

  private addLinkToA(flows: FlowTable, link: number, stamp: number): void {
    if (!(this.links.capBps(link) < Infinity)) return; // never full: it binds nobody together
    const on = this.links.flows(link);
    for (let j = 0; j < on.length; j++) this.addToA(flows, on[j], stamp);
  }

  /** Progressive filling of A on the capacity its links have left after the B flows. */
  private fill(flows: FlowTable, stamp: number): void {
    const ls = ++this.lStamp;
    this.nL = 0;
    for (let i = 0; i < this.nA; i++) {
      const k = this.aSlot[i];
      this.aUp[i] = this.localLink(flows, upLink(flows.src[k]), ls, stamp);
      this.aDown[i] = this.localLink(flows, downLink(flows.dst[k]), ls, stamp);
    }
    this.filler.solve(
      this.nA,
      this.aUp,
      this.aDown,
      this.aCap,
      this.nL,
      this.lCap,
      this.aRate,
      this.aFrozenBy,
      this.lLevel,
    );
  }

  /** The local id of a link in this round (its capacity left for A computed on first sight). */
  private localLink(flows: FlowTable, link: number, ls: number, stamp: number): number {
    if (this.linkStamp[link] === ls) return this.linkLocal[link];
    this.linkStamp[link] = ls;
    const l = this.nL++;
    this.linkLocal[link] = l;
    this.lGlobal[l] = link;
    let left = this.links.capBps(link);
    if (left < Infinity) {
      const on = this.links.flows(link);
      for (let j = 0; j < on.length; j++) {
        if (this.inA[on[j]] !== stamp) left -= flows.rateBps[flows.slotOf(on[j])];
      }
      if (left < 0) left = 0; // floating-point noise of earlier solves
    }
    this.lCap[l] = left;
    return l;
  }

  /**
   * Checks A's links (capacity always; the bottleneck rules (i) and (ii) when `rules`): adds the B flows of
   * every link that fails to A. Returns true when A grew (solve again).
   */
  private check(flows: FlowTable, stamp: number, rules: boolean): boolean {
    const nA0 = this.nA; // flows added to A by this check have no rate yet: they count as B until solved

    for (let l = 0; l < this.nL; l++) {
      const link = this.lGlobal[l];
      const cap = this.links.capBps(link);
      const on = this.links.flows(link);
      let total = 0;
      let maxA = 0;
      let maxB = 0;
      for (let j = 0; j < on.length; j++) {
        const c = on[j];
        if (this.inA[c] === stamp && this.aIndex[c] < nA0) {
          const r = this.aRate[this.aIndex[c]];
          total += r;
          if (r > maxA) maxA = r;
          if (r > 0 && !(cap > 0)) fail("conn {0} crosses a link of capacity 0 at {1} bps", c, r);
        } else {
          const r = flows.rateBps[flows.slotOf(c)];
          total += r;
          if (r > maxB) maxB = r;
        }
      }
      if (!(total <= cap * (1 + TOL) + ABS_TOL_BPS)) {
        fail("{0} of host {1} over capacity: {2} > {3} bps", link & 1 ? "downlink" : "uplink", link >> 1, total, cap);
      }
      if (!rules || on.length === 0 || maxB === 0) continue;
      const level = this.lLevel[l];
      let bad = level < Infinity && level < maxB * (1 - TOL) - ABS_TOL_BPS; // (i)
      if (!bad) {
        const code = (link & 1) === 0 ? BY_UPLINK : BY_DOWNLINK;
        const saturated = total >= cap * (1 - TOL) - ABS_TOL_BPS;
        for (let j = 0; j < on.length && !bad; j++) {
          const c = on[j];
          if (this.inA[c] === stamp && this.aIndex[c] < nA0) continue;
          const k = flows.slotOf(c);
          if (flows.bottleneck[k] !== code) continue;
          bad = !saturated || flows.rateBps[k] < maxA * (1 - TOL) - ABS_TOL_BPS; // (ii)
        }
      }
      if (bad) for (let j = 0; j < on.length; j++) this.addToA(flows, on[j], stamp);
    }
    return this.nA > nA0;
  }
}
