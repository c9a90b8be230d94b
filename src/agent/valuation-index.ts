// The connection-state valuation index: one number per connection saying how good a source it is.
//   V_i = speedWeight × (rate_i / max_j rate_j) + rttWeight × (min_j rtt_j / rtt_i)
// over the connections considered; rates and RTTs are the current estimates (tracker priors before any
// measurement). RTTs are floored at 1 µs so a zero RTT does not divide by zero.

import type { IndexWeights } from "./config.ts";

export interface RateRtt {
  readonly rateBps: number;
  readonly rttUs: number;
}

export function valuationIndexes(conns: readonly RateRtt[], weights: IndexWeights): number[] {
  if (conns.length === 0) return [];
  let maxRate = 0;
  let minRtt = Number.POSITIVE_INFINITY;
  for (const c of conns) {
    maxRate = Math.max(maxRate, c.rateBps);
    minRtt = Math.min(minRtt, Math.max(1, c.rttUs));
  }
  return conns.map((c) => {
    const speed = maxRate > 0 ? c.rateBps / maxRate : 1;
    const rtt = minRtt / Math.max(1, c.rttUs);
    return weights.speedWeight * speed + weights.rttWeight * rtt;
  });
}
