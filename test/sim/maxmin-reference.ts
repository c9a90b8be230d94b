// An independent reference for max-min fair rates, written for the tests only (not the code under test):
// plain progressive filling, one level at a time, O(flows × links) per step, no heaps, no incremental state.
// Flows cross any list of links and may have a cap.

export interface RefFlow {
  links: number[];
  cap: number; // Infinity for none
}

/** Max-min fair rates: every unfrozen flow grows until a link it crosses fills or its cap is reached. */
export function referenceMaxMin(flows: RefFlow[], linkCaps: number[]): number[] {
  const rate = flows.map(() => 0);
  const frozen = flows.map(() => false);
  const left = [...linkCaps];
  for (let step = 0; step <= flows.length; step++) {
    const growing = flows.map((_, i) => i).filter((i) => !frozen[i]);
    if (growing.length === 0) break;
    // The largest common increment before a link fills or a cap is reached.
    let inc = Infinity;
    for (let l = 0; l < linkCaps.length; l++) {
      const n = growing.filter((i) => flows[i].links.includes(l)).length;
      if (n > 0) inc = Math.min(inc, Math.max(left[l], 0) / n);
    }
    for (const i of growing) inc = Math.min(inc, flows[i].cap - rate[i]);
    if (inc === Infinity) {
      for (const i of growing) rate[i] = Infinity;
      break;
    }
    for (const i of growing) {
      rate[i] += inc;
      for (const l of flows[i].links) left[l] -= inc;
    }
    // Freeze the flows at their cap and those crossing a full link.
    const full = linkCaps.map((c, l) => c < Infinity && left[l] <= 1e-12 * Math.max(1, c));
    for (const i of growing) {
      if (rate[i] >= flows[i].cap * (1 - 1e-12) || flows[i].links.some((l) => full[l])) frozen[i] = true;
    }
  }
  return rate;
}
