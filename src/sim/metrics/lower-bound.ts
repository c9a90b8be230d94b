// The fluid lower bound T* on the time to download B bytes from several sources (see
// ../shared/research/strategies.md): source i delivers at rate r_i after a first-byte delay d_i, the
// downlink caps the total at C. T* = min T with Σ r_i·(T − d_i)⁺ ≥ B and C·(T − min d_i) ≥ B.

export interface Source {
  readonly rateBps: number;
  readonly delayUs: number;
}

/** T* in µs (not rounded). Infinity when no source has a positive rate. */
export function fluidLowerBoundUs(sizeBytes: number, sources: readonly Source[], downlinkBps: number): number {
  const bits = sizeBytes * 8;
  const usable = sources.filter((s) => s.rateBps > 0).sort((x, y) => x.delayUs - y.delayUs || y.rateBps - x.rateBps);
  if (usable.length === 0 || bits === 0) return bits === 0 ? 0 : Number.POSITIVE_INFINITY;
  // Water-filling: add sources in order of delay while the bound is still later than the next delay.
  let rateSum = 0; // bits per µs
  let weighted = 0; // Σ r_i·d_i in bits
  let tUs = Number.POSITIVE_INFINITY;
  for (let i = 0; i < usable.length; i++) {
    const r = usable[i].rateBps / 1e6;
    rateSum += r;
    weighted += r * usable[i].delayUs;
    tUs = (bits + weighted) / rateSum;
    const next = usable[i + 1];
    if (next === undefined || tUs <= next.delayUs) break;
  }
  const downlinkUs = usable[0].delayUs + bits / (downlinkBps / 1e6);
  return Math.max(tUs, downlinkUs);
}

/** The optimal split of the water-filling bound: bytes per source, x_i = r_i·(T* − d_i)⁺ (downlink ignored). */
export function fluidSplitBytes(sizeBytes: number, sources: readonly Source[], downlinkBps: number): number[] {
  const tUs = fluidLowerBoundUs(sizeBytes, sources, downlinkBps);
  return sources.map((s) => (Number.isFinite(tUs) ? (s.rateBps / 8e6) * Math.max(0, tUs - s.delayUs) : 0));
}
