// `oracle`: the clairvoyant reference. From the simulator's Oracle (true uplinks, RTTs and downlink now) it
// gives the ready connections the split of the block's whole sub-blocks that ends the block soonest, each
// connection's share in one request (best-split.ts): the flows share the downlink max-min, and a connection whose
// use would end the block later (a far or slow one) is left idle. With the capacities constant during the block
// that is the simulator's split bound T_g. It knows capacities now, not later: when they change during a block
// (traces, Markov uplinks) its plan, which concentrates work on the sources that are fast at the block's start,
// can end later than a split that spreads the risk (ci/trace-tcp.yaml seed 44: 12.1 s against 9.2 s for the
// old C/Σr split; 5.008 s against 5.004 s on average over 48 seeds). Work returned to the pool is split the same
// way over the idle connections. It takes the Oracle when created; without one (a real network) creating it throws.
//
// waterFill (the fluid split of T*) and earliestFinishCounts (the greedy split by each source alone) are kept
// for other strategies and tests: on their own they hand far slow sources work and ignore downlink sharing.

import type { ConnectionView, Oracle, Strategy, StrategyContext, StrategyEntry } from "../strategy.ts";
import { type BestSplit, bestSplit } from "./best-split.ts";
import { idleConnections } from "./shares.ts";

export interface FluidSource {
  readonly rateBytesPerS: number;
  /** First-byte delay. */
  readonly delayS: number;
}

/** Water-filling: the bytes each source should fetch so that all active ones finish together at T* (seconds). */
export function waterFill(
  bytes: number,
  sources: readonly FluidSource[],
): { tStar: number; shares: number[] } {
  const order = sources.map((_, i) => i).sort((a, b) => sources[a].delayS - sources[b].delayS || a - b);
  let tStar = Number.POSITIVE_INFINITY;
  let sumR = 0;
  let sumRD = 0;
  for (const i of order) {
    const { rateBytesPerS: rate, delayS: delay } = sources[i];
    if (rate <= 0) continue;
    if (delay >= tStar) break;
    sumR += rate;
    sumRD += rate * delay;
    tStar = (bytes + sumRD) / sumR;
  }
  const shares = sources.map((s) =>
    s.rateBytesPerS > 0 && Number.isFinite(tStar) ? s.rateBytesPerS * Math.max(0, tStar - s.delayS) : 0,
  );
  return { tStar, shares };
}

/** How many of `count` sub-blocks of `sizeBytes` each source gets when each goes to the earliest finisher. */
export function earliestFinishCounts(count: number, sizeBytes: number, sources: readonly FluidSource[]): number[] {
  const counts = sources.map(() => 0);
  for (let k = 0; k < count; k++) {
    let best = -1;
    let bestFinishS = Number.POSITIVE_INFINITY;
    sources.forEach((s, i) => {
      if (s.rateBytesPerS <= 0) return;
      const finishS = s.delayS + ((counts[i] + 1) * sizeBytes) / s.rateBytesPerS;
      if (finishS < bestFinishS) {
        bestFinishS = finishS;
        best = i;
      }
    });
    if (best < 0) break;
    counts[best]++;
  }
  return counts;
}

/** Splits kept for blocks that meet the same connections, capacities and sizes (FIFO beyond this). */
const CACHE_SIZE = 64;

export class OracleStrategy implements Strategy {
  readonly name = "oracle";
  private readonly cache = new Map<string, BestSplit>();

  constructor(private readonly oracle: Oracle) {}

  onBlockStart(ctx: StrategyContext): void {
    this.split(ctx, ctx.connections);
  }

  onConnectionIdle(ctx: StrategyContext, _conn: ConnectionView): void {
    if (ctx.pool.length === 0) return; // nothing came back to split (the usual case)
    this.split(ctx, idleConnections(ctx));
  }

  private split(ctx: StrategyContext, conns: readonly ConnectionView[]): void {
    const oracle = this.oracle;
    if (conns.length === 0 || ctx.pool.length === 0) return;
    const ids = [...ctx.pool];
    // Every sub-block is full-size but the content's very last one, which may be short.
    let pieceBytes = 0;
    let shortId = -1;
    for (const id of ids) pieceBytes = Math.max(pieceBytes, ctx.content.subBlockSize(id));
    for (const id of ids) if (ctx.content.subBlockSize(id) < pieceBytes) shortId = id;
    const lastBytes = shortId >= 0 ? ctx.content.subBlockSize(shortId) : pieceBytes;
    const sources = conns.map((c) => ({ rateBps: oracle.trueUplinkBps(c.nodeId), delayUs: oracle.trueRttUs(c.nodeId) }));
    const downlinkBps = oracle.downlinkBps();
    // Numbers print in their shortest round-trip form: equal keys are equal inputs.
    const key = `${ids.length},${pieceBytes},${lastBytes},${downlinkBps}|${sources.map((x) => `${x.rateBps}/${x.delayUs}`).join(",")}`;
    let best = this.cache.get(key);
    if (best === undefined) {
      best = bestSplit(ids.length, pieceBytes, lastBytes, sources, downlinkBps);
      if (this.cache.size >= CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(key, best);
    }
    // Consecutive runs of the full sub-blocks; the short one goes last to the connection the split gave it to.
    const full = ids.filter((id) => id !== shortId);
    let next = 0;
    conns.forEach((conn, i) => {
      const n = best.counts[i] - (i === best.shortHolder && shortId >= 0 ? 1 : 0);
      const mine = full.slice(next, next + n);
      next += n;
      if (i === best.shortHolder && shortId >= 0) mine.push(shortId);
      const ok = mine.filter((id) => ctx.canFetch(conn.id, id));
      if (ok.length > 0) ctx.request(conn.id, ok);
    });
  }
}

export const oracleEntry: StrategyEntry = {
  name: "oracle",
  description: "clairvoyant best split of whole sub-blocks from the true capacities, max-min downlink sharing (simulator only): the T_g reference",
  create: (env) => {
    if (env?.oracle === undefined) throw new Error("the oracle strategy needs an Oracle, which only a simulator provides");
    return new OracleStrategy(env.oracle);
  },
};
