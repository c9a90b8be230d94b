// The flow-level network: hosts (each with an uplink and a downlink), connections between them, one FIFO send
// queue of sub-blocks per connection, max-min fair sharing of the links among the connections that have
// eligible bytes, and an optional TCP-like window cap per connection. One pending kernel event for the whole
// network. The single-agent world drives it through the star API (addNode, openConnection(conn, node), ...):
// the agent is host 0, built from config.downlinkBps, and each node a host that only sends.
//
// ---- The model (enough to hand-compute every timing) --------------------------------------------------------
// Time is in µs, rates in bits/s, sizes in bytes; a rate R moves R·Δt/8e6 bytes in Δt µs.
// Hosts and routes. A host has an uplink (× a factor, 0 stalls it), a downlink, and (outside the network) a
//   one-way latency to the core; a connection from src to dst has the RTT its opener gives (route.ts:
//   2 × (latency_src + latency_dst) + jitter). The RTT is used only by the tcp window.
// Connection queue. send(conn, sb, S, readyAt) appends sub-block sb of S bytes. The head of the queue is
//   *eligible* once now ≥ readyAt (the caller folds the request's RTT and jitter into readyAt; readyAt is used
//   as given, and the wake-up for it is posted at ceil(readyAt)). Sub-blocks go strictly in queue order: the
//   next one becomes the head when the previous one completes or is cancelled, so a pipelined sub-block whose
//   readyAt has passed starts right when its predecessor ends (back to back).
// Flow. A connection whose head is eligible is an *active flow*; it becomes *idle* when its queue empties or
//   its head is not yet eligible. Active flows share the links max-min fairly (sharing.ts): each flow crosses
//   its source's uplink (uplink × factor × efficiency, shared among the flows it sends) and its destination's
//   downlink (downlink × efficiency, shared among the flows it receives), and has its own cap. Rates are
//   recomputed when a flow starts or ends or a capacity or cap changes, and stay constant in between; a change
//   recomputes only the flows whose rates it can move.
// Bytes. The head's first byte arrives at the first instant it has a positive rate (for an idle connection
//   that is readyAt, rounded up to the µs); its last byte when its remaining bytes reach ≤ EPS_BYTES (1e-6 B).
//   A completion is posted at ceil(t_exact) µs, t_exact = t_last + remaining·8e6/rate; bytes a flow "would have
//   sent" in that fraction of a µs are not given to anybody else (each completion can end up to 1 µs late,
//   no byte is ever lost). bytesDelivered counts exactly what crossed (partial bytes of cancelled sub-blocks too).
// fluid: efficiency = 1, no per-flow cap. A request made at t on an idle connection for S bytes with readyAt =
//   t + RTT, alone at rate R: first byte at t + RTT, last byte at ceil(t + RTT + 8·S·1e6/R) µs.
// tcp: per connection a congestion window caps the flow at min(cwnd, rwnd) · 8e6 / RTT_us bps, starting at IW,
//   doubling every RTT while the flow is cap-bound, restarting after idleRestartUs of idle (the rules are in
//   window.ts); efficiency multiplies every link capacity (not the window cap). E.g. 16 KiB, RTT 50 ms, IW
//   14,480 B on a fast link, requested at 0: first byte at 50,000 µs, 14,480 B in the first round at
//   2.3168 Mb/s, the remaining 1,904 B at 4.6336 Mb/s from 100,000 µs: last byte at
//   ceil(100,000 + 1,904·8e6/4,633,600) = 103,288 µs.
// Invariants (asserted after every recompute): no link carries more than its usable capacity, no negative rate,
//   a link of capacity 0 carries nothing.
//
// ---- Implementation ------------------------------------------------------------------------------------------
// This file keeps the connections and their byte accounting; each other concern has its own file:
//   send-queue.ts       one connection's FIFO of sub-blocks
//   flow-table.ts       the active flows, in dense slots of typed-array columns (swap-remove), completions heap
//   wait-list.ts        connections whose head is not eligible yet, by wake-up time
//   links.ts            the hosts' links, their capacities and the flows on each
//   sharing.ts          incremental max-min rates: the star solver (maxmin.ts) for one destination, progressive
//                       filling (maxmin-general.ts) over the part a change affects otherwise
//   window.ts           the per-flow cap: the tcp congestion window, or none (fluid)
//   time-heap.ts        the indexed heap of times behind completions, wake-ups and window clocks
//   wakeup.ts           the network's one pending kernel event
//   route.ts            the RTT between two hosts (for the caller)
// A flow's bytes are kept as (remaining at t0, rate), brought up to date only when its rate changes or at its
// own completion/cancel, so an event that does not change the flow set (a back-to-back sub-block) costs
// O(log flows). Exactly one kernel event is pending: the earliest completion, window step or readyAt.

import { assert, fail } from "../../assert.ts";
import type { Kernel } from "../kernel/kernel.ts";
import { FlowTable } from "./flow-table.ts";
import { downLink, upLink } from "./links.ts";
import { MAX_QUEUE, SendQueue } from "./send-queue.ts";
import { Sharing, type SharingStats } from "./sharing.ts";
import { WaitList } from "./wait-list.ts";
import { Wakeup } from "./wakeup.ts";
import { NoWindow, TcpWindow, type FlowWindow } from "./window.ts";

export interface NetworkConfig {
  model: "fluid" | "tcp";
  /**
   * The star API's agent downlink: when given, the constructor adds the agent as host 0 with this downlink
   * (and an uplink of 0). Leave it out to build every host with addHost.
   */
  downlinkBps?: number;
  /** tcp only: link capacities × efficiency are usable for payload (fluid: 1). */
  efficiency: number;
  /** tcp: IW10 = 10 × 1448. */
  initialWindowBytes: number;
  /** tcp: cap on the window. */
  receiveWindowBytes: number;
  /** tcp: slow-start restart after this idle time. */
  idleRestartUs: number;
  /** Rounds of incremental checks before a change re-solves its whole component (default 8; 0: always). */
  maxSolveRounds?: number;
}

export interface NetworkListener {
  /** The last byte of a sub-block arrived at its destination. firstByteUs: when its first byte arrived. */
  onSubBlockDelivered(connId: number, subBlockId: number, sizeBytes: number, firstByteUs: number): void;
}

/** A head sub-block with at most this many bytes left is complete (absorbs floating-point noise only). */
export const EPS_BYTES = 1e-6;

const CONN_UNUSED = 0;
const CONN_OPEN = 1;
const CONN_CLOSED = 2;

/** Whether a capacity is a valid uplink (finite) or downlink (may be Infinity). */
const validBps = (bps: number, finite: boolean) => bps >= 0 && (!finite || Number.isFinite(bps));

export class Network {
  private readonly sharing: Sharing;
  private readonly window: FlowWindow;
  private readonly flows = new FlowTable();
  /** Connections whose head is not eligible yet. A connection with a non-empty queue is a flow or waits. */
  private readonly waiting = new WaitList();
  private readonly wakeup: Wakeup;

  // The star API: the agent's host, and each node's host and RTT.
  private readonly agentHost: number = -1;
  private readonly nodeHost: number[] = [];
  private readonly nodeRttUs: number[] = [];

  // Connections, by connection id.
  private readonly connState: number[] = [];
  private readonly connSrc: number[] = [];
  private readonly connDst: number[] = [];
  private readonly queues: (SendQueue | null)[] = [];
  private readonly firstByteUs: number[] = []; // of the head; -1 before its first byte

  private deliveredBytes = 0;
  private readonly due: number[] = []; // scratch: connections or slots due at one event
  // Completions of one event (the first nDone entries), handed to the listener once the state is consistent.
  private nDone = 0;
  private readonly doneConn: number[] = [];
  private readonly doneId: number[] = [];
  private readonly doneSize: number[] = [];
  private readonly doneFirst: number[] = [];

  constructor(
    private readonly kernel: Kernel,
    config: NetworkConfig,
    private readonly listener: NetworkListener,
  ) {
    const tcp = config.model === "tcp";
    this.sharing = new Sharing(tcp ? config.efficiency : 1, config.maxSolveRounds);
    this.window = tcp ? new TcpWindow(config) : new NoWindow();
    if (config.downlinkBps !== undefined) {
      assert(config.downlinkBps >= 0, "negative downlink {0}", config.downlinkBps);
      this.agentHost = this.addHost(0, config.downlinkBps);
    }
    this.wakeup = new Wakeup(kernel, "network", () => this.onEvent());
  }

  // ---- hosts --------------------------------------------------------------------------------------------------

  /** Adds a host; returns its id (dense, from 0). The uplink must be finite; the downlink may be Infinity. */
  addHost(uplinkBps: number, downlinkBps: number): number {
    if (!validBps(uplinkBps, true)) fail("host {0}: bad uplink {1}", this.sharing.links.hostCount, uplinkBps);
    if (!validBps(downlinkBps, false))
      fail("host {0}: bad downlink {1}", this.sharing.links.hostCount, downlinkBps);
    return this.sharing.addHost(uplinkBps, downlinkBps);
  }

  setHostUplink(host: number, uplinkBps: number): void {
    this.checkHost(host);
    if (!validBps(uplinkBps, true)) fail("host {0}: bad uplink {1}", host, uplinkBps);
    this.sharing.setUplink(host, uplinkBps);
    this.refreshIfNeeded();
  }

  /** Multiplies the host's uplink (0 stalls it: no bytes, no first byte, until it is raised again). */
  setHostUplinkFactor(host: number, factor: number): void {
    this.checkHost(host);
    if (!validBps(factor, true)) fail("host {0}: bad factor {1}", host, factor);
    this.sharing.setFactor(host, factor);
    this.refreshIfNeeded();
  }

  setHostDownlink(host: number, downlinkBps: number): void {
    this.checkHost(host);
    if (!validBps(downlinkBps, false)) fail("host {0}: bad downlink {1}", host, downlinkBps);
    this.sharing.setDownlink(host, downlinkBps);
    this.refreshIfNeeded();
  }

  // ---- the star API (one agent: host 0; node n: the host added by addNode(n)) ---------------------------------

  /** A node that sends to the agent (ids dense from 0), with its RTT to the agent. */
  addNode(nodeId: number, uplinkBps: number, rttUs: number): void {
    if (!(this.agentHost >= 0)) fail("addNode needs config.downlinkBps (the agent's host)");
    if (nodeId !== this.nodeHost.length)
      fail("node ids must be dense: got {0}, expected {1}", nodeId, this.nodeHost.length);
    if (!(rttUs >= 0 && Number.isFinite(rttUs))) fail("node {0}: bad rtt {1}", nodeId, rttUs);
    this.nodeHost.push(this.addHost(uplinkBps, Infinity));
    this.nodeRttUs.push(rttUs);
  }

  setNodeUplink(nodeId: number, uplinkBps: number): void {
    this.setHostUplink(this.hostOfNode(nodeId), uplinkBps);
  }

  setNodeFactor(nodeId: number, factor: number): void {
    this.setHostUplinkFactor(this.hostOfNode(nodeId), factor);
  }

  /** The agent's downlink. */
  setDownlink(bps: number): void {
    if (!(bps >= 0)) fail("bad downlink {0}", bps);
    this.setHostDownlink(this.agentHost, bps);
  }

  /** A connection from a node to the agent. */
  openConnection(connId: number, nodeId: number): void {
    const host = this.hostOfNode(nodeId);
    this.connect(connId, host, this.agentHost, this.nodeRttUs[nodeId]);
  }

  /** Σ rates of the node's flows. */
  nodeRateBps(nodeId: number): number {
    const host = this.nodeHost[nodeId];
    return host === undefined ? 0 : this.hostUplinkRateBps(host);
  }

  // ---- connections --------------------------------------------------------------------------------------------

  /** Opens a connection on which srcHost sends to dstHost; rttUs is its round-trip time (tcp window). */
  connect(connId: number, srcHost: number, dstHost: number, rttUs: number): void {
    this.checkHost(srcHost);
    this.checkHost(dstHost);
    if (!(Number.isInteger(connId) && connId >= 0)) fail("bad connection id {0}", connId);
    if (!(rttUs >= 0 && Number.isFinite(rttUs))) fail("conn {0}: bad rtt {1}", connId, rttUs);
    while (this.connState.length <= connId) {
      this.connState.push(CONN_UNUSED);
      this.connSrc.push(-1);
      this.connDst.push(-1);
      this.queues.push(null);
      this.firstByteUs.push(-1);
    }
    if (!(this.connState[connId] === CONN_UNUSED)) fail("connection id {0} reused", connId);
    this.connState[connId] = CONN_OPEN;
    this.connSrc[connId] = srcHost;
    this.connDst[connId] = dstHost;
    this.queues[connId] = new SendQueue();
    this.window.open(connId, rttUs, this.kernel.nowUs);
  }

  send(connId: number, subBlockId: number, sizeBytes: number, readyAtUs: number): void {
    const q = this.openQueue(connId);
    if (!(Number.isInteger(sizeBytes) && sizeBytes >= 0))
      fail("conn {0}: bad sub-block size {1}", connId, sizeBytes);
    if (!(Number.isFinite(readyAtUs))) fail("conn {0}: bad readyAt {1}", connId, readyAtUs);
    const wasEmpty = q.length === 0;
    q.push(subBlockId, sizeBytes, readyAtUs);
    if (!wasEmpty) return; // queued behind the head: nothing changes until the head is done
    this.firstByteUs[connId] = -1;
    const now = this.kernel.nowUs;
    if (readyAtUs <= now) {
      this.activate(connId, now);
      this.refresh();
    } else {
      const wakeUs = Math.ceil(readyAtUs);
      this.waiting.add(connId, wakeUs);
      this.wakeup.advance(wakeUs);
    }
  }

  cancel(connId: number, subBlockId: number): number {
    const q = this.queues[connId];
    if (q === undefined || q === null || this.connState[connId] !== CONN_OPEN) return 0;
    const i = q.indexOf(subBlockId);
    if (i < 0) return 0; // not queued (already delivered, or never sent here)
    if (i > q.head) {
      q.removeAt(i);
      return 0;
    }
    const now = this.kernel.nowUs;
    const k = this.flows.slotOf(connId);
    let bytes = 0;
    if (k >= 0) {
      this.settle(k, now);
      bytes = headBytesDone(q.sizes[q.head], this.flows.remBytes[k]);
    } else {
      this.waiting.remove(connId);
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
    const k = this.flows.slotOf(connId);
    let headBytes = 0;
    if (k >= 0) {
      this.settle(k, now);
      headBytes = headBytesDone(q.sizes[q.head], this.flows.remBytes[k]);
      this.deactivate(connId, now);
    } else if (this.waiting.has(connId)) {
      this.waiting.remove(connId);
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
    const k = this.flows.slotOf(connId);
    return k >= 0 ? this.flows.rateBps[k] : 0;
  }

  /** Σ rates of the flows the host sends. */
  hostUplinkRateBps(host: number): number {
    return host >= 0 && host < this.sharing.links.hostCount ? this.sharing.linkRateBps(this.flows, upLink(host)) : 0;
  }

  /** Σ rates of the flows the host receives. */
  hostDownlinkRateBps(host: number): number {
    return host >= 0 && host < this.sharing.links.hostCount
      ? this.sharing.linkRateBps(this.flows, downLink(host))
      : 0;
  }

  /** Total payload bytes delivered so far (computed up to now without touching the state). */
  get bytesDelivered(): number {
    const now = this.kernel.nowUs;
    let total = this.deliveredBytes;
    for (let k = 0; k < this.flows.size; k++) total += this.flows.remBytes[k] - remainingAt(this.flows, k, now);
    return total;
  }

  /** The window of a connection (tcp; 0 before it first sent). For tests and traces. */
  windowBytes(connId: number): number {
    return this.window.windowBytes(connId);
  }

  /** The number of active flows now. */
  get activeFlows(): number {
    return this.flows.size;
  }

  /** How the rates were solved so far (benchmarks and tests). */
  get sharingStats(): Readonly<SharingStats> {
    return this.sharing.stats;
  }

  // ---- flow bookkeeping ----------------------------------------------------------------------------------------

  private checkHost(host: number): void {
    if (!(Number.isInteger(host) && host >= 0 && host < this.sharing.links.hostCount))
      fail("unknown host {0}", host);
  }

  private hostOfNode(nodeId: number): number {
    const host = this.nodeHost[nodeId];
    if (host === undefined) fail("unknown node {0}", nodeId);
    return host;
  }

  private openQueue(connId: number): SendQueue {
    const q = this.queues[connId];
    if (!(q !== undefined && q !== null && this.connState[connId] === CONN_OPEN))
      fail("send on connection {0}, which is not open", connId);
    return q;
  }

  /** Brings slot k's remaining bytes up to time t and counts what crossed. */
  private settle(k: number, t: number): void {
    if (this.flows.t0Us[k] !== t) this.deliveredBytes += settleRow(this.flows, k, t);
  }

  /**
   * The head of connId is gone (completed or cancelled): the next sub-block becomes the head. An active
   * connection whose new head is eligible keeps its slot and rate (back to back); otherwise it leaves the flows.
   */
  private nextHead(connId: number, q: SendQueue, now: number): void {
    q.shift();
    this.firstByteUs[connId] = -1;
    const k = this.flows.slotOf(connId);
    if (q.length === 0) {
      if (k >= 0) this.deactivate(connId, now);
      return;
    }
    const eligible = q.readyUs[q.head] <= now;
    if (k >= 0 && eligible) {
      const f = this.flows;
      f.remBytes[k] = q.sizes[q.head];
      f.t0Us[k] = now;
      if (f.rateBps[k] > 0) this.firstByteUs[connId] = now;
      f.setEnd(k, completionUs(f.remBytes[k], f.rateBps[k], now));
    } else if (k >= 0) {
      this.deactivate(connId, now);
      this.waiting.add(connId, Math.ceil(q.readyUs[q.head]));
    } else if (eligible) {
      this.activate(connId, now);
    } else {
      this.waiting.add(connId, Math.ceil(q.readyUs[q.head]));
    }
  }

  /** connId's head is eligible: it becomes an active flow (rate set by the next solve). */
  private activate(connId: number, now: number): void {
    if (this.waiting.has(connId)) fail("conn {0} activated while waiting", connId);
    const q = this.queues[connId]!;
    const f = this.flows;
    const k = f.add(connId, this.connSrc[connId], this.connDst[connId]);
    f.remBytes[k] = q.sizes[q.head];
    f.t0Us[k] = now;
    f.rateBps[k] = 0;
    f.setEnd(k, f.remBytes[k] <= EPS_BYTES ? now : Infinity);
    f.levelBps[k] = 0;
    this.window.start(connId, now);
    f.capBps[k] = this.window.capBps(connId);
    this.sharing.flowStarted(f, k);
  }

  /** connId stops being a flow (its slot must be settled to now by the caller if its bytes matter). */
  private deactivate(connId: number, now: number): void {
    this.sharing.flowEnding(this.flows, this.flows.slotOf(connId));
    this.flows.remove(connId);
    this.window.stop(connId, now);
  }

  // ---- events --------------------------------------------------------------------------------------------------

  private onEvent(): void {
    const now = this.kernel.nowUs;
    const f = this.flows;

    // Completions, by ascending slot. A slot whose connection leaves is refilled by the last slot, and a
    // connection may go on back to back in its slot: look at the slot again then. (The order and the refills
    // are those of a scan of every slot from the first: slots ahead of the one looked at never change.)
    const nDue = f.dueSlots(now, this.due);
    for (let i = 0; i < nDue; i++) {
      const k = this.due[i];
      while (k < f.size && f.endUs[k] <= now) {
        const c = f.conn[k];
        this.settle(k, now);
        if (f.remBytes[k] > EPS_BYTES) {
          f.setEnd(k, completionUs(f.remBytes[k], f.rateBps[k], now)); // floating-point noise: not quite there
          break;
        }
        const q = this.queues[c]!;
        const d = this.nDone++;
        this.doneConn[d] = c;
        this.doneId[d] = q.ids[q.head];
        this.doneSize[d] = q.sizes[q.head];
        this.doneFirst[d] = this.firstByteUs[c] >= 0 ? this.firstByteUs[c] : now;
        this.deliveredBytes += f.remBytes[k]; // the ≤ EPS_BYTES left are counted as delivered
        f.remBytes[k] = 0;
        this.nextHead(c, q, now);
        if (this.nDone > MAX_QUEUE + f.size) fail("network completion loop did not terminate");
      }
    }

    // Waiting connections whose head became eligible.
    const woken = this.waiting.takeDue(now, this.due);
    for (let i = 0; i < woken; i++) this.activate(this.due[i], now);

    // Window clocks that are due.
    const grown = this.window.stepDue(f, now, this.due);
    for (let i = 0; i < grown; i++) {
      const k = f.slotOf(this.due[i]);
      f.capBps[k] = this.window.capBps(this.due[i]);
      this.sharing.capChanged(f, k);
    }

    this.refresh();

    const n = this.nDone;
    if (n === 0) return;
    this.nDone = 0;
    if (n > 1) this.sortDone(n);
    for (let i = 0; i < n; i++) {
      this.listener.onSubBlockDelivered(this.doneConn[i], this.doneId[i], this.doneSize[i], this.doneFirst[i]);
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

  /** After a capacity change: solve and move the pending event if the change touched active flows. */
  private refreshIfNeeded(): void {
    if (this.sharing.needsSolve) this.refresh();
  }

  /** Solves the rates if anything they depend on changed, then posts the next network event. */
  private refresh(): void {
    if (this.sharing.needsSolve) this.solve();
    let next = this.flows.earliestEndUs();
    const stepUs = this.window.nextUs();
    if (stepUs < next) next = stepUs;
    const wakeUs = this.waiting.earliestUs();
    if (wakeUs < next) next = wakeUs;
    this.wakeup.set(next);
  }

  /**
   * New rates for the flows whose rates may have changed: each is settled to now at its old rate, then gets its
   * new rate, level and bottleneck, its first byte if it starts moving, its completion time and its window clock.
   */
  private solve(): void {
    const now = this.kernel.nowUs;
    const f = this.flows;
    const s = this.sharing;
    const window = this.window;
    const firstByteUs = this.firstByteUs;
    const { conn, t0Us, remBytes, rateBps, levelBps, endUs } = f;
    if (s.solvesAll) {
      // A star solve overwrites every rate in the table: settle every row first.
      for (let k = 0; k < f.size; k++) if (t0Us[k] !== now) this.deliveredBytes += settleRow(f, k, now);
      const n = s.solve(f);
      for (let k = 0; k < n; k++) {
        const c = conn[k];
        const r = rateBps[k];
        if (r > 0 && firstByteUs[c] < 0) firstByteUs[c] = now;
        endUs[k] = completionUs(remBytes[k], r, now);
        window.solved(f, k, now);
      }
      f.endsWritten();
      return;
    }
    const n = s.solve(f);
    const bulk = n > 8 && n * 4 > f.size; // many rows: write the completion times, then re-index them at once
    const { outSlot, outRate, outLevel, outBottleneck } = s;
    for (let i = 0; i < n; i++) {
      const k = outSlot[i];
      const c = conn[k];
      if (t0Us[k] !== now) this.deliveredBytes += settleRow(f, k, now);
      const r = outRate[i];
      rateBps[k] = r;
      levelBps[k] = outLevel[i];
      f.bottleneck[k] = outBottleneck[i];
      if (r > 0 && firstByteUs[c] < 0) firstByteUs[c] = now;
      const end = completionUs(remBytes[k], r, now);
      if (bulk) endUs[k] = end;
      else f.setEnd(k, end);
      window.solved(f, k, now);
    }
    if (bulk) f.endsWritten();
  }
}

/** Completion event time (µs) of a head with leftBytes to go at rateBps from nowUs: ceil, and after now. */
function completionUs(leftBytes: number, rateBps: number, nowUs: number): number {
  if (leftBytes <= EPS_BYTES) return nowUs;
  if (!(rateBps > 0)) return Infinity;
  const t = Math.ceil(nowUs + (leftBytes * 8e6) / rateBps);
  return t > nowUs ? t : nowUs + 1;
}

/** Bytes of row k's head still to go at time t (≥ 0). */
function remainingAt(f: FlowTable, k: number, t: number): number {
  return Math.max(f.remBytes[k] - (f.rateBps[k] * (t - f.t0Us[k])) / 8e6, 0);
}

/** Brings row k's remaining bytes up to time t; returns the bytes that crossed since its t0. */
function settleRow(f: FlowTable, k: number, t: number): number {
  const left = remainingAt(f, k, t);
  const crossed = f.remBytes[k] - left;
  f.remBytes[k] = left;
  f.t0Us[k] = t;
  return crossed;
}

/** Whole bytes of a head already delivered (all of them once it is within EPS_BYTES of done). */
function headBytesDone(size: number, left: number): number {
  return left <= EPS_BYTES ? size : Math.floor(size - left);
}
