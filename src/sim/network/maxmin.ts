// Max-min fair rates on a star (one downlink shared by flows that each also cross their node's uplink), with a
// per-flow cap: a pure function over typed arrays, allocation-free when given a scratch object.
//
// Every flow f of node n gets rate_f = min(cap_f, θ, λ_n), where
//   θ   (the downlink water level) solves G(θ) = C with G(θ) = Σ_n min(U_n, Σ_{f∈n} min(cap_f, θ)),
//       or θ = ∞ when G(∞) ≤ C (the downlink is not a bottleneck);
//   λ_n (node n's water level) solves Σ_{f∈n} min(cap_f, θ, λ) = U_n when Σ_{f∈n} min(cap_f, θ) > U_n,
//       otherwise λ_n = ∞.
// That allocation is max-min fair: a flow below its cap has rate θ on the saturated downlink, where nobody gets
// more than θ, or rate λ_n on its saturated uplink, where nobody gets more than λ_n.
//
// Both levels are found without sorting, by Newton's method from below on a concave, nondecreasing, piecewise
// linear function (G, or the node's Σ min(·, λ)): each step follows the right slope to the target; by concavity
// it never overshoots, and it passes at least one breakpoint per step, so it ends after at most
// (breakpoints + 1) steps; in practice 1-4 passes of O(flows + nodes) each, and O(nodes) only while the level is
// below every cap (always in the fluid model). The right slope of G at θ counts the
// flows above θ at nodes that are not saturated at θ.

/** Reusable work buffers (grow on demand). */
export class MaxMinScratch {
  sum = new Float64Array(16);
  count = new Int32Array(16);
  flows = new Int32Array(16);
  minCap = new Float64Array(16);
  level = new Float64Array(16);
  done = new Uint8Array(16);

  ensure(nodes: number): void {
    if (this.sum.length >= nodes) return;
    const n = Math.max(nodes, this.sum.length * 2);
    this.sum = new Float64Array(n);
    this.count = new Int32Array(n);
    this.flows = new Int32Array(n);
    this.minCap = new Float64Array(n);
    this.level = new Float64Array(n);
    this.done = new Uint8Array(n);
  }
}

/** Relative tolerance under which a level is taken as reached (floating-point noise, not a model parameter). */
const REL_TOL = 1e-12;

/**
 * Solves the star max-min problem. Inputs: for flows 0..nFlows-1 their node (0..nNodes-1) and cap (bps, may be
 * Infinity); for nodes their capacity (bps, finite, ≥ 0); the downlink capacity (bps, may be Infinity).
 * Outputs: outRate[f] (bps) and outNodeLevel[n] = min(θ, λ_n), the rate an uncapped flow of node n would get
 * (Infinity when neither link limits it; a flow whose cap is below this level is cap-bound).
 * Returns θ, the downlink water level (Infinity when the downlink is not saturated).
 */
export function solveMaxMin(
  nFlows: number,
  flowNode: Int32Array,
  flowCap: Float64Array,
  nNodes: number,
  nodeCap: Float64Array,
  downlinkBps: number,
  outRate: Float64Array,
  outNodeLevel: Float64Array,
  scratch: MaxMinScratch = new MaxMinScratch(),
): number {
  scratch.ensure(nNodes);
  const sum = scratch.sum;
  const count = scratch.count;
  const flows = scratch.flows;
  const minCap = scratch.minCap;
  const level = scratch.level;
  const done = scratch.done;
  const maxSteps = nFlows + nNodes + 4;

  // Per node: its number of flows and smallest cap. While a level is ≤ every cap of a node, the node's sum is
  // just k_n × level: no pass over the flows is needed (always so in the fluid model).
  for (let n = 0; n < nNodes; n++) {
    flows[n] = 0;
    minCap[n] = Infinity;
  }
  let globalMinCap = Infinity;
  for (let f = 0; f < nFlows; f++) {
    const n = flowNode[f];
    const c = flowCap[f];
    flows[n]++;
    if (c < minCap[n]) minCap[n] = c;
    if (c < globalMinCap) globalMinCap = c;
  }

  // ---- θ: the downlink water level --------------------------------------------------------------------------
  // Start at C / F: G(C / F) ≤ Σ_f C / F = C, so it is below the root.
  let theta = 0;
  if (downlinkBps === Infinity || nFlows === 0) {
    theta = Infinity;
  } else {
    theta = downlinkBps / nFlows;
    const target = downlinkBps * (1 - REL_TOL);
    for (let step = 0; ; step++) {
      if (step > maxSteps) throw new Error(`max-min solver: no convergence for θ after ${maxSteps} steps`);
      let g = 0;
      let slope = 0;
      if (theta < globalMinCap) {
        // No cap below θ: node n carries min(U_n, k_n θ).
        for (let n = 0; n < nNodes; n++) {
          const s = flows[n] * theta;
          if (s >= nodeCap[n]) {
            g += nodeCap[n];
          } else {
            g += s;
            slope += flows[n];
          }
        }
      } else {
        sum.fill(0, 0, nNodes);
        count.fill(0, 0, nNodes);
        for (let f = 0; f < nFlows; f++) {
          const n = flowNode[f];
          const c = flowCap[f];
          if (c > theta) {
            sum[n] += theta;
            count[n]++;
          } else {
            sum[n] += c;
          }
        }
        for (let n = 0; n < nNodes; n++) {
          if (sum[n] >= nodeCap[n]) {
            g += nodeCap[n];
          } else {
            g += sum[n];
            slope += count[n];
          }
        }
      }
      if (g >= target) break;
      if (slope === 0) {
        theta = Infinity; // G is flat from here on: the downlink never fills
        break;
      }
      const next = theta + (downlinkBps - g) / slope;
      if (!(next > theta)) break; // floating-point stagnation: θ is as close as it gets
      theta = next;
    }
  }

  // ---- λ_n: each node's water level given θ ------------------------------------------------------------------
  // Effective caps e_f = min(cap_f, θ). A node is saturated when Σ e_f > U_n; start each saturated node at
  // λ0 = U_n / k_n (≤ its root, since Σ min(e_f, λ0) ≤ U_n). If no e_f is below λ0, λ0 is the root; otherwise
  // step the remaining nodes at once.
  if (theta <= globalMinCap) {
    for (let n = 0; n < nNodes; n++) sum[n] = flows[n] * theta;
  } else {
    sum.fill(0, 0, nNodes);
    for (let f = 0; f < nFlows; f++) {
      const c = flowCap[f];
      sum[flowNode[f]] += Math.min(c, theta);
    }
  }
  let open = 0;
  for (let n = 0; n < nNodes; n++) {
    done[n] = 1;
    level[n] = Infinity;
    if (flows[n] > 0 && sum[n] > nodeCap[n]) {
      level[n] = nodeCap[n] / flows[n];
      if (Math.min(minCap[n], theta) < level[n]) {
        done[n] = 0;
        open++;
      }
    }
  }
  for (let step = 0; open > 0; step++) {
    if (step > maxSteps)
      throw new Error(`max-min solver: no convergence for node levels after ${maxSteps} steps`);
    sum.fill(0, 0, nNodes);
    count.fill(0, 0, nNodes);
    for (let f = 0; f < nFlows; f++) {
      const n = flowNode[f];
      if (done[n] === 1) continue;
      const e = Math.min(flowCap[f], theta);
      const l = level[n];
      if (e > l) {
        sum[n] += l;
        count[n]++;
      } else {
        sum[n] += e;
      }
    }
    for (let n = 0; n < nNodes; n++) {
      if (done[n] === 1) continue;
      const u = nodeCap[n];
      let finished = sum[n] >= u * (1 - REL_TOL) || count[n] === 0;
      if (!finished) {
        const next = level[n] + (u - sum[n]) / count[n];
        if (next > level[n]) level[n] = next;
        else finished = true;
      }
      if (finished) {
        done[n] = 1;
        open--;
      }
    }
  }

  // ---- rates ---------------------------------------------------------------------------------------------------
  for (let n = 0; n < nNodes; n++) outNodeLevel[n] = Math.min(level[n], theta);
  for (let f = 0; f < nFlows; f++) {
    outRate[f] = Math.min(flowCap[f], outNodeLevel[flowNode[f]]);
  }
  return theta;
}
