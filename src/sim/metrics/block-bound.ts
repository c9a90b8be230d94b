// T* of each block from the capacities the nodes really had while it downloaded. At a block's start the sources
// (the nodes of the open connections, each with its RTT as first-byte delay) and their capacities are noted,
// and T* is computed as if those capacities held (FluidBound). Every later capacity change of any node or of
// the downlink is logged, and so is every connection that opens (its node becomes a source one RTT later: the
// earliest a request on it can bring a byte). When the block ends, T* is computed again over what happened
// before the constant-capacity T* (nothing later can move it), from ../shared/research/strategies.md: "with
// time-varying rates, replace r_i·(T − d_i) by the integral of r_i(t) from d_i to T":
//   T* = min T with Σ_i ∫_{d_i}^{T} r_i(t) dt ≥ B and ∫_{d_min}^{T} C(t) dt ≥ B   (times from the block start).
// Without such a change the constant-capacity value is exact and kept as computed. A block that never ends keeps
// its start-time value. Observers only: nothing here feeds back into the simulation.
//
// The same sources, delays and capacity changes (all of them up to the block's end) also give the block's split
// bound T_g (split-bound.ts): the best split of its whole sub-blocks, one request per source at the block start,
// max-min sharing of the downlink. Blocks with the same sources, capacities and sizes (every block of a swarm
// that does not change) share one computation through a small cache.

import { assert } from "../../assert.ts";
import { FluidBound } from "./lower-bound.ts";
import { DOWNLINK, SPLIT_BUDGET, type SplitBound, type SplitInstance, splitBound } from "./split-bound.ts";

/** Node id of the downlink in the capacity log. */
export { DOWNLINK };

/** What the split bound cost in a run: for benchmarks and tests, never written to outputs. */
export interface SplitStats {
  /** Blocks whose T_g was asked for, computed (not found in the cache), and found in the cache. */
  blocks: number;
  computed: number;
  cacheHits: number;
  /** Blocks whose T_g is a lower bound only (the search hit its budget), and the largest best/bound − 1 among them. */
  inexact: number;
  maxGap: number;
  /** Search nodes over all computations. */
  nodes: number;
  /** Wall-clock time spent computing T_g, ms (only measured when the probe has a clock). */
  wallMs: number;
}

/** Lets a benchmark or a test watch the split bound; it changes no value. */
export interface SplitProbe {
  readonly stats: SplitStats;
  /** Measures wallMs with this clock (ms). */
  readonly clock?: () => number;
  /** False turns the cache off (to time every computation). */
  readonly cache?: boolean;
}

export function emptySplitStats(): SplitStats {
  return { blocks: 0, computed: 0, cacheHits: 0, inexact: 0, maxGap: 0, nodes: 0, wallMs: 0 };
}

/** The two bounds of a completed block, µs (not rounded); Infinity when no source ever had any capacity. */
export interface BlockBoundsUs {
  readonly tStarUs: number;
  readonly tGUs: number;
}

/** Split bounds kept for blocks with the same inputs (FIFO beyond this). */
const SPLIT_CACHE_SIZE = 256;
/**
 * Search work (nodes × sources) a run spends on split bounds at full budget: 50 full searches. Past it each
 * block's search gets a sixteenth of the budget, so a long run of large, ever-changing blocks stays cheap (its
 * late T_g values may then be lower bounds more often).
 */
const RUN_SPLIT_WORK = 50 * SPLIT_BUDGET;

/** Blocks whose sources are kept at once (the window is one or two blocks; a margin for safety). */
const MAX_OPEN_BLOCKS = 64;
/**
 * Capacity changes kept at once (trimmed at every block end; 10,000 churning peers log ≈64k over a whole run).
 * Past it, the blocks open then keep their start-time T* rather than the run failing: this is an observer.
 */
const MAX_LOG = 1 << 20;

interface OpenBlock {
  /** False once the log overflowed while the block was open: its T* stays the start-time value. */
  exact: boolean;
  readonly startUs: number;
  /** Absolute log index of the first change after the sources were noted. */
  readonly fromChange: number;
  readonly nodes: readonly number[];
  readonly delaysUs: readonly number[];
  readonly ratesBps: readonly number[];
  readonly downlinkBps: number;
  readonly sizeBytes: number;
  readonly constantUs: number;
}

export class BlockBounds {
  private readonly bound = new FluidBound();
  private readonly splitCache = new Map<string, SplitBound>();
  private splitWorkLeft = RUN_SPLIT_WORK;

  /** subBlockBytes: the content's sub-block size (a block's last sub-block may be shorter). */
  constructor(
    private readonly subBlockBytes: number,
    private readonly probe?: SplitProbe,
  ) {
    assert(subBlockBytes > 0, "BlockBounds: sub-block size must be positive");
  }
  private readonly open = new Map<number, OpenBlock>();
  // The capacity log: parallel arrays; entry i has absolute index base + i.
  private base = 0;
  private readonly logTimeUs: number[] = [];
  private readonly logNode: number[] = [];
  private readonly logRateBps: number[] = [];
  /** -1 for a capacity change; for a connection that opened, how long after it the node's first byte can come. */
  private readonly logDelayUs: number[] = [];

  /** A connection to `node` opened at timeUs: a byte can come from it delayUs later, at rateBps as of now. */
  sourceOpened(timeUs: number, node: number, delayUs: number, rateBps: number): void {
    this.log(timeUs, node, rateBps, delayUs);
  }

  /** A node's capacity (or the downlink's, node = DOWNLINK) became rateBps at timeUs. */
  capacityChanged(timeUs: number, node: number, rateBps: number): void {
    this.log(timeUs, node, rateBps, -1);
  }

  private log(timeUs: number, node: number, rateBps: number, delayUs: number): void {
    if (this.open.size === 0) return; // nothing to bound right now
    if (this.logTimeUs.length >= MAX_LOG) {
      for (const b of this.open.values()) b.exact = false;
      this.base += this.logTimeUs.length;
      this.logTimeUs.length = this.logNode.length = this.logRateBps.length = this.logDelayUs.length = 0;
    }
    this.logTimeUs.push(timeUs);
    this.logNode.push(node);
    this.logRateBps.push(rateBps);
    this.logDelayUs.push(delayUs);
  }

  /**
   * A block starts: its sources (distinct nodes with their first-byte delay and current capacity; the arrays
   * are kept, not copied) and the downlink. Returns T* in µs (not rounded) as if these capacities held;
   * Infinity when no source has any.
   */
  blockStarted(
    block: number,
    startUs: number,
    sizeBytes: number,
    nodes: readonly number[],
    delaysUs: readonly number[],
    ratesBps: readonly number[],
    downlinkBps: number,
  ): number {
    assert(!this.open.has(block), "block {0} started twice", block);
    assert(this.open.size < MAX_OPEN_BLOCKS, "too many blocks open at once");
    const bound = this.bound;
    bound.clear();
    for (let i = 0; i < nodes.length; i++) bound.add(ratesBps[i], delaysUs[i]);
    const constantUs = bound.lowerBoundUs(sizeBytes, downlinkBps);
    this.open.set(block, {
      exact: true,
      startUs,
      fromChange: this.base + this.logTimeUs.length,
      nodes,
      delaysUs,
      ratesBps,
      downlinkBps,
      sizeBytes,
      constantUs,
    });
    return constantUs;
  }

  /**
   * The block is complete: its T* and T_g in µs (not rounded) over the capacities its sources really had up to
   * now (a T_g past the block's end, which only a strategy that pipelines blocks sees, holds them from here on).
   */
  blockEnded(block: number): BlockBoundsUs {
    const b = this.open.get(block);
    assert(b !== undefined, "block {0} ended without starting", block);
    this.open.delete(block);
    const t = this.exactUs(b);
    this.trim();
    return t;
  }

  private exactUs(b: OpenBlock): BlockBoundsUs {
    if (!b.exact) {
      // The log overflowed: both bounds from the sources and capacities of the block's start.
      return { tStarUs: b.constantUs, tGUs: this.splitUs(b, [...b.delaysUs], [...b.ratesBps], [], [], []) };
    }
    // What can move T*: a change of a source or the downlink, or a new source, before the constant-capacity T*.
    const index = new Map<number, number>();
    b.nodes.forEach((n, i) => index.set(n, i));
    const delays = [...b.delaysUs];
    const rates = [...b.ratesBps];
    const horizonUs = b.startUs + b.constantUs;
    const at: number[] = [];
    const who: number[] = [];
    const rate: number[] = [];
    let moves = false;
    for (let k = b.fromChange - this.base; k < this.logTimeUs.length; k++) {
      const node = this.logNode[k];
      const t = this.logTimeUs[k];
      if (this.logDelayUs[k] >= 0) {
        if (node === DOWNLINK || index.has(node)) continue; // already a source, from earlier
        index.set(node, delays.length);
        delays.push(t - b.startUs + this.logDelayUs[k]);
        rates.push(this.logRateBps[k]);
        if (t + this.logDelayUs[k] < horizonUs) moves = true;
        continue;
      }
      const i = node === DOWNLINK ? DOWNLINK : (index.get(node) ?? -2);
      if (i === -2) continue;
      at.push(t - b.startUs);
      who.push(i);
      rate.push(this.logRateBps[k]);
      if (t < horizonUs) moves = true;
    }
    const tGUs = this.splitUs(b, delays, rates, at, who, rate);
    if (!moves) return { tStarUs: b.constantUs, tGUs };
    return { tStarUs: varyingLowerBoundUs(b.sizeBytes, delays, rates, b.downlinkBps, at, who, rate), tGUs };
  }

  /** T_g of a block from its sources and changes (times from the block start), through the cache. */
  private splitUs(
    b: OpenBlock,
    delaysUs: number[],
    ratesBps: number[],
    atUs: number[],
    who: number[],
    rateBps: number[],
  ): number {
    const pieces = Math.ceil(b.sizeBytes / this.subBlockBytes);
    const inst: SplitInstance = {
      pieces,
      pieceBytes: this.subBlockBytes,
      lastBytes: pieces === 0 ? this.subBlockBytes : b.sizeBytes - (pieces - 1) * this.subBlockBytes,
      delaysUs,
      ratesBps,
      downlinkBps: b.downlinkBps,
      atUs,
      who,
      rateBps,
    };
    const stats = this.probe?.stats;
    if (stats !== undefined) stats.blocks++;
    const useCache = this.probe?.cache ?? true;
    // Numbers print in their shortest round-trip form: equal keys are equal inputs.
    const key = useCache ? `${b.sizeBytes}|${delaysUs}|${ratesBps}|${b.downlinkBps}|${atUs}|${who}|${rateBps}` : "";
    let result = useCache ? this.splitCache.get(key) : undefined;
    if (result !== undefined) {
      if (stats !== undefined) stats.cacheHits++;
      return result.boundUs;
    }
    const clock = this.probe?.clock;
    const t0 = clock?.() ?? 0;
    result = splitBound(inst, this.splitWorkLeft >= SPLIT_BUDGET ? SPLIT_BUDGET : SPLIT_BUDGET / 16);
    this.splitWorkLeft -= result.nodes * Math.max(1, delaysUs.length);
    if (stats !== undefined) {
      stats.computed++;
      stats.nodes += result.nodes;
      if (!result.exact) {
        stats.inexact++;
        stats.maxGap = Math.max(stats.maxGap, result.bestUs / result.boundUs - 1);
      }
      if (clock !== undefined) stats.wallMs += clock() - t0;
    }
    if (useCache) {
      if (this.splitCache.size >= SPLIT_CACHE_SIZE) this.splitCache.delete(this.splitCache.keys().next().value as string);
      this.splitCache.set(key, result);
    }
    return result.boundUs;
  }

  /** Drops the changes no open block needs. */
  private trim(): void {
    let keep = this.base + this.logTimeUs.length;
    for (const b of this.open.values()) keep = Math.max(this.base, Math.min(keep, b.fromChange));
    const drop = keep - this.base;
    if (drop <= 0) return;
    this.logTimeUs.splice(0, drop);
    this.logNode.splice(0, drop);
    this.logRateBps.splice(0, drop);
    this.logDelayUs.splice(0, drop);
    this.base = keep;
  }
}

/**
 * T* in µs with capacities that change over time (piecewise constant), times in µs from the block start.
 * Source i starts delivering at delaysUs[i] at ratesBps[i]; the downlink is downlinkBps. Change k (in time
 * order) sets, at atUs[k], the rate of source who[k] (or of the downlink, who[k] = DOWNLINK) to rateBps[k].
 * Returns min T with Σ_i ∫_{d_i}^{T} r_i(t) dt ≥ B and ∫_{min d}^{T} C(t) dt ≥ B; Infinity if never.
 */
export function varyingLowerBoundUs(
  sizeBytes: number,
  delaysUs: readonly number[],
  ratesBps: readonly number[],
  downlinkBps: number,
  atUs: readonly number[],
  who: readonly number[],
  rateBps: readonly number[],
): number {
  const bits = sizeBytes * 8;
  const n = delaysUs.length;
  if (bits === 0) return 0;
  if (n === 0) return Number.POSITIVE_INFINITY;
  for (let k = 1; k < atUs.length; k++) assert(atUs[k] >= atUs[k - 1], "capacity changes out of time order");

  // Sources: walk the merged time points (source starts and changes), integrating the active sources' rates.
  const order = delaysUs.map((_d, i) => i).sort((x, y) => delaysUs[x] - delaysUs[y] || x - y);
  const rates = [...ratesBps];
  const active = new Array<boolean>(n).fill(false);
  let t = 0;
  let delivered = 0; // bits
  let slope = 0; // bits per µs of the active sources
  let next = 0; // next source (in `order`) to start
  let k = 0; // next change
  let sourcesUs = Number.POSITIVE_INFINITY;
  for (let steps = 0; ; steps++) {
    assert(steps <= n + atUs.length + 1, "lower bound walk did not end");
    while (k < atUs.length && who[k] === DOWNLINK) k++; // the downlink has its own walk below
    const startAt = next < n ? delaysUs[order[next]] : Number.POSITIVE_INFINITY;
    const changeAt = k < atUs.length ? atUs[k] : Number.POSITIVE_INFINITY;
    const point = Math.min(startAt, changeAt);
    if (slope > 0 && delivered + slope * (point - t) >= bits) {
      sourcesUs = t + (bits - delivered) / slope;
      break;
    }
    if (point === Number.POSITIVE_INFINITY) break;
    delivered += slope * (point - t);
    t = point;
    if (startAt <= changeAt) {
      active[order[next++]] = true;
    } else {
      rates[who[k]] = rateBps[k];
      k++;
    }
    // Summed afresh at every point (a handful per block), so no rounding accumulates across changes.
    slope = 0;
    for (let i = 0; i < n; i++) if (active[i]) slope += Math.max(0, rates[i]) / 1e6;
  }

  // Downlink: ∫ C(t) dt from the earliest source start.
  let dlUs = Number.POSITIVE_INFINITY;
  {
    let c = downlinkBps / 1e6;
    let j = 0;
    const from = Math.min(...delaysUs);
    while (j < atUs.length && (who[j] !== DOWNLINK || atUs[j] <= from)) {
      if (who[j] === DOWNLINK) c = rateBps[j] / 1e6;
      j++;
    }
    let tt = from;
    let got = 0;
    for (let steps = 0; ; steps++) {
      assert(steps <= atUs.length + 1, "downlink bound walk did not end");
      while (j < atUs.length && who[j] !== DOWNLINK) j++;
      const point = j < atUs.length ? atUs[j] : Number.POSITIVE_INFINITY;
      if (c > 0 && got + c * (point - tt) >= bits) {
        dlUs = tt + (bits - got) / c;
        break;
      }
      if (point === Number.POSITIVE_INFINITY) break;
      got += Math.max(0, c) * (point - tt);
      tt = point;
      c = rateBps[j] / 1e6;
      j++;
    }
  }
  return Math.max(sourcesUs, dlUs);
}
