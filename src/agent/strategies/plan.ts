// Earliest-finish planning of whole sub-blocks over connections, from estimates (pure functions).
// Source i can deliver new work from readyUs_i on (its queue drained and one RTT after a request made now) at
// rate r_i. Each sub-block in turn goes to the source that would finish it first:
//   finish_i = max(readyUs_i, busyUntil_i) + size × 8e6 / r_i,
// which for equal sizes minimises the time the last one ends (a source with a long first-byte delay or a low
// rate gets nothing when the others would finish that sub-block sooner: it is left idle). The client's
// downlink C caps the sum: the rate a source can count on is min(r_i, λ), where the fair level λ solves
// Σ_{i used} min(r_i, λ) = C over the sources the plan uses (max-min sharing); the plan is redone with those
// rates until the set of sources used no longer changes (at most MAX_LEVEL_ROUNDS times).

export interface PlanSource {
  /** Earliest time a new request's first byte can arrive, µs. */
  readonly readyUs: number;
  readonly rateBps: number;
}

export const MAX_LEVEL_ROUNDS = 4;

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

/** The max-min fair level λ with Σ min(r_i, λ) = downlink; Infinity when Σ r_i ≤ downlink. */
export function fairLevelBps(ratesBps: readonly number[], downlinkBps: number): number {
  const sorted = ratesBps.filter((r) => r > 0).sort((a, b) => a - b);
  let left = downlinkBps;
  for (let k = 0; k < sorted.length; k++) {
    const share = left / (sorted.length - k);
    if (sorted[k] >= share) return share;
    left -= sorted[k];
  }
  return Number.POSITIVE_INFINITY;
}

/** earliestFinish with each source's rate capped at the downlink's fair level among the sources used. */
export function earliestFinishCapped(
  sizesBytes: readonly number[],
  sources: readonly PlanSource[],
  downlinkBps: number,
  allowed?: (k: number, i: number) => boolean,
): { assignment: number[]; ratesBps: number[] } {
  let rates = sources.map((s) => s.rateBps);
  let assignment = earliestFinish(sizesBytes, sources, allowed);
  if (!Number.isFinite(downlinkBps)) return { assignment, ratesBps: rates };
  let usedKey = "";
  for (let round = 0; round < MAX_LEVEL_ROUNDS; round++) {
    const used = sources.map((_s, i) => assignment.includes(i));
    const key = used.map((u) => (u ? "1" : "0")).join("");
    if (key === usedKey) break;
    usedKey = key;
    const level = fairLevelBps(
      sources.filter((_s, i) => used[i]).map((s) => s.rateBps),
      downlinkBps,
    );
    rates = sources.map((s) => Math.min(s.rateBps, level));
    assignment = earliestFinish(
      sizesBytes,
      sources.map((s, i) => ({ readyUs: s.readyUs, rateBps: rates[i] })),
      allowed,
    );
  }
  return { assignment, ratesBps: rates };
}
