// `oracle`: clairvoyant water-filling split from the simulator's Oracle (true uplinks, RTTs, downlink).
// Source i delivers r_i bytes/s after a first-byte delay d_i = its true RTT. Sorted by d_i, the active set A is
// the longest prefix with d_i < T, where T* = (B + Σ_A r_i·d_i) / Σ_A r_i; source i gets x_i = r_i·(T* − d_i)⁺
// bytes. Sub-blocks are indivisible, so the split is made whole by earliest finish: each sub-block in turn goes to
// the source that would finish it first (d_i + (n_i + 1)·c / r_i), which is optimal for equal-size jobs on
// sources of different speeds and start delays, and never hands a slow source a sub-block it would finish after
// T* + c / r_max; rounding the fluid shares up could. When Σ r_i exceeds the downlink C, the rates are scaled by
// C / Σ r_i (a fair share of the bottleneck). Without an oracle (a real network) the strategy throws.

import type { ConnectionView, Strategy, StrategyContext, StrategyEntry } from "../strategy.ts";
import { bytesOf, idleConnections, splitPool } from "./shares.ts";

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

export class OracleStrategy implements Strategy {
  readonly name = "oracle";

  onBlockStart(ctx: StrategyContext): void {
    this.split(ctx, ctx.connections);
  }

  onConnectionIdle(ctx: StrategyContext, _conn: ConnectionView): void {
    this.split(ctx, idleConnections(ctx));
  }

  private split(ctx: StrategyContext, conns: readonly ConnectionView[]): void {
    const oracle = ctx.oracle;
    if (oracle === undefined)
      throw new Error("the oracle strategy needs ctx.oracle, which only a simulator provides");
    if (conns.length === 0 || ctx.pool.length === 0) return;
    let rates = conns.map((c) => oracle.trueUplinkBps(c.nodeId) / 8);
    const total = rates.reduce((a, b) => a + b, 0);
    const downlink = oracle.downlinkBps() / 8;
    if (total > downlink && downlink > 0) rates = rates.map((r) => (r * downlink) / total);
    const sources = conns.map((c, i) => ({ rateBytesPerS: rates[i], delayS: oracle.trueRttUs(c.nodeId) / 1e6 }));
    splitPool(ctx, conns, earliestFinishCounts(ctx.pool.length, bytesOf(ctx, ctx.pool) / ctx.pool.length, sources));
  }
}

export const oracleEntry: StrategyEntry = {
  name: "oracle",
  description: "clairvoyant water-filling split from the true capacities (simulator only): the T* reference",
  create: () => new OracleStrategy(),
};
