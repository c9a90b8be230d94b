// Max-min fair rates on any set of links, by progressive filling: a pure function over typed arrays,
// allocation-free when given a scratch object. Each flow crosses at most two links (its source's uplink and its
// destination's downlink; -1 for none) and has its own cap.
//
// All unfrozen flows grow at the same rate. When a link fills, the flows still growing on it freeze at that
// level (their bottleneck is the link); when a flow reaches its cap, it freezes there (bottleneck: the cap).
// Each link's "share" is (capacity left) / (flows still growing on it); the next link to fill is the one with
// the smallest share. Freezing a flow at a level λ ≤ every share never lowers another link's share, so one lazy
// min-heap holds the links' shares (stale entries skipped) and the flows' caps. Cost O((flows + links) log).
// Ties (equal keys) go to the smaller id, links before caps; either choice is max-min fair.

/** The bottleneck code of a flow frozen by its cap (otherwise the bottleneck is a link id ≥ 0). */
export const FROZEN_BY_CAP = -1;

/** Progressive filling with reusable buffers (they grow on demand; nothing is allocated per solve). */
export class MaxMinFiller {
  private linkStart = new Int32Array(17);
  private linkFlows = new Int32Array(32);
  private left = new Float64Array(16);
  private growing = new Int32Array(16);
  private frozen = new Uint8Array(16);
  private heapKey = new Float64Array(64);
  private heapId = new Int32Array(64);
  private heapSize = 0;
  private nLinks = 0;

  /**
   * Solves max-min rates. Inputs: for flows 0..nFlows-1 their links flowUp[f], flowDown[f] (0..nLinks-1, or
   * -1) and cap (bps, may be Infinity); for links their capacity (bps, ≥ 0, may be Infinity). Outputs:
   * outRate[f], outBottleneck[f] (the link that froze the flow, or FROZEN_BY_CAP), outLinkLevel[l] (the level at
   * which link l filled, Infinity when it did not). A flow limited by nothing gets Infinity.
   */
  solve(
    nFlows: number,
    flowUp: Int32Array,
    flowDown: Int32Array,
    flowCap: Float64Array,
    nLinks: number,
    linkCap: Float64Array,
    outRate: Float64Array,
    outBottleneck: Int32Array,
    outLinkLevel: Float64Array,
  ): void {
    this.ensure(nFlows, nLinks);
    this.nLinks = nLinks;
    const { linkStart, linkFlows, left, growing, frozen } = this;

    // Flows of each link (CSR), in flow order.
    linkStart.fill(0, 0, nLinks + 1);
    for (let f = 0; f < nFlows; f++) {
      if (flowUp[f] >= 0) linkStart[flowUp[f] + 1]++;
      if (flowDown[f] >= 0) linkStart[flowDown[f] + 1]++;
    }
    for (let l = 0; l < nLinks; l++) {
      linkStart[l + 1] += linkStart[l];
      growing[l] = linkStart[l]; // fill cursor
    }
    for (let f = 0; f < nFlows; f++) {
      if (flowUp[f] >= 0) linkFlows[growing[flowUp[f]]++] = f;
      if (flowDown[f] >= 0) linkFlows[growing[flowDown[f]]++] = f;
    }
    this.heapSize = 0;
    for (let l = 0; l < nLinks; l++) {
      growing[l] = linkStart[l + 1] - linkStart[l];
      left[l] = linkCap[l];
      outLinkLevel[l] = Infinity;
      if (growing[l] > 0 && linkCap[l] < Infinity) this.push(this.share(l), l);
    }
    for (let f = 0; f < nFlows; f++) {
      frozen[f] = 0;
      if (flowCap[f] < Infinity) this.push(Math.max(flowCap[f], 0), nLinks + f);
    }

    let remaining = nFlows;
    const maxSteps = 2 * nFlows + nLinks + 1; // every pop is a link, a cap or a stale entry: bounded by pushes
    for (let step = 0; remaining > 0; step++) {
      if (step > maxSteps) throw new Error(`progressive filling: no end after ${maxSteps} steps`);
      if (this.heapSize === 0) {
        // Nothing limits the flows still growing.
        for (let f = 0; f < nFlows; f++) {
          if (frozen[f] === 0) {
            frozen[f] = 1;
            outRate[f] = Infinity;
            outBottleneck[f] = FROZEN_BY_CAP;
          }
        }
        break;
      }
      const key = this.heapKey[0];
      const id = this.heapId[0];
      this.pop();
      if (id >= nLinks) {
        const f = id - nLinks;
        if (frozen[f] === 1) continue;
        this.freeze(f, key, FROZEN_BY_CAP, flowUp, flowDown, linkCap, outRate, outBottleneck);
        remaining--;
        continue;
      }
      const l = id;
      if (growing[l] === 0 || key !== this.share(l)) continue; // stale
      outLinkLevel[l] = key;
      for (let i = linkStart[l]; i < linkStart[l + 1]; i++) {
        const f = linkFlows[i];
        if (frozen[f] === 0) {
          this.freeze(f, key, l, flowUp, flowDown, linkCap, outRate, outBottleneck);
          remaining--;
        }
      }
    }
  }

  private share(l: number): number {
    const x = this.left[l];
    return x > 0 ? x / this.growing[l] : 0;
  }

  /** Freezes flow f at rate r: the links it crosses lose r of capacity and one growing flow. */
  private freeze(
    f: number,
    r: number,
    bottleneck: number,
    flowUp: Int32Array,
    flowDown: Int32Array,
    linkCap: Float64Array,
    outRate: Float64Array,
    outBottleneck: Int32Array,
  ): void {
    this.frozen[f] = 1;
    outRate[f] = r;
    outBottleneck[f] = bottleneck;
    const up = flowUp[f];
    const down = flowDown[f];
    if (up >= 0) {
      this.left[up] -= r;
      if (--this.growing[up] > 0 && up !== bottleneck && linkCap[up] < Infinity) this.push(this.share(up), up);
    }
    if (down >= 0) {
      this.left[down] -= r;
      if (--this.growing[down] > 0 && down !== bottleneck && linkCap[down] < Infinity)
        this.push(this.share(down), down);
    }
  }

  private less(i: number, j: number): boolean {
    const a = this.heapKey[i];
    const b = this.heapKey[j];
    return a < b || (a === b && this.heapId[i] < this.heapId[j]);
  }

  private swap(i: number, j: number): void {
    const k = this.heapKey[i];
    const id = this.heapId[i];
    this.heapKey[i] = this.heapKey[j];
    this.heapId[i] = this.heapId[j];
    this.heapKey[j] = k;
    this.heapId[j] = id;
  }

  private push(key: number, id: number): void {
    let i = this.heapSize++;
    this.heapKey[i] = key;
    this.heapId[i] = id;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  private pop(): void {
    const last = --this.heapSize;
    if (last === 0) return;
    this.heapKey[0] = this.heapKey[last];
    this.heapId[0] = this.heapId[last];
    let i = 0;
    for (;;) {
      const a = 2 * i + 1;
      if (a >= last) return;
      const m = a + 1 < last && this.less(a + 1, a) ? a + 1 : a;
      if (!this.less(m, i)) return;
      this.swap(i, m);
      i = m;
    }
  }

  private ensure(flows: number, links: number): void {
    if (this.left.length < links) {
      const n = Math.max(links, this.left.length * 2);
      this.linkStart = new Int32Array(n + 1);
      this.left = new Float64Array(n);
      this.growing = new Int32Array(n);
    }
    if (this.frozen.length < flows) {
      const n = Math.max(flows, this.frozen.length * 2);
      this.linkFlows = new Int32Array(2 * n);
      this.frozen = new Uint8Array(n);
    }
    // One entry per link and per cap to start with, and at most two per freeze.
    const heap = links + 3 * flows + 1;
    if (this.heapKey.length < heap) {
      const n = Math.max(heap, this.heapKey.length * 2);
      this.heapKey = new Float64Array(n);
      this.heapId = new Int32Array(n);
    }
  }
}
