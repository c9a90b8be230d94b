// The connection-state valuation index: one number per connection saying how good a source it is.
//   V_i = speedWeight × (rate_i / max_j rate_j) + rttWeight × (min_j rtt_j / rtt_i)
// over the connections considered; rates and RTTs are the current estimates (tracker priors before any
// measurement). RTTs are floored at 1 µs so a zero RTT does not divide by zero.

import type { IndexWeights } from "./config.ts";

export interface RateRtt {
  readonly rateBps: number;
  readonly rttUs: number;
}

/** The two figures every index is relative to: the largest rate and the smallest (floored) RTT. */
export interface ValuationScale {
  readonly maxRateBps: number;
  readonly minRttUs: number;
}

export function valuationScale(conns: readonly RateRtt[]): ValuationScale {
  let maxRate = 0;
  let minRtt = Number.POSITIVE_INFINITY;
  for (const c of conns) {
    maxRate = Math.max(maxRate, c.rateBps);
    minRtt = Math.min(minRtt, Math.max(1, c.rttUs));
  }
  return { maxRateBps: maxRate, minRttUs: minRtt };
}

/** One connection's index given the scale of the connections considered. */
export function valuationIndex(c: RateRtt, scale: ValuationScale, weights: IndexWeights): number {
  const speed = scale.maxRateBps > 0 ? c.rateBps / scale.maxRateBps : 1;
  const rtt = scale.minRttUs / Math.max(1, c.rttUs);
  return weights.speedWeight * speed + weights.rttWeight * rtt;
}

export function valuationIndexes(conns: readonly RateRtt[], weights: IndexWeights): number[] {
  if (conns.length === 0) return [];
  const scale = valuationScale(conns);
  return conns.map((c) => valuationIndex(c, scale, weights));
}
