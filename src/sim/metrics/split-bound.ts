// T_g, the split bound of a block: the earliest the block can end when its whole sub-blocks are split over its
// sources in the way that ends it soonest. The model (what a perfect block-rule scheduler could do):
// - one request per source at the block start, holding that source's sub-blocks back to back; source i's first
//   byte comes delaysUs[i] after the start (its RTT, or its connection's opening + RTT for one opened later);
// - every source that has bytes left sends them as one flow; the flows share the agent's downlink max-min
//   (each gets min(its capacity, the water level)), recomputed at every start, end and capacity change;
// - capacities are those the sources really had over time (piecewise constant, from the capacity log).
// A split gives source i k_i sub-blocks (Σ k_i = the block's count; the short last sub-block, if any, goes to
// one source); its end F(k) is when the last flow ends. T_g = min over splits of F(k).
//
// Method. F is monotone: adding a sub-block to any source never makes any flow end sooner (with more bytes a
// flow stays active longer, which can only lower the water level the others get; by induction over the events,
// every flow's delivered bytes are pointwise no more than before). It is not separable: a flow slowed by sharing
// can end after both its own-capacity time and the downlink-only time, so the plain earliest-finish greedy is
// exact only when the downlink never binds. The search runs the max-min flows forward in time and branches
// where a split makes a choice: when a source's first byte could come (use it or not) and when a flow ends a
// sub-block (take another one, take the short last one, or stop). Every split is exactly one path, and sources
// that are indistinguishable (same delay and capacity, never changed) take non-increasing counts. A node is cut
// when it cannot end before the best split found so far, by three sound tests:
//   - the sub-blocks still to place do not fit in what each source could still deliver alone by then (its own
//     capacity, capped by the downlink), counted in whole sub-blocks after its current one;
//   - the bytes still to deliver do not fit through ∫ min(downlink, Σ capacities of the sources still usable);
//   - a flow cannot even end its current sub-block by then.
// The first split tried is the earliest-finish greedy's (exact when the downlink never binds: its end then equals
// the whole-sub-block bound, and the search is skipped). The search visits a bounded number of nodes (SPLIT_BUDGET);
// past it, a few smaller searches try to prove that nothing ends before 0.1%, 0.3%, 1% or 3% less than the best split found,
// and T_g becomes the best such proven value (or the root lower bound): still a lower bound, flagged inexact.
// Observer code: deterministic (node counts, never wall-clock time), allocation-light, never touches the run.

import { assert } from "../../assert.ts";

/** Source index of the downlink in a list of capacity changes. */
export const DOWNLINK = -1;

/**
 * The search's budget, in nodes × sources (a node costs about one pass over the sources): the exact search gets
 * it all, each proof that nothing ends sooner than a fraction below the best split gets a quarter. 400,000 is
 * 40,000 nodes for 10 sources, 8,000 for 50.
 */
export const SPLIT_BUDGET = 400_000;
const LADDER_GAPS = [0.001, 0.003, 0.01, 0.03];
/** Relative margin by which a split must beat the best one to count (floating-point noise, not a model parameter). */
const REL = 1e-12;

export interface SplitInstance {
  /** Sub-blocks of the block: all pieceBytes long but the last, which is lastBytes (1 ≤ lastBytes ≤ pieceBytes). */
  readonly pieces: number;
  readonly pieceBytes: number;
  readonly lastBytes: number;
  /** Per source: when its first byte can come (µs from the block start) and its capacity from then (bits/s). */
  readonly delaysUs: readonly number[];
  readonly ratesBps: readonly number[];
  readonly downlinkBps: number;
  /** Capacity changes in time order (µs from the block start): from atUs[k], source who[k] (or DOWNLINK) has rateBps[k]. */
  readonly atUs: readonly number[];
  readonly who: readonly number[];
  readonly rateBps: readonly number[];
}

export interface SplitBound {
  /** T_g in µs (not rounded): the best split's end when exact, else a proven lower bound on it; Infinity if no split ends. */
  readonly boundUs: number;
  /** True when boundUs is the end of the best split (the search finished); false when it is only a lower bound. */
  readonly exact: boolean;
  /** The end of the best split found, µs (≥ boundUs; equal when exact). */
  readonly bestUs: number;
  /** Sub-blocks per source of the best split found, and the source holding the short last one (-1: none). */
  readonly counts: readonly number[];
  readonly shortHolder: number;
  /** Search nodes visited (0 when the greedy split was already the bound). */
  readonly nodes: number;
}

// Source states in the search.
const FUTURE = 0; // its first byte has not come yet; not decided
const ACTIVE = 1; // a full sub-block in flight; may take more
const DONE = 2; // stopped, or never used
const FINAL = 3; // the short last sub-block in flight; stops after it

/** One node's state, copied into the next frame at every branch. */
class Frame {
  readonly status: Uint8Array;
  readonly remBits: Float64Array;
  readonly count: Int32Array;
  readonly cap: Float64Array; // bits per µs, current
  t = 0;
  link = 0; // downlink, bits per µs, current
  change = 0; // next change to apply
  left = 0; // sub-blocks not yet placed (the short one included)
  shortLeft = false;
  holder = -1;
  end = 0;

  constructor(m: number) {
    this.status = new Uint8Array(m);
    this.remBits = new Float64Array(m);
    this.count = new Int32Array(m);
    this.cap = new Float64Array(m);
  }

  copyTo(o: Frame): void {
    o.status.set(this.status);
    o.remBits.set(this.remBits);
    o.count.set(this.count);
    o.cap.set(this.cap);
    o.t = this.t;
    o.link = this.link;
    o.change = this.change;
    o.left = this.left;
    o.shortLeft = this.shortLeft;
    o.holder = this.holder;
    o.end = this.end;
  }
}

/** T_g of one block (see the file comment). */
export function splitBound(inst: SplitInstance, budget = SPLIT_BUDGET): SplitBound {
  return new SplitSearch(inst).run(budget);
}

/**
 * F(k): when the last flow ends if source i takes counts[i] sub-blocks (shortHolder takes the short last one
 * among them; -1 when none is short), under the model above. µs from the block start; Infinity if a flow never ends.
 */
export function splitEndUs(inst: SplitInstance, counts: readonly number[], shortHolder: number): number {
  const s = new SplitSearch(inst);
  return s.endOf(counts, shortHolder);
}

class SplitSearch {
  private readonly m: number;
  private readonly pieceBits: number;
  private readonly lastBits: number;
  private readonly hasShort: boolean;
  private readonly eps: number;
  private readonly d: Float64Array;
  private readonly r0: Float64Array;
  private readonly link0: number;
  private readonly chAt: Float64Array;
  private readonly chWho: Int32Array;
  private readonly chRate: Float64Array;
  /** Sources by delay (ties by index), for the fluid test. */
  private readonly byDelay: Int32Array;
  /** Per source, the previous indistinguishable source (same delay and capacity, no change), or -1. */
  private readonly twin: Int32Array;
  // What a source could deliver alone (at min(its capacity, the downlink)) from time 0 to x: on segment j
  // (from segAt[j] to segAt[j + 1]), aloneCum[i·S + j] + aloneRate[i·S + j]·(x − segAt[j]).
  private readonly segs: number;
  private readonly segAt: Float64Array;
  private readonly aloneRate: Float64Array;
  private readonly aloneCum: Float64Array;
  /** Per segment (after changes 0..j−1), the sources by capacity ascending (ties by index): water-filling order. */
  private readonly capOrder: Int32Array[] = [];

  private readonly frames: Frame[] = [];
  private readonly act: Int32Array;
  private readonly rate: Float64Array;
  private readonly scratchCap: Float64Array;
  private readonly scratchUsable: Uint8Array;

  private theta = Number.POSITIVE_INFINITY;
  private bestCounts: Int32Array;
  private bestHolder = -1;
  private nodes = 0;
  private budget = 0;
  private aborted = false;

  constructor(private readonly inst: SplitInstance) {
    const m = inst.delaysUs.length;
    assert(inst.ratesBps.length === m, "split bound: one rate per source");
    assert(Number.isInteger(inst.pieces) && inst.pieces >= 0, "split bound: pieces must be a whole number");
    assert(inst.pieces === 0 || (inst.lastBytes > 0 && inst.lastBytes <= inst.pieceBytes), "split bound: 0 < lastBytes ≤ pieceBytes");
    for (let k = 1; k < inst.atUs.length; k++) assert(inst.atUs[k] >= inst.atUs[k - 1], "split bound: capacity changes out of time order");
    this.m = m;
    this.pieceBits = inst.pieceBytes * 8;
    this.lastBits = inst.lastBytes * 8;
    this.hasShort = inst.pieces > 0 && inst.lastBytes < inst.pieceBytes;
    this.eps = 1e-9 * this.pieceBits;
    this.d = Float64Array.from(inst.delaysUs);
    this.r0 = Float64Array.from(inst.ratesBps, (r) => Math.max(0, r) / 1e6);
    this.link0 = Math.max(0, inst.downlinkBps) / 1e6;
    this.chAt = Float64Array.from(inst.atUs);
    this.chWho = Int32Array.from(inst.who);
    this.chRate = Float64Array.from(inst.rateBps, (r) => Math.max(0, r) / 1e6);
    for (const w of this.chWho) assert(w === DOWNLINK || (w >= 0 && w < m), "split bound: change of an unknown source");

    this.byDelay = Int32Array.from(Array.from({ length: m }, (_v, i) => i).sort((x, y) => this.d[x] - this.d[y] || x - y));
    const changed = new Uint8Array(m);
    for (const w of this.chWho) if (w >= 0) changed[w] = 1;
    this.twin = new Int32Array(m).fill(-1);
    for (let j = 0; j < m; j++) {
      if (changed[j]) continue;
      for (let i = j - 1; i >= 0; i--) {
        if (!changed[i] && this.d[i] === this.d[j] && this.r0[i] === this.r0[j]) {
          this.twin[j] = i;
          break;
        }
      }
    }

    const n = this.chAt.length;
    this.segs = n + 1;
    this.segAt = new Float64Array(n + 2);
    for (let k = 0; k < n; k++) this.segAt[k + 1] = Math.max(0, this.chAt[k]);
    this.segAt[n + 1] = Number.POSITIVE_INFINITY;
    this.aloneRate = new Float64Array(m * this.segs);
    this.aloneCum = new Float64Array(m * this.segs);
    const caps = Float64Array.from(this.r0);
    let link = this.link0;
    for (let j = 0; j < this.segs; j++) {
      if (j > 0) {
        const w = this.chWho[j - 1];
        if (w === DOWNLINK) link = this.chRate[j - 1];
        else caps[w] = this.chRate[j - 1];
      }
      this.capOrder.push(Int32Array.from(Array.from({ length: m }, (_v, i) => i).sort((x, y) => caps[x] - caps[y] || x - y)));
      for (let i = 0; i < m; i++) {
        const at = i * this.segs + j;
        this.aloneRate[at] = Math.min(caps[i], link);
        this.aloneCum[at] = j === 0 ? 0 : this.aloneCum[at - 1] + this.aloneRate[at - 1] * (this.segAt[j] - this.segAt[j - 1]);
      }
    }

    this.act = new Int32Array(m);
    this.rate = new Float64Array(m);
    this.scratchCap = new Float64Array(m);
    this.scratchUsable = new Uint8Array(m);
    this.bestCounts = new Int32Array(m);
  }

  /** What source i could deliver alone from time 0 to x, in bits. */
  private alone(i: number, x: number): number {
    if (x <= 0) return 0;
    const S = this.segs;
    let j = 0;
    if (S > 1) {
      // Last segment starting at or before x (binary search).
      let lo = 0;
      let hi = S - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (this.segAt[mid] <= x) lo = mid;
        else hi = mid - 1;
      }
      j = lo;
    }
    const at = i * S + j;
    const r = this.aloneRate[at];
    return r > 0 ? this.aloneCum[at] + r * (x - this.segAt[j]) : this.aloneCum[at];
  }

  private totalBits(): number {
    const n = this.inst.pieces;
    return n === 0 ? 0 : (n - 1) * this.pieceBits + this.lastBits;
  }

  run(budget: number): SplitBound {
    const m = this.m;
    const nodes = Math.max(1, Math.floor(budget / Math.max(1, m)));
    const n = this.inst.pieces;
    if (n === 0) return { boundUs: 0, exact: true, bestUs: 0, counts: new Array<number>(m).fill(0), shortHolder: -1, nodes: 0 };
    const rootLb = Math.max(this.fluidEndUs(), this.aloneEndUs(false));
    if (!Number.isFinite(rootLb)) {
      return { boundUs: Infinity, exact: true, bestUs: Infinity, counts: new Array<number>(m).fill(0), shortHolder: -1, nodes: 0 };
    }
    // The earliest-finish greedy (whole sub-blocks, each source alone): the first split, often the best.
    const greedy = this.greedySplit();
    const greedyUs = this.endOf(greedy.counts, greedy.holder);
    this.theta = greedyUs;
    this.bestCounts.set(greedy.counts);
    this.bestHolder = greedy.holder;
    if (greedyUs <= rootLb * (1 + 1e-9)) return this.result(rootLb, true);

    this.search(nodes);
    if (!this.aborted) return this.result(this.theta, true);
    let lowerUs = rootLb;
    let spent = this.nodes;
    for (const gap of LADDER_GAPS) {
      const target = this.theta * (1 - gap);
      if (target <= lowerUs) break;
      const before = this.theta;
      this.theta = target;
      this.search(Math.max(1, Math.floor(nodes / 4)));
      spent += this.nodes;
      if (this.theta < target) {
        // Found a better split below target: it is the best unless the search was cut short.
        if (!this.aborted) return this.result(this.theta, true, spent);
        continue;
      }
      this.theta = before;
      if (!this.aborted) {
        lowerUs = Math.max(lowerUs, target);
        break;
      }
    }
    return this.result(lowerUs, false, spent);
  }

  private result(boundUs: number, exact: boolean, nodes = this.nodes): SplitBound {
    return {
      boundUs: exact ? this.theta : Math.min(boundUs, this.theta),
      exact,
      bestUs: this.theta,
      counts: Array.from(this.bestCounts),
      shortHolder: this.bestHolder,
      nodes,
    };
  }

  /** Branch and bound from the block start; lowers theta (and the best split) when it finds a better split. */
  private search(budget: number): void {
    this.nodes = 0;
    this.budget = budget;
    this.aborted = false;
    const f = this.frame(0);
    f.status.fill(FUTURE);
    f.remBits.fill(0);
    f.count.fill(0);
    f.cap.set(this.r0);
    f.t = 0;
    f.link = this.link0;
    f.change = 0;
    f.left = this.inst.pieces;
    f.shortLeft = this.hasShort;
    f.holder = -1;
    f.end = 0;
    this.visit(0);
  }

  private frame(depth: number): Frame {
    while (this.frames.length <= depth) this.frames.push(new Frame(this.m));
    return this.frames[depth];
  }

  /** The node in frames[depth]: runs the flows forward, branching at each choice. */
  private visit(depth: number): void {
    if (this.aborted) return;
    if (++this.nodes > this.budget) {
      this.aborted = true;
      return;
    }
    const f = this.frames[depth];
    const m = this.m;
    const { status, remBits, count, cap } = f;
    const guard = 4 * (m + this.inst.pieces + this.chAt.length) + 16;
    for (let steps = 0; ; steps++) {
      assert(steps <= guard, "split bound: a search node did not end");
      // 1. Capacity changes due now.
      while (f.change < this.chAt.length && this.chAt[f.change] <= f.t) {
        const w = this.chWho[f.change];
        if (w === DOWNLINK) f.link = this.chRate[f.change];
        else cap[w] = this.chRate[f.change];
        f.change++;
      }
      // 2. A flow that ended a sub-block: take another, the short one, or stop.
      let w = -1;
      for (let i = 0; i < m; i++) {
        if ((status[i] === ACTIVE || status[i] === FINAL) && remBits[i] <= this.eps) {
          w = i;
          break;
        }
      }
      if (w >= 0) {
        remBits[w] = 0;
        f.end = f.t;
        const twinOk = this.twin[w] < 0 || count[this.twin[w]] > count[w];
        const full = status[w] === ACTIVE && twinOk && f.left - (f.shortLeft ? 1 : 0) >= 1;
        const short = status[w] === ACTIVE && twinOk && f.shortLeft && f.left >= 1;
        if (full) this.branch(depth, w, false);
        if (short) this.branch(depth, w, true);
        status[w] = DONE; // stop: carries on in this frame
        continue;
      }
      // 3. A source whose first byte could come now: use it (a full or the short sub-block) or never.
      let s = -1;
      if (f.left > 0) {
        for (let i = 0; i < m; i++) {
          if (status[i] === FUTURE && this.d[i] <= f.t) {
            s = i;
            break;
          }
        }
      }
      if (s >= 0) {
        const twinOk = this.twin[s] < 0 || count[this.twin[s]] > 0;
        if (twinOk && f.left - (f.shortLeft ? 1 : 0) >= 1) this.branch(depth, s, false);
        if (twinOk && f.shortLeft) this.branch(depth, s, true);
        status[s] = DONE;
        continue;
      }
      if (this.aborted) return;
      // 4. Can this node still beat the best split?
      if (!this.promising(f)) return;
      // 5. Rates, and the next event.
      let a = 0;
      const order = this.capOrder[f.change];
      for (let x = 0; x < m; x++) {
        const i = order[x];
        if (status[i] === ACTIVE || status[i] === FINAL) this.act[a++] = i;
      }
      let next = Number.POSITIVE_INFINITY;
      if (f.left > 0) {
        for (let i = 0; i < m; i++) if (status[i] === FUTURE && this.d[i] < next) next = this.d[i];
      }
      if (a === 0 && next === Number.POSITIVE_INFINITY) {
        if (f.left === 0 && f.end < this.theta * (1 - REL)) {
          this.theta = f.end;
          this.bestCounts.set(count);
          this.bestHolder = f.holder;
        }
        return;
      }
      if (f.change < this.chAt.length) next = Math.min(next, this.chAt[f.change]);
      this.waterFill(a, cap, f.link);
      let who = -1;
      for (let j = 0; j < a; j++) {
        const i = this.act[j];
        if (this.rate[i] > 0) {
          const at = f.t + remBits[i] / this.rate[i];
          if (at < next) {
            next = at;
            who = i;
          }
        }
      }
      if (next === Number.POSITIVE_INFINITY) return; // nothing will ever move again: no split ends here
      const dt = next - f.t;
      for (let j = 0; j < a; j++) {
        const i = this.act[j];
        remBits[i] = i === who ? 0 : Math.max(0, remBits[i] - this.rate[i] * dt);
      }
      f.t = next;
    }
  }

  /** Copies frames[depth] into the next frame, gives source i another sub-block (full or short), and visits it. */
  private branch(depth: number, i: number, short: boolean): void {
    if (this.aborted) return;
    const f = this.frames[depth];
    const g = this.frame(depth + 1);
    f.copyTo(g);
    g.count[i]++;
    g.left--;
    if (short) {
      g.status[i] = FINAL;
      g.remBits[i] = this.lastBits;
      g.shortLeft = false;
      g.holder = i;
    } else {
      g.status[i] = ACTIVE;
      g.remBits[i] = this.pieceBits;
    }
    this.visit(depth + 1);
  }

  /** The three cuts of the file comment: false when no split through this node can end before theta. */
  private promising(f: Frame): boolean {
    const limit = this.theta * (1 - REL);
    if (f.end >= limit || f.t >= limit) return false;
    const m = this.m;
    const { status, remBits } = f;
    // Whole sub-blocks each source could still deliver alone by the limit.
    let full = 0;
    let shortFits = false;
    let pendingBits = 0;
    for (let i = 0; i < m; i++) {
      const st = status[i];
      if (st === DONE) continue;
      if (st === FINAL) {
        if (this.alone(i, limit) - this.alone(i, f.t) < remBits[i] * (1 - 1e-12)) return false;
        pendingBits += remBits[i];
        continue;
      }
      let x: number;
      if (st === ACTIVE) {
        x = this.alone(i, limit) - this.alone(i, f.t) - remBits[i];
        if (x < -1e-12 * this.pieceBits) return false;
        pendingBits += remBits[i];
      } else {
        if (this.d[i] >= limit) continue;
        x = this.alone(i, limit) - this.alone(i, this.d[i]);
      }
      if (x <= 0) continue;
      const k = Math.floor((x / this.pieceBits) * (1 + 1e-12));
      full += k;
      if (x - k * this.pieceBits >= this.lastBits * (1 - 1e-12)) shortFits = true;
    }
    if (f.left > 0) {
      const needFull = f.left;
      if (full < needFull && !(f.shortLeft && full === needFull - 1 && shortFits)) return false;
      pendingBits += f.shortLeft ? (f.left - 1) * this.pieceBits + this.lastBits : f.left * this.pieceBits;
    }
    // The bytes left through ∫ min(downlink, Σ capacities of the usable sources) up to the limit.
    return this.fluidBitsBy(f, limit, pendingBits) >= pendingBits * (1 - 1e-12);
  }

  /**
   * ∫ from f.t to limit of min(downlink, Σ capacities of the sources in flight or still to come), stopping early
   * once it reaches `enough` bits.
   */
  private fluidBitsBy(f: Frame, limit: number, enough: number): number {
    const m = this.m;
    const cap = this.scratchCap;
    const usable = this.scratchUsable;
    cap.set(f.cap);
    let sum = 0;
    for (let i = 0; i < m; i++) {
      const st = f.status[i];
      usable[i] = st === ACTIVE || st === FINAL ? 1 : 0;
      if (usable[i]) sum += cap[i];
    }
    let link = f.link;
    let t = f.t;
    let got = 0;
    let k = f.change;
    let p = 0; // position in byDelay
    const future = f.left > 0;
    for (let steps = 0; steps <= m + this.chAt.length + 1; steps++) {
      while (p < m && (!future || f.status[this.byDelay[p]] !== FUTURE || this.d[this.byDelay[p]] <= t)) {
        const i = this.byDelay[p];
        if (future && f.status[i] === FUTURE && this.d[i] <= t && !usable[i]) {
          usable[i] = 1;
          sum += cap[i];
        }
        p++;
      }
      const nextStart = p < m ? this.d[this.byDelay[p]] : Number.POSITIVE_INFINITY;
      const nextChange = k < this.chAt.length ? this.chAt[k] : Number.POSITIVE_INFINITY;
      const point = Math.min(nextStart, nextChange, limit);
      const rate = Math.min(link, sum);
      if (rate > 0) got += rate * Math.max(0, point - t);
      if (got >= enough || point >= limit) return got;
      t = point;
      while (k < this.chAt.length && this.chAt[k] <= t) {
        const w = this.chWho[k];
        if (w === DOWNLINK) link = this.chRate[k];
        else {
          if (usable[w]) sum += this.chRate[k] - cap[w];
          cap[w] = this.chRate[k];
        }
        k++;
      }
    }
    return got;
  }

  /** Max-min rates of the active flows act[0..a), in ascending capacity, into this.rate (bits per µs). */
  private waterFill(a: number, cap: Float64Array, link: number): void {
    const act = this.act;
    let left = link;
    for (let x = 0; x < a; x++) {
      const i = act[x];
      const r = Math.min(cap[i], left / (a - x));
      this.rate[i] = Math.max(0, r);
      left -= this.rate[i];
    }
  }

  /** min T with ∫_0^T min(downlink, Σ capacities of the sources whose first byte can have come) ≥ the block. */
  private fluidEndUs(): number {
    const bits = this.totalBits();
    const m = this.m;
    const cap = Float64Array.from(this.r0);
    const started = new Uint8Array(m);
    let link = this.link0;
    let sum = 0;
    let t = 0;
    let got = 0;
    let p = 0;
    let k = 0;
    for (let steps = 0; steps <= 2 * (m + this.chAt.length) + 2; steps++) {
      while (p < m && this.d[this.byDelay[p]] <= t) {
        started[this.byDelay[p]] = 1;
        sum += cap[this.byDelay[p]];
        p++;
      }
      while (k < this.chAt.length && this.chAt[k] <= t) {
        const w = this.chWho[k];
        if (w === DOWNLINK) link = this.chRate[k];
        else {
          if (started[w]) sum += this.chRate[k] - cap[w];
          cap[w] = this.chRate[k];
        }
        k++;
      }
      const rate = Math.min(link, sum);
      const point = Math.min(p < m ? this.d[this.byDelay[p]] : Infinity, k < this.chAt.length ? this.chAt[k] : Infinity);
      if (rate > 0 && got + rate * (point - t) >= bits) return t + (bits - got) / rate;
      if (point === Number.POSITIVE_INFINITY) return Number.POSITIVE_INFINITY;
      got += rate * (point - t);
      t = point;
    }
    return Number.POSITIVE_INFINITY;
  }

  /** Whole sub-blocks source i could end alone by T, and whether the short one also fits after them. */
  private aloneFit(i: number, T: number): { full: number; shortFits: boolean } {
    if (this.d[i] >= T) return { full: 0, shortFits: false };
    const x = this.alone(i, T) - this.alone(i, this.d[i]);
    if (!(x > 0)) return { full: 0, shortFits: false };
    const full = Math.floor((x / this.pieceBits) * (1 + 1e-12));
    return { full, shortFits: x - full * this.pieceBits >= this.lastBits * (1 - 1e-12) };
  }

  private fitsAlone(T: number): boolean {
    const n = this.inst.pieces;
    let full = 0;
    let shortFits = false;
    for (let i = 0; i < this.m; i++) {
      const a = this.aloneFit(i, T);
      full += a.full;
      shortFits ||= a.shortFits;
    }
    return full >= n || (this.hasShort && full === n - 1 && shortFits);
  }

  /**
   * The whole-sub-block bound with every source alone: min T such that the sub-blocks fit in what each source
   * could deliver alone by T. Returns the largest T found not to fit (`feasible` false, a lower bound) or the
   * smallest found to fit (`feasible` true).
   */
  private aloneEndUs(feasible: boolean): number {
    let hi = 1;
    for (let steps = 0; !this.fitsAlone(hi); steps++) {
      if (steps > 80) return Number.POSITIVE_INFINITY;
      hi *= 2;
    }
    let lo = 0;
    for (let steps = 0; steps < 100 && hi - lo > 1e-9 * hi; steps++) {
      const mid = (lo + hi) / 2;
      if (this.fitsAlone(mid)) hi = mid;
      else lo = mid;
    }
    return feasible ? hi : lo;
  }

  /** The earliest-finish greedy split: whole sub-blocks by what each source could deliver alone. */
  private greedySplit(): { counts: Int32Array; holder: number } {
    const T = this.aloneEndUs(true);
    const m = this.m;
    const counts = new Int32Array(m);
    let holder = -1;
    let total = 0;
    for (let i = 0; i < m; i++) {
      counts[i] = this.aloneFit(i, T).full;
      total += counts[i];
    }
    const n = this.inst.pieces;
    if (this.hasShort && total < n) {
      // One more source can take the short sub-block after its full ones.
      for (let i = 0; i < m && holder < 0; i++) {
        if (this.aloneFit(i, T).shortFits) {
          counts[i]++;
          total++;
          holder = i;
        }
      }
    }
    // Drop the surplus from the sources that end last alone (the latest piece first).
    while (total > n) {
      let worst = -1;
      let worstUs = -1;
      for (let i = 0; i < m; i++) {
        if (counts[i] === 0 || i === holder) continue;
        const endUs = this.aloneInverse(i, this.alone(i, this.d[i]) + counts[i] * this.pieceBits);
        if (endUs > worstUs) {
          worstUs = endUs;
          worst = i;
        }
      }
      assert(worst >= 0, "split bound: greedy surplus without a source");
      counts[worst]--;
      total--;
    }
    if (this.hasShort && holder < 0) {
      // The short sub-block replaces a full one of the source that ends last alone.
      let worstUs = -1;
      for (let i = 0; i < m; i++) {
        if (counts[i] === 0) continue;
        const endUs = this.aloneInverse(i, this.alone(i, this.d[i]) + counts[i] * this.pieceBits);
        if (endUs > worstUs) {
          worstUs = endUs;
          holder = i;
        }
      }
    }
    return { counts, holder };
  }

  /** The time by which source i, alone, has delivered `bits` since time 0 (Infinity if never). */
  private aloneInverse(i: number, bits: number): number {
    const S = this.segs;
    for (let j = S - 1; j >= 0; j--) {
      const at = i * S + j;
      if (this.aloneCum[at] <= bits || j === 0) {
        const r = this.aloneRate[at];
        if (bits <= this.aloneCum[at]) return this.segAt[j];
        if (r <= 0) return j === S - 1 ? Number.POSITIVE_INFINITY : this.segAt[j + 1];
        const x = this.segAt[j] + (bits - this.aloneCum[at]) / r;
        if (x <= this.segAt[j + 1] || j === S - 1) return x;
      }
    }
    return Number.POSITIVE_INFINITY;
  }

  /** F(k) of a given split: the same forward run with every choice fixed. */
  endOf(counts: ArrayLike<number>, holder: number): number {
    const m = this.m;
    assert(counts.length === m, "split bound: one count per source");
    const f = this.frame(0);
    const { status, remBits, cap } = f;
    cap.set(this.r0);
    f.link = this.link0;
    f.change = 0;
    f.t = 0;
    f.end = 0;
    const todo = new Int32Array(m);
    for (let i = 0; i < m; i++) {
      todo[i] = counts[i];
      status[i] = counts[i] > 0 ? FUTURE : DONE;
      remBits[i] = 0;
    }
    const guard = 4 * (m + this.inst.pieces + this.chAt.length) + 16;
    for (let steps = 0; ; steps++) {
      assert(steps <= guard + 4 * todo.reduce((x, y) => x + y, 0), "split bound: evaluation did not end");
      while (f.change < this.chAt.length && this.chAt[f.change] <= f.t) {
        const w = this.chWho[f.change];
        if (w === DOWNLINK) f.link = this.chRate[f.change];
        else cap[w] = this.chRate[f.change];
        f.change++;
      }
      // Every source holds its whole share in one flow: it starts at its delay and ends once.
      let a = 0;
      let next = Number.POSITIVE_INFINITY;
      const order = this.capOrder[f.change];
      for (let x = 0; x < m; x++) {
        const i = order[x];
        if (status[i] === FUTURE && this.d[i] <= f.t) {
          status[i] = ACTIVE;
          remBits[i] = todo[i] * this.pieceBits - (i === holder ? this.pieceBits - this.lastBits : 0);
        }
        if (status[i] === ACTIVE) this.act[a++] = i;
        else if (status[i] === FUTURE) next = Math.min(next, this.d[i]);
      }
      if (a === 0 && next === Number.POSITIVE_INFINITY) return f.end;
      if (f.change < this.chAt.length) next = Math.min(next, this.chAt[f.change]);
      this.waterFill(a, cap, f.link);
      let who = -1;
      for (let j = 0; j < a; j++) {
        const i = this.act[j];
        if (this.rate[i] > 0 && f.t + remBits[i] / this.rate[i] < next) {
          next = f.t + remBits[i] / this.rate[i];
          who = i;
        }
      }
      if (next === Number.POSITIVE_INFINITY) return Number.POSITIVE_INFINITY;
      const dt = next - f.t;
      f.t = next;
      for (let j = 0; j < a; j++) {
        const i = this.act[j];
        remBits[i] = i === who ? 0 : Math.max(0, remBits[i] - this.rate[i] * dt);
        if (remBits[i] <= this.eps * Math.max(1, todo[i])) {
          status[i] = DONE;
          f.end = f.t;
        }
      }
    }
  }
}
