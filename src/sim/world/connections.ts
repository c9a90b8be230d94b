// The world's side of the agent's connections: a connection's life (connecting, open, closing after a graceful
// leave, dead, closed), what happens to it when the agent connects, requests, cancels or closes, when its node
// answers, sends, leaves or resets it, and the transfers in progress on it (transfers.ts). It ends every
// transfer's metric record once, with how it ended, and tells the agent what it would see on a real network
// (connected, refused, a sub-block, disconnected) through the kernel queue.
//
// Connection set-up costs one RTT in both network models; a request's sub-blocks become sendable one RTT (plus
// jitter) after the request. An abrupt leave silently drops the node's transfers (the agent notices through its
// timeouts); a graceful leave lets the sub-block in flight finish, then disconnects with "peer-left".

import { assert } from "../../assert.ts";
import type { Content } from "../../agent/content.ts";
import type { AgentEvent, ConnId, SubBlockId } from "../../agent/ports.ts";
import type { Kernel } from "../kernel/kernel.ts";
import type { BlockBounds } from "../metrics/block-bound.ts";
import type { Collector } from "../metrics/collector.ts";
import type { ThroughputBound } from "../metrics/throughput-bound.ts";
import type { Network } from "../network/network.ts";
import type { BlockSink } from "./block-sink.ts";
import type { SimNode } from "./nodes.ts";
import type { ScheduleFaults } from "./schedule.ts";
import { LiveTransfers } from "./transfers.ts";

const enum ConnState {
  Connecting = 0,
  Open = 1,
  /** Graceful leave: the in-flight sub-block finishes, then "peer-left". */
  Closing = 2,
  /** Gone without telling the agent (abrupt leave, or the node never answered). */
  Dead = 3,
  Closed = 4,
}

/** Why a connection ends, as the `disconnect` event's second payload (the numbers enter the fingerprint). */
export const enum Disconnect {
  /** The node left gracefully with nothing in flight: the connection is closed; the agent hears "peer-left". */
  PeerLeft = 0,
  /** A mid-transfer reset: the connection is closed; the agent hears "reset". */
  Reset = 1,
  /** A gracefully leaving node delivered its last sub-block in flight: close now, then "peer-left". */
  Drained = 2,
}

/** The event kinds this room schedules (registered by the world, in its order). */
export interface ConnectionKinds {
  readonly connectReply: number;
  readonly arrival: number;
  readonly disconnect: number;
}

/** What the connections need from the rest of the world. */
export interface ConnectionHost {
  /** Hands the agent an event now (the world's only way in). */
  toAgent(event: AgentEvent): void;
  /** The node's capacity changed (its last closing connection ended after it left). */
  refreshCapacity(node: SimNode): void;
}

export class Connections {
  /** Per connection id: its node and its state. */
  private readonly connNode: number[] = [];
  private readonly connState: ConnState[] = [];
  /** Connections in state Open, in the order they opened: the sources of a block's bound. */
  private readonly openConns = new Set<number>();
  /** Connections open or closing gracefully (they can still deliver). */
  private liveConns = 0;
  /** Scratch copy of a leaving node's connections. */
  private readonly connScratch: number[] = [];
  private readonly transfers: LiveTransfers;

  constructor(
    private readonly kernel: Kernel,
    private readonly kinds: ConnectionKinds,
    private readonly content: Content,
    private readonly nodes: readonly SimNode[],
    private readonly network: Network,
    private readonly collector: Collector,
    private readonly sink: BlockSink,
    private readonly bounds: BlockBounds,
    private readonly throughput: ThroughputBound,
    /** The payload share of link capacities (the tcp model's efficiency; 1 for fluid). */
    private readonly efficiency: number,
    private readonly host: ConnectionHost,
    /** A schedule's fault windows (refused or unanswered connections, corrupt sub-blocks), if any. */
    private readonly faults: ScheduleFaults | null = null,
  ) {
    this.transfers = new LiveTransfers(content.blockCount * content.subBlocksPerBlock);
  }

  // ---- the agent's commands ------------------------------------------------------------------------------

  connect(conn: ConnId, nodeId: number): void {
    const now = this.kernel.nowUs;
    assert(conn === this.connNode.length, "agent opened conn {0}, expected {1}", conn, this.connNode.length);
    this.connNode.push(nodeId);
    this.connState.push(ConnState.Connecting);
    const node = this.nodes[nodeId];
    assert(node !== undefined, "agent connected to unknown node {0} at {1} µs", nodeId, now);
    if (!node.online) return; // nobody answers
    const f = node.failures;
    const u = f.connectRefusedP > 0 || f.connectTimeoutP > 0 ? node.rng("connect").next() : 1;
    // A schedule's window decides over the draw, which is made all the same (later draws stay where they were).
    const fault = this.faults === null ? null : this.faults.connectFault(node, now);
    if (fault === "ignore") return;
    if (fault === "refuse" || u < f.connectRefusedP) {
      this.kernel.after(node.rttUs, this.kinds.connectReply, conn, 1);
    } else if (u >= f.connectRefusedP + f.connectTimeoutP) {
      this.kernel.after(node.rttUs, this.kinds.connectReply, conn, 0);
    }
  }

  request(conn: ConnId, ids: readonly SubBlockId[]): void {
    const nodeId = this.connNode[conn];
    const node = this.nodes[nodeId];
    const now = this.kernel.nowUs;
    const state = this.connState[conn];
    assert(state !== undefined && state !== ConnState.Connecting, "request on conn {0} before it connected", conn);
    const jitter = node.jitterUs > 0 ? Math.floor(node.rng("jitter").next() * (node.jitterUs + 1)) : 0;
    const readyAtUs = now + node.rttUs + jitter;
    const c = this.content;
    for (const sb of ids) {
      assert(c.isValid(sb), "request for sub-block {0} out of range", sb);
      const block = c.blockOf(sb);
      const sizeBytes = c.subBlockSize(sb);
      const record = this.collector.requested(sb, block, nodeId, node.kind, conn, now);
      if (!this.sink.hasStarted(block)) this.sink.start(block, this.openNodes());
      if (state !== ConnState.Open) {
        this.collector.ended(record, "dropped", -1, now, 0); // sent into a connection that is gone
        continue;
      }
      assert(this.transfers.find(conn, sb) < 0, "sub-block {0} requested twice on conn {1}", sb, conn);
      this.transfers.open(conn, sb, record);
      this.network.send(conn, sb, sizeBytes, readyAtUs);
    }
  }

  cancel(conn: ConnId, ids: readonly SubBlockId[]): void {
    const t = this.transfers;
    for (const sb of ids) {
      const slot = t.find(conn, sb);
      if (slot < 0) continue; // already ended (dropped, or never sent)
      // Delivered by the network but not yet handed to the agent: it crossed the network in full.
      let firstByteUs = t.firstByteUs(slot);
      if (firstByteUs < 0 && this.network.inFlight(conn) === sb) firstByteUs = this.network.headFirstByteUs(conn);
      const bytes = t.deliveredUs(slot) >= 0 ? this.content.subBlockSize(sb) : this.network.cancel(conn, sb);
      const record = t.recordOf(slot);
      t.end(slot);
      this.collector.ended(record, "cancelled", firstByteUs, this.kernel.nowUs, bytes);
    }
  }

  close(conn: ConnId): void {
    const state = this.connState[conn];
    if (state === ConnState.Open || state === ConnState.Closing) this.kill(conn, ConnState.Closed, "cancelled");
    else this.connState[conn] = ConnState.Closed;
    // Transfers already delivered by the network but not yet handed over become cancelled.
    const t = this.transfers;
    for (let slot = t.firstOn(conn); slot >= 0; slot = t.firstOn(conn)) {
      const record = t.recordOf(slot);
      const firstByteUs = t.firstByteUs(slot);
      const bytes = t.bytes(slot);
      t.end(slot);
      this.collector.ended(record, "cancelled", firstByteUs, this.kernel.nowUs, bytes);
    }
  }

  /**
   * The origin connection was parked (out of use between fallbacks) or put back in use: a parked connection is
   * no source of a block's bound; put back, it counts again from one RTT on, like a connection that just opened.
   */
  originInUse(conn: ConnId, inUse: boolean): void {
    if (this.connState[conn] !== ConnState.Open) return;
    if (!inUse) {
      this.openConns.delete(conn);
    } else if (!this.openConns.has(conn)) {
      this.openConns.add(conn);
      const node = this.nodes[this.connNode[conn]];
      this.bounds.sourceOpened(this.kernel.nowUs, node.id, node.rttUs, node.effectiveUplinkBps() * this.efficiency);
    }
  }

  // ---- what nodes do -------------------------------------------------------------------------------------

  /** The node goes away: a graceful leave lets each open connection's sub-block in flight finish. */
  nodeLeaves(node: SimNode, graceful: boolean): void {
    // A copy, in the same order (kill removes each from node.conns), in reused storage.
    const conns = this.connScratch;
    conns.length = 0;
    for (const conn of node.conns) conns.push(conn);
    for (const conn of conns) {
      if (graceful && this.connState[conn] === ConnState.Open) {
        this.connState[conn] = ConnState.Closing;
        this.openConns.delete(conn);
        node.draining++;
        const inFlight = this.network.inFlight(conn);
        for (const sb of this.network.queued(conn)) {
          if (sb !== inFlight) this.endTransfer(conn, sb, "dropped", this.network.cancel(conn, sb));
        }
        if (inFlight < 0) {
          this.kill(conn, ConnState.Closed, "dropped");
          this.kernel.schedule(this.kernel.nowUs, this.kinds.disconnect, conn, Disconnect.PeerLeft);
        }
      } else {
        this.kill(conn, ConnState.Dead, "dropped");
      }
    }
  }

  /** A mid-transfer connection reset on one of the node's sending connections, if any. */
  dropOne(node: SimNode): void {
    for (const conn of node.conns) {
      if (this.connState[conn] === ConnState.Open && this.network.inFlight(conn) >= 0) {
        this.kill(conn, ConnState.Closed, "dropped");
        this.kernel.schedule(this.kernel.nowUs, this.kinds.disconnect, conn, Disconnect.Reset);
        return;
      }
    }
  }

  // ---- kernel events ---------------------------------------------------------------------------------------

  onConnectReply(conn: ConnId, refused: number): void {
    if (this.connState[conn] !== ConnState.Connecting) return; // the agent gave up (closed) meanwhile
    const node = this.nodes[this.connNode[conn]];
    if (!node.online) {
      this.connState[conn] = ConnState.Dead; // left while we were connecting: no answer
      return;
    }
    if (refused === 1) {
      this.connState[conn] = ConnState.Closed;
      this.host.toAgent({ type: "connect-failed", connId: conn, reason: "refused" });
      return;
    }
    const now = this.kernel.nowUs;
    this.connState[conn] = ConnState.Open;
    this.openConns.add(conn);
    this.bounds.sourceOpened(now, node.id, node.rttUs, node.effectiveUplinkBps() * this.efficiency);
    this.throughput.sourceOpened(now, node.id, node.rttUs, node.effectiveUplinkBps() * this.efficiency);
    this.throughput.connectionsLive(++this.liveConns);
    node.conns.push(conn);
    this.network.openConnection(conn, node.id);
    this.host.toAgent({ type: "connected", connId: conn });
  }

  /** The network delivered a sub-block's last byte: hand it over through the queue. */
  onDelivered(conn: ConnId, sb: SubBlockId, sizeBytes: number, firstByteUs: number): void {
    const now = this.kernel.nowUs;
    const slot = this.transfers.find(conn, sb);
    assert(slot >= 0, "network delivered unrequested sub-block {0} on conn {1}", sb, conn);
    const node = this.nodes[this.connNode[conn]];
    assert(node.online || this.connState[conn] === ConnState.Closing, "dead node {0} sent data", node.label);
    this.transfers.setDelivered(slot, firstByteUs, now, sizeBytes);
    this.kernel.schedule(now, this.kinds.arrival, this.transfers.recordOf(slot));
    if (this.connState[conn] === ConnState.Closing && this.network.queued(conn).length === 0) {
      this.kernel.schedule(now, this.kinds.disconnect, conn, Disconnect.Drained);
    }
  }

  /** A delivered sub-block reaches the agent (unless its transfer ended meanwhile), checked by its checksum. */
  onArrival(record: number): void {
    const t = this.transfers;
    const slot = t.ofRecord(record);
    if (slot < 0) return; // cancelled after the network delivered it
    const conn = t.connOf(slot);
    const sb = t.subBlockOf(slot);
    const firstByteUs = t.firstByteUs(slot);
    const endUs = t.deliveredUs(slot);
    const bytes = t.bytes(slot);
    t.end(slot);
    const node = this.nodes[this.connNode[conn]];
    const p = node.failures.corruptP;
    let checksumOk = !(p > 0 && node.rng("corrupt").next() < p);
    if (this.faults !== null && this.faults.corrupts(node, this.kernel.nowUs)) checksumOk = false;
    this.collector.ended(record, checksumOk ? this.sink.intact(sb) : "corrupt", firstByteUs, endUs, bytes);
    this.host.toAgent({ type: "sub-block", connId: conn, subBlockId: sb, sizeBytes: bytes, firstByteUs, checksumOk });
  }

  onDisconnect(conn: ConnId, why: number): void {
    if (why === Disconnect.Drained) {
      if (this.connState[conn] !== ConnState.Closing) return;
      this.kill(conn, ConnState.Closed, "dropped");
    } else if (this.connState[conn] !== ConnState.Closed) {
      return;
    }
    this.host.toAgent({ type: "disconnected", connId: conn, reason: why === Disconnect.Reset ? "reset" : "peer-left" });
  }

  /** The run is over: every transfer still in progress ends as never needed (cancelled), with what it had. */
  endAll(): void {
    const t = this.transfers;
    for (let conn = 0; conn < this.connNode.length; conn++) {
      for (let slot = t.firstOn(conn); slot >= 0; slot = t.firstOn(conn)) {
        const record = t.recordOf(slot);
        const firstByteUs = t.firstByteUs(slot);
        const endUs = t.deliveredUs(slot);
        const bytes = t.bytes(slot);
        t.end(slot);
        this.collector.ended(record, "cancelled", firstByteUs, endUs, bytes);
      }
    }
  }

  /** The node a connection talks to. */
  nodeOf(conn: ConnId): number {
    return this.connNode[conn];
  }

  // ---- internals -----------------------------------------------------------------------------------------

  /** The nodes of the open connections, in the order the connections opened (a node once per connection). */
  private openNodes(): SimNode[] {
    const out: SimNode[] = [];
    for (const conn of this.openConns) out.push(this.nodes[this.connNode[conn]]);
    return out;
  }

  /** Takes a connection out of the network; its queued sub-blocks end with the given outcome. */
  private kill(conn: ConnId, state: ConnState, outcome: "dropped" | "cancelled"): void {
    const was = this.connState[conn];
    this.connState[conn] = state;
    this.openConns.delete(conn);
    if (was === ConnState.Open || was === ConnState.Closing) {
      this.throughput.connectionsLive(--this.liveConns);
      const head = this.network.inFlight(conn); // the sub-block whose bytes were flowing, if any
      const headFirstByteUs = this.network.headFirstByteUs(conn);
      for (const [sb, bytes] of this.network.closeConnection(conn)) {
        this.endTransfer(conn, sb, outcome, bytes, sb === head ? headFirstByteUs : -1);
      }
      const node = this.nodes[this.connNode[conn]];
      node.conns.splice(node.conns.indexOf(conn), 1);
      if (was === ConnState.Closing && --node.draining === 0 && !node.online) this.host.refreshCapacity(node);
    }
  }

  /** Ends a transfer cut short; firstByteUs: when its first byte arrived (-1: none did, or it knows better). */
  private endTransfer(conn: ConnId, sb: SubBlockId, outcome: "dropped" | "cancelled", bytes: number, firstByteUs = -1): void {
    const t = this.transfers;
    const slot = t.find(conn, sb);
    assert(slot >= 0, "no transfer of sub-block {0} on conn {1}", sb, conn);
    const known = t.firstByteUs(slot);
    const record = t.recordOf(slot);
    t.end(slot);
    this.collector.ended(record, outcome, known < 0 ? firstByteUs : known, this.kernel.nowUs, bytes);
  }
}
