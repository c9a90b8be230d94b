// The fluid lower bound T* on the time to download B bytes from several sources (see
// ../shared/research/strategies.md): source i delivers at rate r_i after a first-byte delay d_i, the
// downlink caps the total at C. T* = min T with Σ r_i·(T − d_i)⁺ ≥ B and C·(T − min d_i) ≥ B.

export interface Source {
  readonly rateBps: number;
  readonly delayUs: number;
}

/** T* in µs (not rounded). Infinity when no source has a positive rate. */
export function fluidLowerBoundUs(sizeBytes: number, sources: readonly Source[], downlinkBps: number): number {
  const bound = new FluidBound();
  for (const s of sources) bound.add(s.rateBps, s.delayUs);
  return bound.lowerBoundUs(sizeBytes, downlinkBps);
}

/**
 * fluidLowerBoundUs with sources added one at a time into storage that is reused from one call to the next:
 * the world computes T* for every block without allocating. clear(), add() each source, lowerBoundUs().
 */
export class FluidBound {
  /** Usable sources (positive rate), kept sorted by (delay, then rate descending). */
  private readonly rateBps: number[] = [];
  private readonly delayUs: number[] = [];
  private count = 0;

  clear(): void {
    this.count = 0;
  }

  /** Adds a source; one without a positive rate is left out. */
  add(rateBps: number, delayUs: number): void {
    if (!(rateBps > 0)) return;
    // Insertion into the sorted prefix. Sources that compare equal have equal (delay, rate), so their order
    // changes no sum below.
    let i = this.count++;
    while (i > 0 && (this.delayUs[i - 1] - delayUs || rateBps - this.rateBps[i - 1]) > 0) {
      this.delayUs[i] = this.delayUs[i - 1];
      this.rateBps[i] = this.rateBps[i - 1];
      i--;
    }
    this.delayUs[i] = delayUs;
    this.rateBps[i] = rateBps;
  }

  /** T* in µs (not rounded) for sizeBytes from the sources added since clear(). */
  lowerBoundUs(sizeBytes: number, downlinkBps: number): number {
    const bits = sizeBytes * 8;
    const n = this.count;
    if (n === 0 || bits === 0) return bits === 0 ? 0 : Number.POSITIVE_INFINITY;
    // Water-filling: add sources in order of delay while the bound is still later than the next delay.
    let rateSum = 0; // bits per µs
    let weighted = 0; // Σ r_i·d_i in bits
    let tUs = Number.POSITIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const r = this.rateBps[i] / 1e6;
      rateSum += r;
      weighted += r * this.delayUs[i];
      tUs = (bits + weighted) / rateSum;
      if (i + 1 === n || tUs <= this.delayUs[i + 1]) break;
    }
    const downlinkUs = this.delayUs[0] + bits / (downlinkBps / 1e6);
    return Math.max(tUs, downlinkUs);
  }
}

/** The optimal split of the water-filling bound: bytes per source, x_i = r_i·(T* − d_i)⁺ (downlink ignored). */
export function fluidSplitBytes(sizeBytes: number, sources: readonly Source[], downlinkBps: number): number[] {
  const tUs = fluidLowerBoundUs(sizeBytes, sources, downlinkBps);
  return sources.map((s) => (Number.isFinite(tUs) ? (s.rateBps / 8e6) * Math.max(0, tUs - s.delayUs) : 0));
}
