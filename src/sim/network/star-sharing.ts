// Capacity sharing on a star: one downlink shared by every flow, each flow also crossing its node's uplink.
// Holds the links' capacities (node uplinks with their factor, the downlink, the payload efficiency), solves the
// max-min rates of the active flows (maxmin.ts) and checks that no link carries more than its capacity.

import { invariant } from "../kernel/kernel.ts";
import type { FlowTable } from "./flow-table.ts";
import { MaxMinScratch, solveMaxMin } from "./maxmin.ts";

/** Relative slack of the capacity invariants (floating-point noise of the solver). */
const CAPACITY_TOL = 1e-9;

export class StarSharing {
  // Nodes, by dense node id.
  private readonly uplinkBps: number[] = [];
  private readonly factor: number[] = [];
  private readonly rateBps: number[] = []; // Σ rates of the node's flows at the last solve
  private readonly activeFlows: number[] = [];
  private readonly stamp: number[] = [];
  private readonly local: number[] = [];

  // Solver buffers: flows by slot, nodes by local index (first appearance among the flows) of the current solve.
  private flowLocal = new Int32Array(64);
  private localCap = new Float64Array(64);
  private localLevel = new Float64Array(64);
  private localGlobal = new Int32Array(64);
  private readonly scratch = new MaxMinScratch();
  private solveId = 0;
  /** Nodes of the last solve (their rate is reset at the next one): solvedNodes[0..nSolved-1]. */
  private readonly solvedNodes: number[] = [];
  private nSolved = 0;

  constructor(
    private downlinkBps: number,
    /** Link capacities × efficiency are usable for payload. */
    private readonly efficiency: number,
  ) {
    invariant(efficiency > 0 && efficiency <= 1, `network efficiency ${efficiency} outside (0, 1]`);
    invariant(downlinkBps >= 0, `negative downlink ${downlinkBps}`);
  }

  get nodeCount(): number {
    return this.uplinkBps.length;
  }

  addNode(nodeId: number, uplinkBps: number): void {
    if (nodeId !== this.uplinkBps.length)
      invariant(false, `node ids must be dense: got ${nodeId}, expected ${this.uplinkBps.length}`);
    this.uplinkBps.push(uplinkBps);
    this.factor.push(1);
    this.rateBps.push(0);
    this.activeFlows.push(0);
    this.stamp.push(-1);
    this.local.push(0);
  }

  /** Sets a node's uplink; true when active flows are affected (the rates must be solved again). */
  setUplink(nodeId: number, uplinkBps: number): boolean {
    if (this.uplinkBps[nodeId] === uplinkBps) return false;
    this.uplinkBps[nodeId] = uplinkBps;
    return this.activeFlows[nodeId] > 0;
  }

  /** Sets the factor multiplying a node's uplink (0 stalls it); true when active flows are affected. */
  setFactor(nodeId: number, factor: number): boolean {
    if (this.factor[nodeId] === factor) return false;
    this.factor[nodeId] = factor;
    return this.activeFlows[nodeId] > 0;
  }

  /** Sets the downlink; true when it changed (the caller re-solves if there are active flows). */
  setDownlink(bps: number): boolean {
    if (this.downlinkBps === bps) return false;
    this.downlinkBps = bps;
    return true;
  }

  flowStarted(nodeId: number): void {
    this.activeFlows[nodeId]++;
  }

  flowEnded(nodeId: number): void {
    this.activeFlows[nodeId]--;
  }

  /** Σ rates of the node's flows at the last solve. */
  nodeRateBps(nodeId: number): number {
    return this.rateBps[nodeId] ?? 0;
  }

  /**
   * Max-min rates of the active flows, with the caps in flows.capBps: fills flows.rateBps and flows.levelBps
   * (the node's level: what an uncapped flow of that node gets) and checks the capacity invariants.
   */
  solve(flows: FlowTable, nowUs: number): void {
    const stamp = ++this.solveId;
    for (let i = 0; i < this.nSolved; i++) this.rateBps[this.solvedNodes[i]] = 0;
    this.nSolved = 0;
    const nFlows = flows.size;
    if (nFlows === 0) return;
    if (this.flowLocal.length < nFlows) this.growBuffers(flows.conn.length);

    let nNodes = 0;
    for (let k = 0; k < nFlows; k++) {
      const node = flows.src[k];
      if (this.stamp[node] !== stamp) {
        this.stamp[node] = stamp;
        this.local[node] = nNodes;
        this.localGlobal[nNodes] = node;
        this.localCap[nNodes] = this.uplinkBps[node] * this.factor[node] * this.efficiency;
        this.solvedNodes[this.nSolved++] = node;
        nNodes++;
      }
      this.flowLocal[k] = this.local[node];
    }
    const downlink = this.downlinkBps * this.efficiency;
    solveMaxMin(
      nFlows,
      this.flowLocal,
      flows.capBps,
      nNodes,
      this.localCap,
      downlink,
      flows.rateBps,
      this.localLevel,
      this.scratch,
    );

    // Invariants, checked without allocating on the success path (this runs at every rate change).
    let total = 0;
    for (let k = 0; k < nFlows; k++) {
      const r = flows.rateBps[k];
      const local = this.flowLocal[k];
      if (!(r >= 0)) invariant(false, `negative rate ${r} on conn ${flows.conn[k]}`, nowUs);
      if (r > 0 && !(this.localCap[local] > 0))
        invariant(false, `conn ${flows.conn[k]} sends from a node with no capacity`, nowUs);
      this.rateBps[this.localGlobal[local]] += r;
      total += r;
      flows.levelBps[k] = this.localLevel[local];
    }
    if (!(total <= downlink * (1 + CAPACITY_TOL) + 1e-6)) {
      invariant(false, `downlink over capacity: ${total} > ${downlink} bps`, nowUs);
    }
    for (let k = 0; k < nNodes; k++) {
      const node = this.localGlobal[k];
      const cap = this.localCap[k];
      if (!(this.rateBps[node] <= cap * (1 + CAPACITY_TOL) + 1e-6)) {
        invariant(false, `node ${node} over capacity: ${this.rateBps[node]} > ${cap} bps`, nowUs);
      }
    }
  }

  private growBuffers(n: number): void {
    this.flowLocal = new Int32Array(n);
    this.localCap = new Float64Array(n);
    this.localLevel = new Float64Array(n);
    this.localGlobal = new Int32Array(n);
  }
}
