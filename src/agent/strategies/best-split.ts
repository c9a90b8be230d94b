// The split of whole sub-blocks over connections that ends soonest, for the oracle strategy: each connection
// gets one request now and sends its share back to back from one RTT later; the flows share the downlink
// max-min (each gets min(its capacity, the water level)); capacities are taken as constant (the oracle knows
// them now, not later).
//
// The end of a split is monotone in each connection's count (one more sub-block anywhere never makes any flow
// end sooner) but not separable: a flow slowed by sharing can end after both its own-capacity time and the
// downlink-only time. So the earliest-finish greedy (each sub-block to the connection that would end it first,
// alone) is only the starting point; a depth-first search then runs the flows forward in time and branches where
// a split chooses: use a connection or not when its first byte could come, and take another sub-block (or the
// short last one) or stop when a flow ends one. A branch is cut when it cannot beat the best split so far: the
// sub-blocks still to place must fit in what each connection could still deliver alone, and the bits still to
// send must fit through min(downlink, Σ capacities of the usable connections). Connections that look the same
// (same rate and RTT) take non-increasing counts. Past a node budget the best split found is used.
// The simulator computes the same optimum independently (src/sim/metrics/split-bound.ts) as its bound T_g.

export interface SplitSource {
  readonly rateBps: number;
  /** When its first byte can come, µs from now. */
  readonly delayUs: number;
}

export interface BestSplit {
  /** Sub-blocks per source; the short one (if any) goes to shortHolder (-1: none). */
  readonly counts: readonly number[];
  readonly shortHolder: number;
  /** When the block would end, µs from now (Infinity if it never would). */
  readonly endUs: number;
  /** False when the search stopped at its budget (the split is then the best one found). */
  readonly exact: boolean;
}

/** Nodes × sources the search may visit per call (40,000 nodes for 10 connections). */
const BUDGET = 400_000;
const REL = 1e-12;

/** The best split of `pieces` sub-blocks (all pieceBytes, the last lastBytes) over the sources. */
export function bestSplit(
  pieces: number,
  pieceBytes: number,
  lastBytes: number,
  sources: readonly SplitSource[],
  downlinkBps: number,
  budget = BUDGET,
): BestSplit {
  return new Search(pieces, pieceBytes * 8, lastBytes * 8, sources, downlinkBps / 1e6).run(budget);
}

/** When the last flow ends if source i sends counts[i] sub-blocks (shortHolder's last one short), µs. */
export function splitEndUs(
  pieceBytes: number,
  lastBytes: number,
  sources: readonly SplitSource[],
  downlinkBps: number,
  counts: readonly number[],
  shortHolder: number,
): number {
  const s = new Search(0, pieceBytes * 8, lastBytes * 8, sources, downlinkBps / 1e6);
  return s.endOf(counts, shortHolder);
}

// Per source in a search state.
const WAITING = 0; // first byte not come yet, not decided
const SENDING = 1; // a full sub-block in flight
const STOPPED = 2;
const LAST = 3; // the short sub-block in flight, then stop

interface State {
  t: number;
  left: number;
  shortLeft: boolean;
  holder: number;
  end: number;
  readonly phase: Uint8Array;
  readonly rem: Float64Array; // bits of the sub-block in flight
  readonly count: Int32Array;
}

class Search {
  private readonly m: number;
  private readonly r: Float64Array; // bits per µs
  private readonly d: Float64Array;
  private readonly alone: Float64Array; // min(r, downlink)
  private readonly twin: Int32Array;
  private readonly byDelay: number[];
  private readonly states: State[] = [];
  private readonly rate: Float64Array;
  private readonly order: number[] = [];
  private best = Number.POSITIVE_INFINITY;
  private bestCounts: number[] = [];
  private bestHolder = -1;
  private visits = 0;
  private limit = 0;
  private stopped = false;

  constructor(
    private readonly pieces: number,
    private readonly c: number,
    private readonly last: number,
    sources: readonly SplitSource[],
    private readonly link: number,
  ) {
    this.m = sources.length;
    this.r = Float64Array.from(sources, (s) => Math.max(0, s.rateBps) / 1e6);
    this.d = Float64Array.from(sources, (s) => s.delayUs);
    this.alone = this.r.map((x) => Math.min(x, link));
    this.twin = new Int32Array(this.m).fill(-1);
    for (let j = 0; j < this.m; j++) {
      for (let i = j - 1; i >= 0; i--) {
        if (this.r[i] === this.r[j] && this.d[i] === this.d[j]) {
          this.twin[j] = i;
          break;
        }
      }
    }
    this.byDelay = Array.from({ length: this.m }, (_v, i) => i).sort((a, b) => this.d[a] - this.d[b] || a - b);
    this.rate = new Float64Array(this.m);
  }

  private get hasShort(): boolean {
    return this.last < this.c;
  }

  private state(depth: number): State {
    while (this.states.length <= depth) {
      this.states.push({
        t: 0,
        left: 0,
        shortLeft: false,
        holder: -1,
        end: 0,
        phase: new Uint8Array(this.m),
        rem: new Float64Array(this.m),
        count: new Int32Array(this.m),
      });
    }
    return this.states[depth];
  }

  run(budget: number): BestSplit {
    const m = this.m;
    const n = this.pieces;
    if (n === 0) return { counts: new Array<number>(m).fill(0), shortHolder: -1, endUs: 0, exact: true };
    const greedy = this.greedy();
    this.best = this.endOf(greedy.counts, greedy.holder);
    this.bestCounts = greedy.counts;
    this.bestHolder = greedy.holder;
    if (this.best <= this.rootBound() * (1 + 1e-9)) return this.result(true);
    this.limit = Math.max(1, Math.floor(budget / Math.max(1, m)));
    const s = this.state(0);
    s.t = 0;
    s.left = n;
    s.shortLeft = this.hasShort;
    s.holder = -1;
    s.end = 0;
    s.phase.fill(WAITING);
    s.rem.fill(0);
    s.count.fill(0);
    this.visit(0);
    return this.result(!this.stopped);
  }

  private result(exact: boolean): BestSplit {
    return { counts: [...this.bestCounts], shortHolder: this.bestHolder, endUs: this.best, exact };
  }

  /** Each sub-block in turn to the source that would end it first alone; the short one replaces the latest. */
  private greedy(): { counts: number[]; holder: number } {
    const counts = new Array<number>(this.m).fill(0);
    for (let k = 0; k < this.pieces; k++) {
      let pick = -1;
      let at = Number.POSITIVE_INFINITY;
      for (let i = 0; i < this.m; i++) {
        if (this.alone[i] <= 0) continue;
        const e = this.d[i] + ((counts[i] + 1) * this.c) / this.alone[i];
        if (e < at) {
          at = e;
          pick = i;
        }
      }
      if (pick < 0) break;
      counts[pick]++;
    }
    let holder = -1;
    if (this.hasShort) {
      let latest = -1;
      for (let i = 0; i < this.m; i++) {
        if (counts[i] === 0) continue;
        const e = this.d[i] + (counts[i] * this.c) / this.alone[i];
        if (e > latest) {
          latest = e;
          holder = i;
        }
      }
    }
    return { counts, holder };
  }

  /** A lower bound on every split's end: the fluid one and the whole-sub-block one, each source alone. */
  private rootBound(): number {
    // Fluid: ∫ min(downlink, Σ rates of the started sources) reaches the block's bits.
    const bits = (this.pieces - 1) * this.c + this.last;
    let t = 0;
    let got = 0;
    let sum = 0;
    let fluid = Number.POSITIVE_INFINITY;
    for (let p = 0; p <= this.m; p++) {
      const next = p < this.m ? this.d[this.byDelay[p]] : Number.POSITIVE_INFINITY;
      const rate = Math.min(this.link, sum);
      if (rate > 0 && got + rate * (next - t) >= bits) {
        fluid = t + (bits - got) / rate;
        break;
      }
      if (rate > 0) got += rate * (next - t);
      t = next;
      if (p < this.m) sum += this.r[this.byDelay[p]];
    }
    // Whole sub-blocks alone: the (pieces − 1)-th earliest end of a full one (the short one may be the last).
    const counts = new Array<number>(this.m).fill(0);
    let whole = 0;
    for (let k = 0; k < this.pieces - (this.hasShort ? 1 : 0); k++) {
      let pick = -1;
      let at = Number.POSITIVE_INFINITY;
      for (let i = 0; i < this.m; i++) {
        if (this.alone[i] <= 0) continue;
        const e = this.d[i] + ((counts[i] + 1) * this.c) / this.alone[i];
        if (e < at) {
          at = e;
          pick = i;
        }
      }
      if (pick < 0) return Number.POSITIVE_INFINITY;
      counts[pick]++;
      whole = at;
    }
    return Math.max(fluid, whole);
  }

  /** Max-min rates of the sources in `order` into this.rate. */
  private share(): void {
    const o = this.order;
    o.sort((a, b) => this.r[a] - this.r[b] || a - b);
    let left = this.link;
    for (let x = 0; x < o.length; x++) {
      const v = Math.max(0, Math.min(this.r[o[x]], left / (o.length - x)));
      this.rate[o[x]] = v;
      left -= v;
    }
  }

  private visit(depth: number): void {
    if (this.stopped) return;
    if (++this.visits > this.limit) {
      this.stopped = true;
      return;
    }
    const s = this.states[depth];
    const m = this.m;
    const eps = 1e-9 * this.c;
    for (let steps = 0; steps < 8 * (m + this.pieces) + 16; steps++) {
      // A flow that ended a sub-block: another one, the short one, or stop.
      let w = -1;
      for (let i = 0; i < m && w < 0; i++) if ((s.phase[i] === SENDING || s.phase[i] === LAST) && s.rem[i] <= eps) w = i;
      if (w >= 0) {
        s.rem[w] = 0;
        s.end = s.t;
        if (s.phase[w] === SENDING && (this.twin[w] < 0 || s.count[this.twin[w]] > s.count[w])) {
          if (s.left - (s.shortLeft ? 1 : 0) >= 1) this.give(depth, w, false);
          if (s.shortLeft && s.left >= 1) this.give(depth, w, true);
        }
        s.phase[w] = STOPPED;
        continue;
      }
      // A source whose first byte could come now: use it or never.
      let u = -1;
      if (s.left > 0) for (let i = 0; i < m && u < 0; i++) if (s.phase[i] === WAITING && this.d[i] <= s.t) u = i;
      if (u >= 0) {
        if (this.twin[u] < 0 || s.count[this.twin[u]] > 0) {
          if (s.left - (s.shortLeft ? 1 : 0) >= 1) this.give(depth, u, false);
          if (s.shortLeft) this.give(depth, u, true);
        }
        s.phase[u] = STOPPED;
        continue;
      }
      if (this.stopped || !this.canBeat(s)) return;
      // Advance to the next end of a sub-block or first byte.
      this.order.length = 0;
      let next = Number.POSITIVE_INFINITY;
      for (let i = 0; i < m; i++) {
        if (s.phase[i] === SENDING || s.phase[i] === LAST) this.order.push(i);
        else if (s.phase[i] === WAITING && s.left > 0) next = Math.min(next, this.d[i]);
      }
      if (this.order.length === 0 && next === Number.POSITIVE_INFINITY) {
        if (s.left === 0 && s.end < this.best * (1 - REL)) {
          this.best = s.end;
          this.bestCounts = Array.from(s.count);
          this.bestHolder = s.holder;
        }
        return;
      }
      this.share();
      let who = -1;
      for (const i of this.order) {
        if (this.rate[i] > 0 && s.t + s.rem[i] / this.rate[i] < next) {
          next = s.t + s.rem[i] / this.rate[i];
          who = i;
        }
      }
      if (next === Number.POSITIVE_INFINITY) return;
      for (const i of this.order) s.rem[i] = i === who ? 0 : Math.max(0, s.rem[i] - this.rate[i] * (next - s.t));
      s.t = next;
    }
    throw new Error("best split: a search state did not settle");
  }

  /** Gives source i one more sub-block (full or the short one) in a copy of state `depth`, and searches it. */
  private give(depth: number, i: number, short: boolean): void {
    if (this.stopped) return;
    const s = this.states[depth];
    const g = this.state(depth + 1);
    g.t = s.t;
    g.left = s.left - 1;
    g.shortLeft = s.shortLeft && !short;
    g.holder = short ? i : s.holder;
    g.end = s.end;
    g.phase.set(s.phase);
    g.rem.set(s.rem);
    g.count.set(s.count);
    g.phase[i] = short ? LAST : SENDING;
    g.rem[i] = short ? this.last : this.c;
    g.count[i]++;
    this.visit(depth + 1);
  }

  /** False when no split through this state can end before the best one. */
  private canBeat(s: State): boolean {
    const limit = this.best * (1 - REL);
    if (s.end >= limit || s.t >= limit) return false;
    let full = 0;
    let shortFits = false;
    let bits = 0;
    let sum = 0;
    for (let i = 0; i < this.m; i++) {
      const p = s.phase[i];
      if (p === STOPPED) continue;
      if (p === SENDING || p === LAST) {
        bits += s.rem[i];
        sum += this.r[i];
      }
      const from = p === WAITING ? this.d[i] : s.t;
      if (from >= limit) continue;
      const x = this.alone[i] * (limit - from) - s.rem[i];
      if (x < -1e-12 * this.c) return false; // its sub-block in flight cannot end in time
      if (p === LAST || x <= 0) continue;
      const k = Math.floor((x / this.c) * (1 + 1e-12));
      full += k;
      if (x - k * this.c >= this.last * (1 - 1e-12)) shortFits = true;
    }
    if (s.left > 0) {
      if (full < s.left && !(s.shortLeft && full === s.left - 1 && shortFits)) return false;
      bits += s.shortLeft ? (s.left - 1) * this.c + this.last : s.left * this.c;
    }
    // The bits left through min(downlink, Σ rates of the sources sending or still to come) up to the limit.
    let t = s.t;
    let got = 0;
    for (const i of this.byDelay) {
      if (s.phase[i] !== WAITING || s.left === 0) continue;
      const at = Math.min(this.d[i], limit);
      if (at > t) {
        got += Math.min(this.link, sum) * (at - t);
        t = at;
      }
      sum += this.r[i];
    }
    if (limit > t) got += Math.min(this.link, sum) * (limit - t);
    return got >= bits * (1 - 1e-12);
  }

  /** The end of a given split (every choice fixed), µs. */
  endOf(counts: readonly number[], holder: number): number {
    const m = this.m;
    const rem = new Float64Array(m);
    const started = new Uint8Array(m);
    let t = 0;
    let end = 0;
    for (let steps = 0; steps < 4 * m + 8; steps++) {
      this.order.length = 0;
      let next = Number.POSITIVE_INFINITY;
      for (let i = 0; i < m; i++) {
        if (counts[i] === 0) continue;
        if (!started[i] && this.d[i] <= t) {
          started[i] = 1;
          rem[i] = counts[i] * this.c - (i === holder ? this.c - this.last : 0);
        }
        if (started[i] && rem[i] > 0) this.order.push(i);
        else if (!started[i]) next = Math.min(next, this.d[i]);
      }
      if (this.order.length === 0 && next === Number.POSITIVE_INFINITY) return end;
      this.share();
      let who = -1;
      for (const i of this.order) {
        if (this.rate[i] > 0 && t + rem[i] / this.rate[i] < next) {
          next = t + rem[i] / this.rate[i];
          who = i;
        }
      }
      if (next === Number.POSITIVE_INFINITY) return Number.POSITIVE_INFINITY;
      for (const i of this.order) {
        rem[i] = i === who ? 0 : Math.max(0, rem[i] - this.rate[i] * (next - t));
        if (rem[i] <= 1e-9 * this.c * Math.max(1, counts[i])) {
          rem[i] = 0;
          end = next;
        }
      }
      t = next;
    }
    throw new Error("best split: a split's end did not settle");
  }
}
