// Earliest-finish planning of whole sub-blocks over connections, from estimates (pure functions).
// Source i can deliver new work from readyUs_i on (its queue drained and one RTT after a request made now) at
// rate r_i. Each sub-block in turn goes to the source that would finish it first:
//   finish_i = max(readyUs_i, busyUntil_i) + size × 8e6 / r_i,
// which for equal sizes minimises the time the last one ends (a source with a long first-byte delay or a low
// rate gets nothing when the others would finish that sub-block sooner: it is left idle). This is exact (it is
// T_g's split) when the client's downlink never binds; when it does, the rates are the shares the connections
// were measured at.

export interface PlanSource {
  /** Earliest time a new request's first byte can arrive, µs. */
  readonly readyUs: number;
  readonly rateBps: number;
}

/**
 * The source index of each sub-block (by the rule above), -1 where no allowed source exists. allowed(k, i):
 * may source i fetch sub-block k (all may when omitted).
 */
export function earliestFinish(
  sizesBytes: readonly number[],
  sources: readonly PlanSource[],
  allowed?: (k: number, i: number) => boolean,
): number[] {
  const busy = sources.map((s) => s.readyUs);
  return sizesBytes.map((size, k) => {
    let best = -1;
    let bestUs = Number.POSITIVE_INFINITY;
    for (let i = 0; i < sources.length; i++) {
      const r = sources[i].rateBps;
      if (!(r > 0) || (allowed !== undefined && !allowed(k, i))) continue;
      const finish = busy[i] + (size * 8e6) / r;
      if (finish < bestUs) {
        bestUs = finish;
        best = i;
      }
    }
    if (best >= 0) busy[best] = bestUs;
    return best;
  });
}
