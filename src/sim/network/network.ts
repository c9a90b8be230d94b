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
//
// ---- Implementation ------------------------------------------------------------------------------------------
// Active flows live in dense slots (typed arrays); a flow's bytes are kept as (remaining at t0, rate), brought
// up to date only at a recompute or at its own completion/cancel, so an event that does not change the flow set
// (a back-to-back sub-block) costs O(1) plus an O(flows) scan for the next event. Connections whose head is not
// yet eligible wait in a list. Exactly one kernel event is pending: the earliest completion, window step or
// readyAt; it carries a generation number, and a newer post makes older ones stale.

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

/**
 * One connection's FIFO of sub-blocks: entries [head, tail) are queued. The arrays keep their storage when the
 * queue empties (most queues empty and refill once per block).
 */
class SendQueue {
  readonly ids: number[] = [];
  readonly sizes: number[] = [];
  readonly readyUs: number[] = [];
  head = 0;
  tail = 0;

  get length(): number {
    return this.tail - this.head;
  }

  push(id: number, sizeBytes: number, readyAtUs: number): void {
    const t = this.tail++;
    this.ids[t] = id;
    this.sizes[t] = sizeBytes;
    this.readyUs[t] = readyAtUs;
  }

  /** Removes the entry at index i (head < i < tail). */
  removeAt(i: number): void {
    this.ids.splice(i, 1);
    this.sizes.splice(i, 1);
    this.readyUs.splice(i, 1);
    this.tail--;
  }

  clear(): void {
    this.head = 0;
    this.tail = 0;
  }

  /** Drops the entries before head once they are many, so the arrays do not grow without bound. */
  compact(): void {
    if (this.head < 64 || this.head * 2 < this.tail) return;
    this.ids.splice(0, this.head);
    this.sizes.splice(0, this.head);
    this.readyUs.splice(0, this.head);
    this.tail -= this.head;
    this.head = 0;
  }
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

  // Connections, by connection id. A connection with a non-empty queue is either active (slot ≥ 0) or waiting
  // (waitPos ≥ 0), never both.
  private readonly connState: number[] = [];
  private readonly connNode: number[] = [];
  private readonly queues: (SendQueue | null)[] = [];
  private readonly firstByteUs: number[] = []; // of the head; -1 before its first byte
  private readonly slotOf: number[] = [];
  private readonly waitPos: number[] = [];
  private readonly cwnd: number[] = []; // tcp; 0 = never sent
  private readonly stepAtUs: number[] = []; // tcp doubling clock; Infinity = stopped
  private readonly idleSinceUs: number[] = [];

  // Active flows, slots 0..nSlots-1.
  private nSlots = 0;
  private sConn = new Int32Array(64);
  private sRem = new Float64Array(64); // bytes of the head left at sT0
  private sT0 = new Float64Array(64);
  private sRate = new Float64Array(64);
  private sEnd = new Float64Array(64); // completion event time of the head (µs) or Infinity
  private sLevel = new Float64Array(64); // max-min level of the flow's node at the last solve
  private sNode = new Int32Array(64); // local node index of the last solve
  private sCap = new Float64Array(64);

  /** Waiting connections (head not eligible yet), deterministic swap-remove order. */
  private readonly waiting: number[] = [];
  /**
   * The earliest wake-up (ceil of a head's readyAt) among the waiting connections: exact unless stale, and never
   * above the exact value (a removal can only raise it), so events before it need not scan the list.
   */
  private waitMinUs = Infinity;
  private waitMinStale = false;

  // Solver buffers, by local node of the current solve.
  private localCap = new Float64Array(64);
  private localLevel = new Float64Array(64);
  private localGlobal = new Int32Array(64);
  private readonly scratch = new MaxMinScratch();
  private solveId = 0;
  /** Nodes of the last solve (their nodeRate is reset at the next one): solvedNodes[0..nSolved-1]. */
  private readonly solvedNodes: number[] = [];
  private nSolved = 0;

  private dirty = false;
  private deliveredBytes = 0;
  private gen = 0;
  private scheduledAtUs = Infinity;
  // Completions of one event (the first nDone entries), handed to the listener once the state is consistent.
  private nDone = 0;
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
    if (nodeId !== this.nodeUplink.length)
      invariant(false, `node ids must be dense: got ${nodeId}, expected ${this.nodeUplink.length}`);
    if (!(uplinkBps >= 0 && Number.isFinite(uplinkBps))) invariant(false, `node ${nodeId}: bad uplink ${uplinkBps}`);
    if (!(rttUs >= 0 && Number.isFinite(rttUs))) invariant(false, `node ${nodeId}: bad rtt ${rttUs}`);
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
    if (!(uplinkBps >= 0 && Number.isFinite(uplinkBps))) invariant(false, `node ${nodeId}: bad uplink ${uplinkBps}`);
    if (this.nodeUplink[nodeId] === uplinkBps) return;
    this.nodeUplink[nodeId] = uplinkBps;
    if (this.nodeActive[nodeId] > 0) {
      this.dirty = true;
      this.refresh();
    }
  }

  setNodeFactor(nodeId: number, factor: number): void {
    this.checkNode(nodeId);
    if (!(factor >= 0 && Number.isFinite(factor))) invariant(false, `node ${nodeId}: bad factor ${factor}`);
    if (this.nodeFactor[nodeId] === factor) return;
    this.nodeFactor[nodeId] = factor;
    if (this.nodeActive[nodeId] > 0) {
      this.dirty = true;
      this.refresh();
    }
  }

  setDownlink(bps: number): void {
    if (!(bps >= 0)) invariant(false, `bad downlink ${bps}`);
    if (this.downlink === bps) return;
    this.downlink = bps;
    if (this.nSlots > 0) {
      this.dirty = true;
      this.refresh();
    }
  }

  // ---- connections --------------------------------------------------------------------------------------------

  openConnection(connId: number, nodeId: number): void {
    this.checkNode(nodeId);
    if (!(Number.isInteger(connId) && connId >= 0)) invariant(false, `bad connection id ${connId}`);
    while (this.connState.length <= connId) {
      this.connState.push(CONN_UNUSED);
      this.connNode.push(-1);
      this.queues.push(null);
      this.firstByteUs.push(-1);
      this.slotOf.push(-1);
      this.waitPos.push(-1);
      this.cwnd.push(0);
      this.stepAtUs.push(Infinity);
      this.idleSinceUs.push(0);
    }
    if (!(this.connState[connId] === CONN_UNUSED)) invariant(false, `connection id ${connId} reused`);
    this.connState[connId] = CONN_OPEN;
    this.connNode[connId] = nodeId;
    this.queues[connId] = new SendQueue();
    this.idleSinceUs[connId] = this.kernel.nowUs;
  }

  send(connId: number, subBlockId: number, sizeBytes: number, readyAtUs: number): void {
    const q = this.openQueue(connId);
    if (!(Number.isInteger(sizeBytes) && sizeBytes >= 0))
      invariant(false, `conn ${connId}: bad sub-block size ${sizeBytes}`);
    if (!(Number.isFinite(readyAtUs))) invariant(false, `conn ${connId}: bad readyAt ${readyAtUs}`);
    if (!(q.length < MAX_QUEUE)) invariant(false, `conn ${connId}: more than ${MAX_QUEUE} sub-blocks queued`);
    const wasEmpty = q.length === 0;
    q.push(subBlockId, sizeBytes, readyAtUs);
    if (!wasEmpty) return; // queued behind the head: nothing changes until the head is done
    this.firstByteUs[connId] = -1;
    const now = this.kernel.nowUs;
    if (readyAtUs <= now) {
      this.activate(connId, now);
      this.refresh();
    } else {
      this.addWaiting(connId);
      const wakeUs = Math.ceil(readyAtUs);
      if (wakeUs < this.scheduledAtUs) this.post(wakeUs);
    }
  }

  cancel(connId: number, subBlockId: number): number {
    const q = this.queues[connId];
    if (q === undefined || q === null || this.connState[connId] !== CONN_OPEN) return 0;
    let i = q.head;
    const end = q.tail;
    while (i < end && q.ids[i] !== subBlockId) i++;
    if (i === end) return 0; // not queued (already delivered, or never sent here)
    if (i > q.head) {
      q.removeAt(i);
      return 0;
    }
    const now = this.kernel.nowUs;
    const k = this.slotOf[connId];
    let bytes = 0;
    if (k >= 0) {
      this.settle(k, now);
      bytes = this.headBytesDone(q.sizes[q.head], this.sRem[k]);
    } else {
      this.removeWaiting(connId);
    }
    this.nextHead(connId, q, now);
    this.refresh();
    return bytes;
  }

  closeConnection(connId: number): Array<[number, number]> {
    const q = this.queues[connId];
    if (q === undefined || q === null || this.connState[connId] !== CONN_OPEN) return [];
    const now = this.kernel.nowUs;
    const out: Array<[number, number]> = [];
    const k = this.slotOf[connId];
    let headBytes = 0;
    if (k >= 0) {
      this.settle(k, now);
      headBytes = this.headBytesDone(q.sizes[q.head], this.sRem[k]);
      this.deactivate(connId, now);
    } else if (this.waitPos[connId] >= 0) {
      this.removeWaiting(connId);
    }
    for (let i = q.head; i < q.tail; i++) out.push([q.ids[i], i === q.head ? headBytes : 0]);
    this.connState[connId] = CONN_CLOSED;
    this.queues[connId] = null;
    this.firstByteUs[connId] = -1;
    this.refresh();
    return out;
  }

  // ---- queries (never change state) --------------------------------------------------------------------------

  inFlight(connId: number): number {
    const q = this.queues[connId];
    if (q === undefined || q === null || q.length === 0) return -1;
    return this.firstByteUs[connId] >= 0 ? q.ids[q.head] : -1;
  }

  /** When the head sub-block's first byte arrived (µs), or -1 before it did (or with nothing queued). */
  headFirstByteUs(connId: number): number {
    const q = this.queues[connId];
    if (q === undefined || q === null || q.length === 0) return -1;
    return this.firstByteUs[connId];
  }

  queued(connId: number): readonly number[] {
    const q = this.queues[connId];
    if (q === undefined || q === null) return [];
    return q.ids.slice(q.head, q.tail);
  }

  connectionRateBps(connId: number): number {
    const k = this.slotOf[connId] ?? -1;
    return k >= 0 ? this.sRate[k] : 0;
  }

  nodeRateBps(nodeId: number): number {
    return this.nodeRate[nodeId] ?? 0;
  }

  /** Total payload bytes delivered so far (computed up to now without touching the state). */
  get bytesDelivered(): number {
    const now = this.kernel.nowUs;
    let total = this.deliveredBytes;
    for (let k = 0; k < this.nSlots; k++) total += this.sRem[k] - this.remainingAt(k, now);
    return total;
  }

  /** The window of a connection (tcp; 0 before it first sent). For tests and traces. */
  windowBytes(connId: number): number {
    return this.cwnd[connId] ?? 0;
  }

  // ---- flow bookkeeping ----------------------------------------------------------------------------------------

  private checkNode(nodeId: number): void {
    if (!(nodeId >= 0 && nodeId < this.nodeUplink.length)) invariant(false, `unknown node ${nodeId}`);
  }

  private openQueue(connId: number): SendQueue {
    const q = this.queues[connId];
    if (!(q !== undefined && q !== null && this.connState[connId] === CONN_OPEN))
      invariant(false, `send on connection ${connId}, which is not open`, this.kernel.nowUs);
    return q;
  }

  /** Bytes of slot k's head still to go at time t (≥ 0). */
  private remainingAt(k: number, t: number): number {
    const left = this.sRem[k] - (this.sRate[k] * (t - this.sT0[k])) / 8e6;
    return Math.max(left, 0);
  }

  /** Brings slot k's remaining bytes up to time t and counts what crossed. */
  private settle(k: number, t: number): void {
    if (this.sT0[k] === t) return;
    const left = this.remainingAt(k, t);
    this.deliveredBytes += this.sRem[k] - left;
    this.sRem[k] = left;
    this.sT0[k] = t;
  }

  /** Whole bytes of a head already delivered (all of them once it is within EPS_BYTES of done). */
  private headBytesDone(size: number, left: number): number {
    return left <= EPS_BYTES ? size : Math.floor(size - left);
  }

  /** Completion event time of slot k's head, from its state at sT0 (which must be now). */
  private endTime(k: number, now: number): number {
    const left = this.sRem[k];
    if (left <= EPS_BYTES) return now;
    const r = this.sRate[k];
    if (!(r > 0)) return Infinity;
    const t = Math.ceil(now + (left * 8e6) / r);
    return t > now ? t : now + 1;
  }

  /**
   * The head of connId is gone (completed or cancelled): the next sub-block becomes the head. An active
   * connection whose new head is eligible keeps its slot and rate (back to back); otherwise it leaves the flows.
   */
  private nextHead(connId: number, q: SendQueue, now: number): void {
    q.head++;
    this.firstByteUs[connId] = -1;
    const k = this.slotOf[connId];
    if (q.length === 0) {
      q.clear();
      if (k >= 0) this.deactivate(connId, now);
      return;
    }
    q.compact();
    const eligible = q.readyUs[q.head] <= now;
    if (k >= 0 && eligible) {
      this.sRem[k] = q.sizes[q.head];
      this.sT0[k] = now;
      if (this.sRate[k] > 0) this.firstByteUs[connId] = now;
      this.sEnd[k] = this.endTime(k, now);
    } else if (k >= 0) {
      this.deactivate(connId, now);
      this.addWaiting(connId);
    } else if (eligible) {
      this.activate(connId, now);
    } else {
      this.addWaiting(connId);
    }
  }

  /** connId's head is eligible: it becomes an active flow (rate set by the next solve). */
  private activate(connId: number, now: number): void {
    if (!(this.slotOf[connId] < 0 && this.waitPos[connId] < 0)) invariant(false, `conn ${connId} activated twice`, now);
    const q = this.queues[connId]!;
    const k = this.nSlots++;
    if (k === this.sConn.length) this.growSlots();
    this.slotOf[connId] = k;
    this.sConn[k] = connId;
    this.sRem[k] = q.sizes[q.head];
    this.sT0[k] = now;
    this.sRate[k] = 0;
    this.sEnd[k] = this.sRem[k] <= EPS_BYTES ? now : Infinity;
    this.sLevel[k] = 0;
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

  /** connId stops being a flow (its slot must be settled to now by the caller if its bytes matter). */
  private deactivate(connId: number, now: number): void {
    const k = this.slotOf[connId];
    if (!(k >= 0)) invariant(false, `conn ${connId} is not active`, now);
    const last = --this.nSlots;
    if (k !== last) {
      const moved = this.sConn[last];
      this.sConn[k] = moved;
      this.sRem[k] = this.sRem[last];
      this.sT0[k] = this.sT0[last];
      this.sRate[k] = this.sRate[last];
      this.sEnd[k] = this.sEnd[last];
      this.sLevel[k] = this.sLevel[last];
      this.sNode[k] = this.sNode[last];
      this.sCap[k] = this.sCap[last];
      this.slotOf[moved] = k;
    }
    this.slotOf[connId] = -1;
    this.stepAtUs[connId] = Infinity;
    this.idleSinceUs[connId] = now;
    this.nodeActive[this.connNode[connId]]--;
    this.dirty = true;
  }

  private addWaiting(connId: number): void {
    this.waitPos[connId] = this.waiting.length;
    this.waiting.push(connId);
    const q = this.queues[connId]!;
    const wakeUs = Math.ceil(q.readyUs[q.head]);
    if (wakeUs < this.waitMinUs) this.waitMinUs = wakeUs;
  }

  private removeWaiting(connId: number): void {
    const pos = this.waitPos[connId];
    if (!(pos >= 0)) invariant(false, `conn ${connId} is not waiting`);
    const last = this.waiting.pop()!;
    if (last !== connId) {
      this.waiting[pos] = last;
      this.waitPos[last] = pos;
    }
    this.waitPos[connId] = -1;
    this.waitMinStale = true;
  }

  /** Recomputes the earliest wake-up of the waiting connections. */
  private waitMin(): number {
    if (this.waitMinStale) {
      let min = Infinity;
      for (let i = 0; i < this.waiting.length; i++) {
        const q = this.queues[this.waiting[i]]!;
        const t = Math.ceil(q.readyUs[q.head]);
        if (t < min) min = t;
      }
      this.waitMinUs = min;
      this.waitMinStale = false;
    }
    return this.waitMinUs;
  }

  private growSlots(): void {
    const n = this.sConn.length * 2;
    const grow = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    const f64 = (x: number) => new Float64Array(x);
    const i32 = (x: number) => new Int32Array(x);
    this.sConn = grow(this.sConn, i32);
    this.sRem = grow(this.sRem, f64);
    this.sT0 = grow(this.sT0, f64);
    this.sRate = grow(this.sRate, f64);
    this.sEnd = grow(this.sEnd, f64);
    this.sLevel = grow(this.sLevel, f64);
    this.sNode = grow(this.sNode, i32);
    this.sCap = grow(this.sCap, f64);
    this.localCap = new Float64Array(n);
    this.localLevel = new Float64Array(n);
    this.localGlobal = new Int32Array(n);
  }

  private capBps(connId: number): number {
    if (!this.tcp) return Infinity;
    const rtt = this.nodeRtt[this.connNode[connId]];
    if (rtt <= 0) return Infinity;
    return (Math.min(this.cwnd[connId], this.config.receiveWindowBytes) * 8e6) / rtt;
  }

  // ---- events --------------------------------------------------------------------------------------------------

  private onEvent(gen: number): void {
    if (gen !== this.gen) return; // superseded by a later post
    this.scheduledAtUs = Infinity;
    const now = this.kernel.nowUs;

    // Completions. A slot whose connection leaves is refilled by the last slot: look at index k again then.
    for (let k = 0; k < this.nSlots; ) {
      if (this.sEnd[k] > now) {
        k++;
        continue;
      }
      const c = this.sConn[k];
      this.settle(k, now);
      if (this.sRem[k] > EPS_BYTES) {
        this.sEnd[k] = this.endTime(k, now); // floating-point noise: not quite there yet
        k++;
        continue;
      }
      const q = this.queues[c]!;
      const d = this.nDone++;
      this.doneConn[d] = c;
      this.doneId[d] = q.ids[q.head];
      this.doneSize[d] = q.sizes[q.head];
      this.doneFirst[d] = this.firstByteUs[c] >= 0 ? this.firstByteUs[c] : now;
      this.deliveredBytes += this.sRem[k]; // the ≤ EPS_BYTES left are counted as delivered
      this.sRem[k] = 0;
      this.nextHead(c, q, now);
      // Same slot, same connection (back to back): a zero-byte head completes in the next round of this loop.
      if (this.nDone > MAX_QUEUE)
        invariant(false, "network completion loop did not terminate", now);
    }

    // Waiting connections whose head became eligible (none before the earliest wake-up).
    if (now >= this.waitMinUs) {
      for (let i = 0; i < this.waiting.length; ) {
        const c = this.waiting[i];
        const q = this.queues[c]!;
        if (q.readyUs[q.head] <= now) {
          this.removeWaiting(c);
          this.activate(c, now);
        } else i++;
      }
    }

    // TCP doubling clocks that are due.
    if (this.tcp) {
      const rwnd = this.config.receiveWindowBytes;
      for (let k = 0; k < this.nSlots; k++) {
        const c = this.sConn[k];
        if (this.stepAtUs[c] > now) continue;
        this.stepAtUs[c] = Infinity;
        if (this.sCap[k] < this.sLevel[k] * (1 - CAPACITY_TOL)) {
          this.cwnd[c] = Math.min(2 * this.cwnd[c], rwnd);
          this.dirty = true;
        }
      }
    }

    this.refresh();

    const n = this.nDone;
    if (n === 0) return;
    this.nDone = 0;
    if (n > 1) this.sortDone(n);
    for (let i = 0; i < n; i++) {
      this.listener.onSubBlockDelivered(
        this.doneConn[i],
        this.doneId[i],
        this.doneSize[i],
        this.doneFirst[i],
      );
    }
  }

  /** Orders one event's completions by connection id (stable within a connection). */
  private sortDone(n: number): void {
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

  /** Solves the rates if anything they depend on changed, then posts the next network event. */
  private refresh(): void {
    if (this.dirty) this.solve();
    let next = Infinity;
    for (let k = 0; k < this.nSlots; k++) {
      const t = this.sEnd[k];
      if (t < next) next = t;
    }
    if (this.tcp) {
      for (let k = 0; k < this.nSlots; k++) {
        const t = this.stepAtUs[this.sConn[k]];
        if (t < next) next = t;
      }
    }
    const wakeUs = this.waitMin();
    if (wakeUs < next) next = wakeUs;
    if (next === this.scheduledAtUs) return;
    if (next === Infinity) {
      this.gen = (this.gen + 1) | 0; // nothing to wake up for: retire the pending event
      this.scheduledAtUs = Infinity;
    } else this.post(next);
  }

  private post(atUs: number): void {
    this.gen = (this.gen + 1) | 0;
    this.scheduledAtUs = atUs;
    this.kernel.schedule(atUs, this.kind, this.gen, 0);
  }

  /**
   * Max-min rates for the active flows: settles every flow to now, solves, stamps first bytes, computes
   * completion times and (tcp) arms doubling clocks; checks the capacity invariants.
   */
  private solve(): void {
    this.dirty = false;
    const now = this.kernel.nowUs;
    const stamp = ++this.solveId;
    for (let i = 0; i < this.nSolved; i++) this.nodeRate[this.solvedNodes[i]] = 0;
    this.nSolved = 0;
    const nFlows = this.nSlots;
    if (nFlows === 0) return;

    const tcp = this.tcp;
    let nNodes = 0;
    for (let k = 0; k < nFlows; k++) {
      const c = this.sConn[k];
      this.settle(k, now);
      const node = this.connNode[c];
      if (this.nodeStamp[node] !== stamp) {
        this.nodeStamp[node] = stamp;
        this.nodeLocal[node] = nNodes;
        this.localGlobal[nNodes] = node;
        this.localCap[nNodes] = this.nodeUplink[node] * this.nodeFactor[node] * this.eff;
        this.solvedNodes[this.nSolved++] = node;
        nNodes++;
      }
      this.sNode[k] = this.nodeLocal[node];
      this.sCap[k] = tcp ? this.capBps(c) : Infinity;
    }
    const downlink = this.downlink * this.eff;
    solveMaxMin(
      nFlows,
      this.sNode,
      this.sCap,
      nNodes,
      this.localCap,
      downlink,
      this.sRate,
      this.localLevel,
      this.scratch,
    );

    // Invariants, checked without allocating on the success path (this runs at every rate change).
    let total = 0;
    const rwnd = this.config.receiveWindowBytes;
    for (let k = 0; k < nFlows; k++) {
      const c = this.sConn[k];
      const r = this.sRate[k];
      const local = this.sNode[k];
      if (!(r >= 0)) invariant(false, `negative rate ${r} on conn ${c}`, now);
      if (r > 0 && !(this.localCap[local] > 0))
        invariant(false, `conn ${c} sends from a node with no capacity`, now);
      this.nodeRate[this.localGlobal[local]] += r;
      total += r;
      if (r > 0 && this.firstByteUs[c] < 0) this.firstByteUs[c] = now;
      this.sEnd[k] = this.endTime(k, now);
      const level = this.localLevel[local];
      this.sLevel[k] = level;
      if (
        tcp &&
        this.stepAtUs[c] === Infinity &&
        this.cwnd[c] < rwnd &&
        this.sCap[k] < level * (1 - CAPACITY_TOL)
      ) {
        this.stepAtUs[c] = now + Math.max(1, Math.round(this.nodeRtt[this.connNode[c]]));
      }
    }
    if (!(total <= downlink * (1 + CAPACITY_TOL) + 1e-6)) {
      invariant(false, `downlink over capacity: ${total} > ${downlink} bps`, now);
    }
    for (let k = 0; k < nNodes; k++) {
      const node = this.localGlobal[k];
      const cap = this.localCap[k];
      if (!(this.nodeRate[node] <= cap * (1 + CAPACITY_TOL) + 1e-6)) {
        invariant(false, `node ${node} over capacity: ${this.nodeRate[node]} > ${cap} bps`, now);
      }
    }
  }
}
