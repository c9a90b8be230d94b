// A reference for split bounds, written apart from the code under test: a max-min simulator by progressive
// filling (the level rises until a flow's capacity freezes it or the downlink is used up) and a brute-force
// search over every split of a block's whole sub-blocks.

import { DOWNLINK, type SplitInstance } from "../../src/sim/metrics/split-bound.ts";

/**
 * When each flow ends (µs; -1 for an empty one, Infinity if never) when source i sends workBits[i] from delaysUs[i]
 * on, the flows sharing the downlink max-min. Progressive filling: the level rises until a flow's capacity
 * freezes it or the downlink is used up.
 */
export function plainEnds(inst: SplitInstance, workBits: readonly number[]): number[] {
  const m = workBits.length;
  const rem = [...workBits];
  const cap = inst.ratesBps.map((r) => r / 1e6);
  let link = inst.downlinkBps / 1e6;
  const ends = workBits.map((w) => (w > 0 ? Number.POSITIVE_INFINITY : -1));
  let t = 0;
  let k = 0;
  for (let steps = 0; steps < 10_000; steps++) {
    while (k < inst.atUs.length && inst.atUs[k] <= t) {
      if (inst.who[k] === DOWNLINK) link = inst.rateBps[k] / 1e6;
      else cap[inst.who[k]] = inst.rateBps[k] / 1e6;
      k++;
    }
    const active: number[] = [];
    let next = k < inst.atUs.length ? inst.atUs[k] : Number.POSITIVE_INFINITY;
    for (let i = 0; i < m; i++) {
      if (rem[i] <= 0) continue;
      if (inst.delaysUs[i] <= t) active.push(i);
      else next = Math.min(next, inst.delaysUs[i]);
    }
    if (active.length === 0 && next === Number.POSITIVE_INFINITY) return ends;
    const rate = new Array<number>(m).fill(0);
    let free = [...active];
    let avail = link;
    for (let round = 0; round <= m && free.length > 0; round++) {
      const level = avail / free.length;
      const frozen = free.filter((i) => cap[i] <= level);
      if (frozen.length === 0) {
        for (const i of free) rate[i] = level;
        break;
      }
      for (const i of frozen) {
        rate[i] = cap[i];
        avail -= cap[i];
      }
      free = free.filter((i) => cap[i] > level);
    }
    for (const i of active) if (rate[i] > 0) next = Math.min(next, t + rem[i] / rate[i]);
    if (next === Number.POSITIVE_INFINITY) return ends;
    for (const i of active) {
      if (rate[i] > 0 && t + rem[i] / rate[i] <= next) {
        rem[i] = 0;
        ends[i] = next;
      } else {
        rem[i] -= rate[i] * (next - t);
        if (rem[i] <= 1e-9 * workBits[i]) {
          rem[i] = 0;
          ends[i] = next;
        }
      }
    }
    t = next;
  }
  throw new Error("plainEnds did not end");
}

export function workOf(inst: SplitInstance, counts: readonly number[], holder: number): number[] {
  return counts.map((k, i) => k * inst.pieceBytes * 8 - (i === holder ? (inst.pieceBytes - inst.lastBytes) * 8 : 0));
}

export function plainEndUs(inst: SplitInstance, counts: readonly number[], holder: number): number {
  return Math.max(0, ...plainEnds(inst, workOf(inst, counts, holder)));
}

/** min over every split (and every holder of a short last sub-block) of its end. */
export function bruteForceUs(inst: SplitInstance): number {
  const m = inst.delaysUs.length;
  const short = inst.lastBytes < inst.pieceBytes;
  let best = Number.POSITIVE_INFINITY;
  const counts = new Array<number>(m).fill(0);
  const visit = (i: number, left: number): void => {
    if (i === m - 1) {
      counts[i] = left;
      for (let h = short ? 0 : -1; h < (short ? m : 0); h++) {
        if (h >= 0 && counts[h] === 0) continue;
        best = Math.min(best, plainEndUs(inst, counts, h));
      }
      return;
    }
    for (let x = 0; x <= left; x++) {
      counts[i] = x;
      visit(i + 1, left - x);
    }
  };
  visit(0, inst.pieces);
  return best;
}

