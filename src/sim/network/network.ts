// The flow-level network between the agent and its nodes: a star (the agent's downlink, one uplink per node),
// one FIFO send queue of sub-blocks per connection, max-min fair sharing of capacity among the connections that
// have eligible bytes, and an optional TCP-like window cap. One pending kernel event for the whole network.
//
// ---- The model (enough to hand-compute every timing) --------------------------------------------------------
// Time is in µs, rates in bits/s, sizes in bytes; a rate R moves R·Δt/8e6 bytes in Δt µs.
// Connection queue. send(conn, sb, S, readyAt) appends sub-block sb of S bytes. The head of the queue is
//   *eligible* once now ≥ readyAt (the caller folds the request's RTT and jitter into readyAt; readyAt is used
//   as given, and the wake-up for it is posted at ceil(readyAt)). Sub-blocks go strictly in queue order: the
//   next one becomes the head when the previous one completes or is cancelled, so a pipelined sub-block whose
//   readyAt has passed starts right when its predecessor ends (back to back).
// Flow. A connection whose head is eligible is an *active flow*; it becomes *idle* when its queue empties or
//   its head is not yet eligible. Active flows share capacity max-min fairly (maxmin.ts): each flow is limited by
//   its node's effective uplink (uplink × factor × efficiency, shared among the node's flows), the downlink
//   (downlink × efficiency, shared by all flows) and its own cap. Rates are recomputed when a flow starts or ends
//   or a capacity or cap changes, and stay constant in between.
// Bytes. The head's first byte arrives at the first instant it has a positive rate (for an idle connection
//   that is readyAt, rounded up to the µs); its last byte when its remaining bytes reach ≤ EPS_BYTES (1e-6 B).
//   A completion is posted at ceil(t_exact) µs, t_exact = t_last + remaining·8e6/rate; bytes a flow "would have
//   sent" in that fraction of a µs are not given to anybody else (each completion can end up to 1 µs late,
//   no byte is ever lost). bytesDelivered counts exactly what crossed (partial bytes of cancelled sub-blocks too).
// fluid: efficiency = 1, no per-flow cap. A request made at t on an idle connection for S bytes with readyAt =
//   t + RTT, alone at rate R: first byte at t + RTT, last byte at ceil(t + RTT + 8·S·1e6/R) µs.
// tcp: per connection a congestion window cwnd (bytes), cap = min(cwnd, rwnd) · 8e6 / RTT_us bps (RTT = the
//   node's RTT; RTT 0 → no cap). efficiency multiplies every link capacity (not the window cap).
//   - When a connection becomes active and it never sent before, or it has been idle for more than
//     idleRestartUs (slow-start restart), cwnd = initialWindowBytes. Otherwise cwnd is kept.
//   - A flow is *cap-bound* when cap < its max-min level (the rate an uncapped flow of its node would get now).
//     While a flow is active, cap-bound and cwnd < rwnd, its doubling clock runs: RTT after the clock started
//     (the recompute at which the flow was active and cap-bound with a stopped clock), if it is still
//     cap-bound, cwnd = min(2·cwnd, rwnd) and the clock restarts; if it is not, the clock stops (and restarts at
//     a later recompute where the flow is cap-bound again). Going idle stops the clock. Each doubling is a
//     rate change. E.g. 16 KiB, RTT 50 ms, IW 14,480 B on a fast link, requested at 0: first byte at 50,000 µs,
//     14,480 B in the first round at 2.3168 Mb/s, the remaining 1,904 B at 4.6336 Mb/s from 100,000 µs: last
//     byte at ceil(100,000 + 1,904·8e6/4,633,600) = 103,288 µs.
// Invariants (asserted after every recompute): Σ rates ≤ downlink, Σ rates of a node ≤ its effective uplink,
//   no negative rate, a node with effective capacity 0 gets rate 0 on every flow.

import { invariant, type Kernel } from "../kernel/kernel.ts";
import { MaxMinScratch, solveMaxMin } from "./maxmin.ts";

export interface NetworkConfig {
  model: "fluid" | "tcp";
  downlinkBps: number;
  /** tcp only: link capacities × efficiency are usable for payload (fluid: 1). */
  efficiency: number;
  /** tcp: IW10 = 10 × 1448. */
  initialWindowBytes: number;
  /** tcp: cap on the window. */
  receiveWindowBytes: number;
  /** tcp: slow-start restart after this idle time. */
  idleRestartUs: number;
}

export interface NetworkListener {
  /** The last byte of a sub-block arrived at the agent. firstByteUs: when its first byte arrived. */
  onSubBlockDelivered(connId: number, subBlockId: number, sizeBytes: number, firstByteUs: number): void;
}

/** A head sub-block with at most this many bytes left is complete (absorbs floating-point noise only). */
export const EPS_BYTES = 1e-6;
/** Relative slack of the capacity invariants (floating-point noise of the solver). */
const CAPACITY_TOL = 1e-9;
/** Safety bound on sub-blocks one connection may have queued. */
const MAX_QUEUE = 1 << 20;

/** One connection's FIFO of sub-blocks; entries before `head` are gone. */
interface SendQueue {
  ids: number[];
  sizes: number[];
  readyUs: number[];
  head: number;
}

const CONN_UNUSED = 0;
const CONN_OPEN = 1;
const CONN_CLOSED = 2;

export class Network {
  private readonly kind: number;
  private readonly tcp: boolean;
  private readonly eff: number;
  private downlink: number;

  // Nodes, by dense node id.
  private readonly nodeUplink: number[] = [];
  private readonly nodeFactor: number[] = [];
  private readonly nodeRtt: number[] = [];
  private readonly nodeRate: number[] = [];
  private readonly nodeActive: number[] = []; // active flows per node
  private readonly nodeStamp: number[] = [];
  private readonly nodeLocal: number[] = [];

  // Connections, by connection id.
  private readonly connState: number[] = [];
  private readonly connNode: number[] = [];
  private readonly queues: (SendQueue | null)[] = [];
  private readonly remaining: number[] = []; // bytes of the head still to deliver
  private readonly firstByteUs: number[] = []; // of the head; -1 before its first byte
  private readonly rate: number[] = [];
  private readonly level: number[] = []; // max-min level of the flow's node at the last solve
  private readonly active: number[] = []; // 1 while an active flow
  private readonly cwnd: number[] = []; // tcp; 0 = never sent
  private readonly stepAtUs: number[] = []; // tcp doubling clock; Infinity = stopped
  private readonly idleSinceUs: number[] = [];
  private readonly busyPos: number[] = []; // index in `busy`, -1 when the queue is empty

  /** Connections with a non-empty queue, in a deterministic (insertion / swap-remove) order. */
  private readonly busy: number[] = [];

  // Solver buffers (indexed by flow / local node of the current solve).
  private flowConn = new Int32Array(64);
  private flowNode = new Int32Array(64);
  private flowCap = new Float64Array(64);
  private flowRate = new Float64Array(64);
  private localCap = new Float64Array(64);
  private localLevel = new Float64Array(64);
  private localGlobal = new Int32Array(64);
  private readonly scratch = new MaxMinScratch();
  private solveId = 0;
  private solvedNodes: number[] = [];

  private dirty = false;
  private lastUs = 0;
  private deliveredBytes = 0;
  private gen = 0;
  private scheduledAtUs = Infinity;
  // Completions of one event, handed to the listener after the state is consistent again.
  private readonly doneConn: number[] = [];
  private readonly doneId: number[] = [];
  private readonly doneSize: number[] = [];
  private readonly doneFirst: number[] = [];

  constructor(
    private readonly kernel: Kernel,
    private readonly config: NetworkConfig,
    private readonly listener: NetworkListener,
  ) {
    this.tcp = config.model === "tcp";
    this.eff = this.tcp ? config.efficiency : 1;
    invariant(this.eff > 0 && this.eff <= 1, `network efficiency ${this.eff} outside (0, 1]`);
    invariant(config.downlinkBps >= 0, `negative downlink ${config.downlinkBps}`);
    if (this.tcp) {
      invariant(config.initialWindowBytes > 0, "tcp initial window must be positive");
      invariant(config.receiveWindowBytes > 0, "tcp receive window must be positive");
      invariant(config.idleRestartUs >= 0, "tcp idle restart must be ≥ 0");
    }
    this.downlink = config.downlinkBps;
    this.kind = kernel.registerKind("network", (gen) => this.onEvent(gen));
  }

  // ---- topology and capacities --------------------------------------------------------------------------------

  addNode(nodeId: number, uplinkBps: number, rttUs: number): void {
    invariant(
      nodeId === this.nodeUplink.length,
      () => `node ids must be dense: got ${nodeId}, expected ${this.nodeUplink.length}`,
    );
    invariant(uplinkBps >= 0 && Number.isFinite(uplinkBps), () => `node ${nodeId}: bad uplink ${uplinkBps}`);
    invariant(rttUs >= 0 && Number.isFinite(rttUs), () => `node ${nodeId}: bad rtt ${rttUs}`);
    this.nodeUplink.push(uplinkBps);
    this.nodeFactor.push(1);
    this.nodeRtt.push(rttUs);
    this.nodeRate.push(0);
    this.nodeActive.push(0);
    this.nodeStamp.push(-1);
    this.nodeLocal.push(0);
  }

  setNodeUplink(nodeId: number, uplinkBps: number): void {
    this.checkNode(nodeId);
    invariant(uplinkBps >= 0 && Number.isFinite(uplinkBps), () => `node ${nodeId}: bad uplink ${uplinkBps}`);
    if (this.nodeUplink[nodeId] === uplinkBps) return;
    this.advance();
    this.nodeUplink[nodeId] = uplinkBps;
    if (this.nodeActive[nodeId] > 0) this.dirty = true;
    this.refresh();
  }

  setNodeFactor(nodeId: number, factor: number): void {
    this.checkNode(nodeId);
    invariant(factor >= 0 && Number.isFinite(factor), () => `node ${nodeId}: bad factor ${factor}`);
    if (this.nodeFactor[nodeId] === factor) return;
    this.advance();
    this.nodeFactor[nodeId] = factor;
    if (this.nodeActive[nodeId] > 0) this.dirty = true;
    this.refresh();
  }

  setDownlink(bps: number): void {
    invariant(bps >= 0, () => `bad downlink ${bps}`);
    if (this.downlink === bps) return;
    this.advance();
    this.downlink = bps;
    this.dirty = true;
    this.refresh();
  }

  // ---- connections --------------------------------------------------------------------------------------------

  openConnection(connId: number, nodeId: number): void {
    this.checkNode(nodeId);
    invariant(Number.isInteger(connId) && connId >= 0, () => `bad connection id ${connId}`);
    while (this.connState.length <= connId) {
      this.connState.push(CONN_UNUSED);
      this.connNode.push(-1);
      this.queues.push(null);
      this.remaining.push(0);
      this.firstByteUs.push(-1);
      this.rate.push(0);
      this.level.push(0);
      this.active.push(0);
      this.cwnd.push(0);
      this.stepAtUs.push(Infinity);
      this.idleSinceUs.push(0);
      this.busyPos.push(-1);
    }
    invariant(this.connState[connId] === CONN_UNUSED, () => `connection id ${connId} reused`);
    this.connState[connId] = CONN_OPEN;
    this.connNode[connId] = nodeId;
    this.queues[connId] = { ids: [], sizes: [], readyUs: [], head: 0 };
    this.idleSinceUs[connId] = this.kernel.nowUs;
  }

  send(connId: number, subBlockId: number, sizeBytes: number, readyAtUs: number): void {
    const q = this.openQueue(connId);
    invariant(
      Number.isInteger(sizeBytes) && sizeBytes >= 0,
      () => `conn ${connId}: bad sub-block size ${sizeBytes}`,
    );
    invariant(Number.isFinite(readyAtUs), () => `conn ${connId}: bad readyAt ${readyAtUs}`);
    invariant(
      q.ids.length - q.head < MAX_QUEUE,
      () => `conn ${connId}: more than ${MAX_QUEUE} sub-blocks queued`,
    );
    const wasEmpty = q.head === q.ids.length;
    q.ids.push(subBlockId);
    q.sizes.push(sizeBytes);
    q.readyUs.push(readyAtUs);
    if (!wasEmpty) return; // queued behind the head: nothing changes until the head is done
    this.remaining[connId] = sizeBytes;
    this.firstByteUs[connId] = -1;
    this.busyPos[connId] = this.busy.length;
    this.busy.push(connId);
    const now = this.kernel.nowUs;
    if (readyAtUs <= now) {
      this.advance();
      this.refresh(); // a new active flow
    } else {
      const wakeUs = Math.ceil(readyAtUs);
      if (wakeUs < this.scheduledAtUs) this.post(wakeUs);
    }
  }

  cancel(connId: number, subBlockId: number): number {
    const q = this.queues[connId];
    if (q === undefined || q === null || this.connState[connId] !== CONN_OPEN) return 0;
    let i = q.head;
    const end = q.ids.length;
    while (i < end && q.ids[i] !== subBlockId) i++;
    if (i === end) return 0; // not queued (already delivered, or never sent here)
    if (i > q.head) {
      q.ids.splice(i, 1);
      q.sizes.splice(i, 1);
      q.readyUs.splice(i, 1);
      return 0;
    }
    this.advance();
    const bytes = this.headBytesDone(connId, q);
    this.popHead(connId, q);
    this.refresh();
    return bytes;
  }

  closeConnection(connId: number): Array<[number, number]> {
    const q = this.queues[connId];
    if (q === undefined || q === null || this.connState[connId] !== CONN_OPEN) return [];
    this.advance();
    const out: Array<[number, number]> = [];
    for (let i = q.head; i < q.ids.length; i++) {
      out.push([q.ids[i], i === q.head ? this.headBytesDone(connId, q) : 0]);
    }
    if (q.head < q.ids.length) this.removeBusy(connId);
    this.connState[connId] = CONN_CLOSED;
    this.queues[connId] = null;
    this.refresh();
    return out;
  }

  // ---- queries (never change state) --------------------------------------------------------------------------

  inFlight(connId: number): number {
    const q = this.queues[connId];
    if (q === undefined || q === null || q.head === q.ids.length) return -1;
    return this.firstByteUs[connId] >= 0 ? q.ids[q.head] : -1;
  }

  queued(connId: number): readonly number[] {
    const q = this.queues[connId];
    if (q === undefined || q === null) return [];
    return q.ids.slice(q.head);
  }

  connectionRateBps(connId: number): number {
    return this.active[connId] === 1 ? this.rate[connId] : 0;
  }

  nodeRateBps(nodeId: number): number {
    return this.nodeRate[nodeId] ?? 0;
  }

  /** Total payload bytes delivered so far (computed up to now without touching the state). */
  get bytesDelivered(): number {
    const dt = this.kernel.nowUs - this.lastUs;
    let total = this.deliveredBytes;
    if (dt > 0) {
      for (const c of this.busy) {
        if (this.active[c] === 1) total += Math.min(this.remaining[c], (this.rate[c] * dt) / 8e6);
      }
    }
    return total;
  }

  /** The window of a connection (tcp; 0 before it first sent). For tests and traces. */
  windowBytes(connId: number): number {
    return this.cwnd[connId] ?? 0;
  }

  // ---- internals ----------------------------------------------------------------------------------------------

  private checkNode(nodeId: number): void {
    invariant(nodeId >= 0 && nodeId < this.nodeUplink.length, () => `unknown node ${nodeId}`);
  }

  private openQueue(connId: number): SendQueue {
    const q = this.queues[connId];
    invariant(
      q !== undefined && q !== null && this.connState[connId] === CONN_OPEN,
      () => `send on connection ${connId}, which is not open`,
      this.kernel.nowUs,
    );
    return q;
  }

  /** Whole bytes of the head already delivered (all of them once it is within EPS_BYTES of done). */
  private headBytesDone(connId: number, q: SendQueue): number {
    const size = q.sizes[q.head];
    const left = this.remaining[connId];
    return left <= EPS_BYTES ? size : Math.floor(size - left);
  }

  /** Removes the head; the next sub-block (if any) becomes the head with all its bytes to go. */
  private popHead(connId: number, q: SendQueue): void {
    q.head++;
    if (q.head === q.ids.length) {
      q.ids.length = 0;
      q.sizes.length = 0;
      q.readyUs.length = 0;
      q.head = 0;
      this.removeBusy(connId);
      return;
    }
    if (q.head >= 64 && q.head * 2 >= q.ids.length) {
      q.ids.splice(0, q.head);
      q.sizes.splice(0, q.head);
      q.readyUs.splice(0, q.head);
      q.head = 0;
    }
    this.remaining[connId] = q.sizes[q.head];
    this.firstByteUs[connId] = -1;
  }

  private removeBusy(connId: number): void {
    const pos = this.busyPos[connId];
    invariant(pos >= 0, () => `connection ${connId} is not busy`);
    const last = this.busy.pop()!;
    if (last !== connId) {
      this.busy[pos] = last;
      this.busyPos[last] = pos;
    }
    this.busyPos[connId] = -1;
    if (this.active[connId] === 1) this.deactivate(connId, this.kernel.nowUs);
    this.remaining[connId] = 0;
    this.firstByteUs[connId] = -1;
  }

  private deactivate(connId: number, now: number): void {
    this.active[connId] = 0;
    this.rate[connId] = 0;
    this.stepAtUs[connId] = Infinity;
    this.idleSinceUs[connId] = now;
    this.nodeActive[this.connNode[connId]]--;
    this.dirty = true;
  }

  private activate(connId: number, now: number): void {
    this.active[connId] = 1;
    this.nodeActive[this.connNode[connId]]++;
    if (this.tcp) {
      const c = this.config;
      if (this.cwnd[connId] === 0 || now - this.idleSinceUs[connId] > c.idleRestartUs) {
        this.cwnd[connId] = c.initialWindowBytes;
      }
      this.stepAtUs[connId] = Infinity;
    }
    this.dirty = true;
  }

  private capBps(connId: number): number {
    if (!this.tcp) return Infinity;
    const rtt = this.nodeRtt[this.connNode[connId]];
    if (rtt <= 0) return Infinity;
    return (Math.min(this.cwnd[connId], this.config.receiveWindowBytes) * 8e6) / rtt;
  }

  private capBound(connId: number): boolean {
    return this.capBps(connId) < this.level[connId] * (1 - CAPACITY_TOL);
  }

  /** Moves every active flow's bytes forward to now at the current rates. */
  private advance(): void {
    const now = this.kernel.nowUs;
    const dt = now - this.lastUs;
    if (dt <= 0) return;
    const busy = this.busy;
    for (let i = 0; i < busy.length; i++) {
      const c = busy[i];
      if (this.active[c] !== 1) continue;
      const r = this.rate[c];
      if (r <= 0) continue;
      const left = this.remaining[c];
      const moved = Math.min(left, (r * dt) / 8e6);
      this.remaining[c] = left - moved;
      this.deliveredBytes += moved;
    }
    this.lastUs = now;
  }

  private onEvent(gen: number): void {
    if (gen !== this.gen) return; // superseded by a later recompute
    this.scheduledAtUs = Infinity;
    const now = this.kernel.nowUs;
    this.advance();

    // Completions, in busy order; each connection's queue order is kept.
    const busy = this.busy;
    for (let i = 0; i < busy.length; ) {
      const c = busy[i];
      const q = this.queues[c]!;
      let guard = q.ids.length - q.head + 1;
      while (q.head < q.ids.length && q.readyUs[q.head] <= now && this.remaining[c] <= EPS_BYTES) {
        invariant(guard-- > 0, "network completion loop did not terminate", now);
        this.doneConn.push(c);
        this.doneId.push(q.ids[q.head]);
        this.doneSize.push(q.sizes[q.head]);
        this.doneFirst.push(this.firstByteUs[c] >= 0 ? this.firstByteUs[c] : now);
        this.popHead(c, q);
      }
      // popHead may have swap-removed c from busy: then slot i now holds another connection.
      if (busy[i] === c) i++;
    }

    // TCP doubling clocks that are due.
    if (this.tcp) {
      const rwnd = this.config.receiveWindowBytes;
      for (let i = 0; i < busy.length; i++) {
        const c = busy[i];
        if (this.active[c] !== 1 || this.stepAtUs[c] > now) continue;
        this.stepAtUs[c] = Infinity;
        if (this.capBound(c)) {
          this.cwnd[c] = Math.min(2 * this.cwnd[c], rwnd);
          this.dirty = true;
        }
      }
    }

    this.refresh();

    const n = this.doneConn.length;
    if (n === 0) return;
    if (n > 1) this.sortDone();
    for (let i = 0; i < n; i++) {
      this.listener.onSubBlockDelivered(
        this.doneConn[i],
        this.doneId[i],
        this.doneSize[i],
        this.doneFirst[i],
      );
    }
    this.doneConn.length = 0;
    this.doneId.length = 0;
    this.doneSize.length = 0;
    this.doneFirst.length = 0;
  }

  /** Orders one event's completions by connection id (stable within a connection). */
  private sortDone(): void {
    const n = this.doneConn.length;
    const order = Array.from({ length: n }, (_, i) => i);
    order.sort((x, y) => this.doneConn[x] - this.doneConn[y] || x - y);
    const conn = order.map((i) => this.doneConn[i]);
    const id = order.map((i) => this.doneId[i]);
    const size = order.map((i) => this.doneSize[i]);
    const first = order.map((i) => this.doneFirst[i]);
    for (let i = 0; i < n; i++) {
      this.doneConn[i] = conn[i];
      this.doneId[i] = id[i];
      this.doneSize[i] = size[i];
      this.doneFirst[i] = first[i];
    }
  }

  /**
   * Brings the flow set in line with the queues at now (the state must have been advanced to now), solves the
   * rates if anything they depend on changed, stamps first bytes, and posts the next network event.
   */
  private refresh(): void {
    const now = this.kernel.nowUs;
    const busy = this.busy;
    for (let i = 0; i < busy.length; i++) {
      const c = busy[i];
      const q = this.queues[c]!;
      const eligible = q.readyUs[q.head] <= now;
      if (eligible && this.active[c] === 0) this.activate(c, now);
      else if (!eligible && this.active[c] === 1) this.deactivate(c, now);
    }
    if (this.dirty) this.solve();

    let next = Infinity;
    const tcp = this.tcp;
    const rwnd = this.config.receiveWindowBytes;
    for (let i = 0; i < busy.length; i++) {
      const c = busy[i];
      if (this.active[c] === 0) {
        const q = this.queues[c]!;
        const wake = Math.ceil(q.readyUs[q.head]);
        if (wake < next) next = wake;
        continue;
      }
      const r = this.rate[c];
      if (r > 0 && this.firstByteUs[c] < 0) this.firstByteUs[c] = now;
      const left = this.remaining[c];
      let t: number;
      if (left <= EPS_BYTES) t = now;
      else if (r > 0) {
        t = Math.ceil(now + (left * 8e6) / r);
        if (t <= now) t = now + 1;
      } else t = Infinity;
      if (t < next) next = t;
      if (tcp) {
        if (this.stepAtUs[c] === Infinity && this.cwnd[c] < rwnd && this.capBound(c)) {
          this.stepAtUs[c] = now + Math.max(1, Math.round(this.nodeRtt[this.connNode[c]]));
        }
        if (this.stepAtUs[c] < next) next = this.stepAtUs[c];
      }
    }
    if (next !== this.scheduledAtUs) {
      if (next === Infinity) {
        this.gen = (this.gen + 1) | 0; // nothing to wake up for: retire the pending event
        this.scheduledAtUs = Infinity;
      } else this.post(next);
    }
  }

  private post(atUs: number): void {
    this.gen = (this.gen + 1) | 0;
    this.scheduledAtUs = atUs;
    this.kernel.schedule(atUs, this.kind, this.gen, 0);
  }

  /** Max-min rates for the active flows, written to `rate`, `level` and `nodeRate`; checks the invariants. */
  private solve(): void {
    this.dirty = false;
    const busy = this.busy;
    const stamp = ++this.solveId;
    for (const n of this.solvedNodes) this.nodeRate[n] = 0;
    this.solvedNodes.length = 0;

    let nFlows = 0;
    for (let i = 0; i < busy.length; i++) if (this.active[busy[i]] === 1) nFlows++;
    this.ensureFlows(nFlows);
    let f = 0;
    let nNodes = 0;
    for (let i = 0; i < busy.length; i++) {
      const c = busy[i];
      if (this.active[c] !== 1) continue;
      const node = this.connNode[c];
      if (this.nodeStamp[node] !== stamp) {
        this.nodeStamp[node] = stamp;
        this.nodeLocal[node] = nNodes;
        this.localGlobal[nNodes] = node;
        this.localCap[nNodes] = this.nodeUplink[node] * this.nodeFactor[node] * this.eff;
        this.solvedNodes.push(node);
        nNodes++;
      }
      this.flowConn[f] = c;
      this.flowNode[f] = this.nodeLocal[node];
      this.flowCap[f] = this.capBps(c);
      f++;
    }
    if (nFlows === 0) return;
    const downlink = this.downlink * this.eff;
    solveMaxMin(
      nFlows,
      this.flowNode,
      this.flowCap,
      nNodes,
      this.localCap,
      downlink,
      this.flowRate,
      this.localLevel,
      this.scratch,
    );

    const now = this.kernel.nowUs;
    let total = 0;
    for (let k = 0; k < nFlows; k++) {
      const c = this.flowConn[k];
      const r = this.flowRate[k];
      const local = this.flowNode[k];
      invariant(r >= 0, () => `negative rate ${r} on conn ${c}`, now);
      invariant(
        this.localCap[local] > 0 || r === 0,
        () => `conn ${c} sends from a node with no capacity`,
        now,
      );
      this.rate[c] = r;
      this.level[c] = this.localLevel[local];
      this.nodeRate[this.localGlobal[local]] += r;
      total += r;
    }
    invariant(
      total <= downlink * (1 + CAPACITY_TOL) + 1e-6,
      () => `downlink over capacity: ${total} > ${downlink} bps`,
      now,
    );
    for (let k = 0; k < nNodes; k++) {
      const node = this.localGlobal[k];
      invariant(
        this.nodeRate[node] <= this.localCap[k] * (1 + CAPACITY_TOL) + 1e-6,
        () => `node ${node} over capacity: ${this.nodeRate[node]} > ${this.localCap[k]} bps`,
        now,
      );
    }
  }

  private ensureFlows(n: number): void {
    if (this.flowConn.length >= n) return;
    const size = Math.max(n, this.flowConn.length * 2);
    this.flowConn = new Int32Array(size);
    this.flowNode = new Int32Array(size);
    this.flowCap = new Float64Array(size);
    this.flowRate = new Float64Array(size);
    this.localCap = new Float64Array(size);
    this.localLevel = new Float64Array(size);
    this.localGlobal = new Int32Array(size);
  }
}
