// The world's side of every agent's connections: a connection's life (connecting, open, closing after a
// graceful leave, dead, closed), what happens to it when its agent connects, requests, cancels or closes, when
// its node answers, sends, leaves or resets it, and the transfers in progress on it (each viewer's own
// transfers.ts). It ends every transfer once, with how it ended, and tells the agent what it would see on a
// real network (connected, refused, a sub-block, disconnected) through the kernel queue.
//
// Ids. Each agent numbers its connections from 0; the world gives each connection a global id, dense in the
// order connections are opened over all viewers (the network's connection id and the payload of this room's
// kernel events). In a single-agent world the global id is the agent's own id.
//
// Connection set-up costs one RTT in both network models; a request's sub-blocks become sendable one RTT (plus
// jitter) after the request; the RTT between a viewer and a node is the viewer's RTT to the core plus the
// node's (route.ts). An abrupt leave silently drops the node's transfers (the agent notices through its
// timeouts); a graceful leave lets the sub-block in flight finish, then disconnects with "peer-left".

import { assert } from "../../assert.ts";
import type { Content } from "../../agent/content.ts";
import type { AgentEvent, ConnId, SubBlockId } from "../../agent/ports.ts";
import type { Kernel } from "../kernel/kernel.ts";
import type { SubBlockOutcome } from "../metrics/records.ts";
import type { Network } from "../network/network.ts";
import type { SimNode } from "./nodes.ts";
import type { ScheduleFaults } from "./schedule.ts";
import type { Viewer } from "./viewer.ts";

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
  /** Swarm mode: a viewer node's "don't have" reaches the requester (payload: global conn, sub-block). */
  notHeld: number;
  /**
   * Swarm mode: a viewer node's `have` (payload: global conn, block) or `lost` (global conn, −block − 1)
   * reaches the requester.
   */
  have: number;
}

/** What the connections need from the rest of the world. */
export interface ConnectionHost {
  /** Hands the viewer's agent an event now (the world's only way in). */
  toAgent(viewer: Viewer, event: AgentEvent): void;
  /** The node's capacity changed (its last closing connection ended after it left). */
  refreshCapacity(node: SimNode): void;
  /** The network host of a node. */
  hostOf(node: SimNode): number;
  /** A viewer node is asked to take a connection: true when its serving side accepts it (a slot is taken). */
  acceptIncoming(node: SimNode): boolean;
  /** A connection a viewer node accepted ended: its slot is free. */
  releaseIncoming(node: SimNode): void;
  /** A viewer node is asked for a sub-block of `block`: true when it serves it (false: "don't have"). */
  serves(node: SimNode, block: number): boolean;
  /** The blocks a viewer node holds, ascending (what it tells a requester at connect time). */
  heldBlocks(node: SimNode): number[];
}

export class Connections {
  /** Per global connection id: its node, its state, its viewer, the agent's id for it and its RTT. */
  private readonly connNode: number[] = [];
  private readonly connState: ConnState[] = [];
  private readonly connViewer: number[] = [];
  private readonly connLocal: number[] = [];
  private readonly connRttUs: number[] = [];
  /** Scratch copy of a leaving node's connections. */
  private readonly connScratch: number[] = [];

  constructor(
    private readonly kernel: Kernel,
    private readonly kinds: ConnectionKinds,
    private readonly content: Content,
    private readonly nodes: readonly SimNode[],
    /** The world's viewers by index (read only). */
    private readonly viewers: readonly Viewer[],
    private readonly network: Network,
    /** The payload share of link capacities (the tcp model's efficiency; 1 for fluid). */
    private readonly efficiency: number,
    private readonly host: ConnectionHost,
    /** A schedule's fault windows (refused or unanswered connections, corrupt sub-blocks), if any. */
    private readonly faults: ScheduleFaults | null = null,
  ) {}

  /** Connections opened so far, over all viewers. */
  get count(): number {
    return this.connNode.length;
  }

  // ---- the agents' commands ------------------------------------------------------------------------------

  connect(viewer: Viewer, conn: ConnId, nodeId: number): void {
    const now = this.kernel.nowUs;
    assert(conn === viewer.connGlobal.length, "agent opened conn {0}, expected {1}", conn, viewer.connGlobal.length);
    const g = this.connNode.length;
    viewer.connGlobal.push(g);
    this.connNode.push(nodeId);
    this.connState.push(ConnState.Connecting);
    this.connViewer.push(viewer.index);
    this.connLocal.push(conn);
    const node = this.nodes[nodeId];
    assert(node !== undefined, "agent connected to unknown node {0} at {1} µs", nodeId, now);
    const rttUs = viewer.coreRttUs + node.rttUs;
    this.connRttUs.push(rttUs);
    if (!node.online) return; // nobody answers
    const f = node.failures;
    const u = f.connectRefusedP > 0 || f.connectTimeoutP > 0 ? node.rng("connect").next() : 1;
    // A schedule's window decides over the draw, which is made all the same (later draws stay where they were).
    const fault = this.faults === null ? null : this.faults.connectFault(node, now);
    if (fault === "ignore") return;
    if (fault === "refuse" || u < f.connectRefusedP) {
      this.kernel.after(rttUs, this.kinds.connectReply, g, 1);
    } else if (u >= f.connectRefusedP + f.connectTimeoutP) {
      this.kernel.after(rttUs, this.kinds.connectReply, g, 0);
    }
  }

  request(viewer: Viewer, conn: ConnId, ids: readonly SubBlockId[]): void {
    const g = viewer.connGlobal[conn];
    const nodeId = this.connNode[g];
    const node = this.nodes[nodeId];
    const now = this.kernel.nowUs;
    const state = this.connState[g];
    assert(state !== undefined && state !== ConnState.Connecting, "request on conn {0} before it connected", conn);
    const jitter = node.jitterUs > 0 ? Math.floor(node.rng("jitter").next() * (node.jitterUs + 1)) : 0;
    const readyAtUs = now + this.connRttUs[g] + jitter;
    const c = this.content;
    const rec = viewer.recorder;
    const sink = viewer.sink;
    const t = viewer.transfers;
    for (const sb of ids) {
      assert(c.isValid(sb), "request for sub-block {0} out of range", sb);
      const block = c.blockOf(sb);
      const sizeBytes = c.subBlockSize(sb);
      const record = rec !== null ? rec.collector.requested(sb, block, nodeId, node.kind, conn, now) : viewer.nextRecord++;
      if (!sink.hasStarted(block)) sink.start(block, () => this.openNodes(viewer));
      if (state !== ConnState.Open) {
        viewer.ended(rec !== null ? record : -1, node, "dropped", -1, now, 0); // sent into a connection that is gone
        continue;
      }
      assert(t.find(conn, sb) < 0, "sub-block {0} requested twice on conn {1}", sb, conn);
      if (node.kind === "viewer" && !this.host.serves(node, block)) {
        // "Don't have": the answer comes back after the request's round trip; no byte crosses.
        viewer.ended(rec !== null ? record : -1, node, "dropped", -1, now, 0);
        this.kernel.schedule(readyAtUs, this.kinds.notHeld, g, sb);
        continue;
      }
      t.open(conn, sb, record, rec !== null ? record : -1);
      this.network.send(g, sb, sizeBytes, readyAtUs);
    }
  }

  cancel(viewer: Viewer, conn: ConnId, ids: readonly SubBlockId[]): void {
    const g = viewer.connGlobal[conn];
    const t = viewer.transfers;
    const node = this.nodes[this.connNode[g]];
    for (const sb of ids) {
      const slot = t.find(conn, sb);
      if (slot < 0) continue; // already ended (dropped, or never sent)
      // Delivered by the network but not yet handed to the agent: it crossed the network in full.
      let firstByteUs = t.firstByteUs(slot);
      if (firstByteUs < 0 && this.network.inFlight(g) === sb) firstByteUs = this.network.headFirstByteUs(g);
      const bytes = t.deliveredUs(slot) >= 0 ? this.content.subBlockSize(sb) : this.network.cancel(g, sb);
      const entry = t.entryOf(slot);
      t.end(slot);
      viewer.ended(entry, node, "cancelled", firstByteUs, this.kernel.nowUs, bytes);
    }
  }

  close(viewer: Viewer, conn: ConnId): void {
    const g = viewer.connGlobal[conn];
    const state = this.connState[g];
    if (state === ConnState.Open || state === ConnState.Closing) this.kill(g, ConnState.Closed, "cancelled");
    else this.connState[g] = ConnState.Closed;
    // Transfers already delivered by the network but not yet handed over become cancelled.
    const t = viewer.transfers;
    const node = this.nodes[this.connNode[g]];
    for (let slot = t.firstOn(conn); slot >= 0; slot = t.firstOn(conn)) {
      const entry = t.entryOf(slot);
      const firstByteUs = t.firstByteUs(slot);
      const bytes = t.bytes(slot);
      t.end(slot);
      viewer.ended(entry, node, "cancelled", firstByteUs, this.kernel.nowUs, bytes);
    }
  }

  /**
   * The origin connection was parked (out of use between fallbacks) or put back in use: a parked connection is
   * no source of a block's bound; put back, it counts again from one RTT on, like a connection that just opened.
   */
  originInUse(viewer: Viewer, conn: ConnId, inUse: boolean): void {
    const g = viewer.connGlobal[conn];
    const rec = viewer.recorder;
    if (this.connState[g] !== ConnState.Open || rec === null) return;
    if (!inUse) {
      rec.openConns.delete(g);
    } else if (!rec.openConns.has(g)) {
      rec.openConns.add(g);
      const node = this.nodes[this.connNode[g]];
      rec.bounds.sourceOpened(this.kernel.nowUs, node.id, this.connRttUs[g], node.effectiveUplinkBps() * this.efficiency);
    }
  }

  // ---- what nodes do -------------------------------------------------------------------------------------

  /** The node goes away: a graceful leave lets each open connection's sub-block in flight finish. */
  nodeLeaves(node: SimNode, graceful: boolean): void {
    // A copy, in the same order (kill removes each from node.conns), in reused storage.
    const conns = this.connScratch;
    conns.length = 0;
    for (const g of node.conns) conns.push(g);
    for (const g of conns) {
      if (graceful && this.connState[g] === ConnState.Open) {
        this.connState[g] = ConnState.Closing;
        this.viewerOf(g).recorder?.openConns.delete(g);
        node.draining++;
        const inFlight = this.network.inFlight(g);
        for (const sb of this.network.queued(g)) {
          if (sb !== inFlight) this.endTransfer(g, sb, "dropped", this.network.cancel(g, sb));
        }
        if (inFlight < 0) {
          this.kill(g, ConnState.Closed, "dropped");
          this.kernel.schedule(this.kernel.nowUs, this.kinds.disconnect, g, Disconnect.PeerLeft);
        }
      } else {
        this.kill(g, ConnState.Dead, "dropped");
      }
    }
  }

  /** A mid-transfer connection reset on one of the node's sending connections, if any. */
  dropOne(node: SimNode): void {
    for (const g of node.conns) {
      if (this.connState[g] === ConnState.Open && this.network.inFlight(g) >= 0) {
        this.kill(g, ConnState.Closed, "dropped");
        this.kernel.schedule(this.kernel.nowUs, this.kinds.disconnect, g, Disconnect.Reset);
        return;
      }
    }
  }

  // ---- kernel events ---------------------------------------------------------------------------------------

  onConnectReply(g: number, refused: number): void {
    if (this.connState[g] !== ConnState.Connecting) return; // the agent gave up (closed) meanwhile
    const node = this.nodes[this.connNode[g]];
    if (!node.online) {
      this.connState[g] = ConnState.Dead; // left while we were connecting: no answer
      return;
    }
    const viewer = this.viewerOf(g);
    const conn = this.connLocal[g];
    if (refused === 1 || (node.kind === "viewer" && !this.host.acceptIncoming(node))) {
      this.connState[g] = ConnState.Closed;
      this.host.toAgent(viewer, { type: "connect-failed", connId: conn, reason: "refused" });
      return;
    }
    const now = this.kernel.nowUs;
    this.connState[g] = ConnState.Open;
    const rec = viewer.recorder;
    if (rec !== null) {
      rec.openConns.add(g);
      const rateBps = node.effectiveUplinkBps() * this.efficiency;
      rec.bounds.sourceOpened(now, node.id, this.connRttUs[g], rateBps);
      rec.throughput.sourceOpened(now, node.id, this.connRttUs[g], rateBps);
      rec.throughput.connectionsLive(++rec.liveConns);
    }
    node.conns.push(g);
    this.network.connect(g, this.host.hostOf(node), viewer.host, this.connRttUs[g]);
    // A viewer node says what it holds with its answer; seeding peers, servers and the origin hold everything.
    if (node.kind === "viewer") this.host.toAgent(viewer, { type: "holds", connId: conn, blocks: this.host.heldBlocks(node) });
    this.host.toAgent(viewer, { type: "connected", connId: conn });
  }

  /** The network delivered a sub-block's last byte: hand it over through the queue. */
  onDelivered(g: number, sb: SubBlockId, sizeBytes: number, firstByteUs: number): void {
    const now = this.kernel.nowUs;
    const viewer = this.viewerOf(g);
    const conn = this.connLocal[g];
    const t = viewer.transfers;
    const slot = t.find(conn, sb);
    assert(slot >= 0, "network delivered unrequested sub-block {0} on conn {1}", sb, conn);
    const node = this.nodes[this.connNode[g]];
    assert(node.online || this.connState[g] === ConnState.Closing, "dead node {0} sent data", node.label);
    t.setDelivered(slot, firstByteUs, now, sizeBytes);
    this.kernel.schedule(now, this.kinds.arrival, t.recordOf(slot), viewer.index);
    if (this.connState[g] === ConnState.Closing && this.network.queued(g).length === 0) {
      this.kernel.schedule(now, this.kinds.disconnect, g, Disconnect.Drained);
    }
  }

  /** A delivered sub-block reaches the agent (unless its transfer ended meanwhile), checked by its checksum. */
  onArrival(record: number, viewerIndex: number): void {
    const viewer = this.viewers[viewerIndex];
    const t = viewer.transfers;
    const slot = t.ofRecord(record);
    if (slot < 0) return; // cancelled after the network delivered it
    const conn = t.connOf(slot);
    const sb = t.subBlockOf(slot);
    const firstByteUs = t.firstByteUs(slot);
    const endUs = t.deliveredUs(slot);
    const bytes = t.bytes(slot);
    const entry = t.entryOf(slot);
    t.end(slot);
    const node = this.nodes[this.connNode[viewer.connGlobal[conn]]];
    const p = node.failures.corruptP;
    let checksumOk = !(p > 0 && node.rng("corrupt").next() < p);
    if (this.faults !== null && this.faults.corrupts(node, this.kernel.nowUs)) checksumOk = false;
    viewer.ended(entry, node, checksumOk ? viewer.sink.intact(sb) : "corrupt", firstByteUs, endUs, bytes);
    this.host.toAgent(viewer, { type: "sub-block", connId: conn, subBlockId: sb, sizeBytes: bytes, firstByteUs, checksumOk });
  }

  /** A viewer node's "don't have" for sub-block sb reaches the requester, if the connection is still open. */
  onNotHeld(g: number, sb: SubBlockId): void {
    const state = this.connState[g];
    if (state !== ConnState.Open && state !== ConnState.Closing) return;
    this.host.toAgent(this.viewerOf(g), { type: "not-held", connId: this.connLocal[g], subBlockId: sb });
  }

  /**
   * A viewer node stored `block` (and its cache evicted `evicted`): each requester connected to it hears of it
   * one way (half the RTT) later. O(its connections), which its upload slots bound.
   */
  nodeStored(node: SimNode, block: number, held: boolean, evicted: readonly number[]): void {
    for (const g of node.conns) {
      if (this.connState[g] !== ConnState.Open) continue;
      const oneWayUs = Math.floor(this.connRttUs[g] / 2);
      for (const b of evicted) this.kernel.after(oneWayUs, this.kinds.have, g, -b - 1);
      if (held) this.kernel.after(oneWayUs, this.kinds.have, g, block);
    }
  }

  /** A viewer node's `have` (block ≥ 0) or `lost` (−block − 1) reaches the requester, if the connection is still open. */
  onHave(g: number, signedBlock: number): void {
    const state = this.connState[g];
    if (state !== ConnState.Open && state !== ConnState.Closing) return;
    const connId = this.connLocal[g];
    const event: AgentEvent =
      signedBlock >= 0 ? { type: "have", connId, block: signedBlock } : { type: "lost", connId, block: -signedBlock - 1 };
    this.host.toAgent(this.viewerOf(g), event);
  }

  onDisconnect(g: number, why: number): void {
    if (why === Disconnect.Drained) {
      if (this.connState[g] !== ConnState.Closing) return;
      this.kill(g, ConnState.Closed, "dropped");
    } else if (this.connState[g] !== ConnState.Closed) {
      return;
    }
    const conn = this.connLocal[g];
    this.host.toAgent(this.viewerOf(g), { type: "disconnected", connId: conn, reason: why === Disconnect.Reset ? "reset" : "peer-left" });
  }

  /** The viewer left: each of its connections closes as if its agent closed it. */
  closeAll(viewer: Viewer): void {
    for (let conn = 0; conn < viewer.connGlobal.length; conn++) this.close(viewer, conn);
  }

  /** The run is over: every transfer still in progress ends as never needed (cancelled), with what it had. */
  endAll(): void {
    for (let g = 0; g < this.connNode.length; g++) {
      const viewer = this.viewerOf(g);
      const conn = this.connLocal[g];
      const t = viewer.transfers;
      const node = this.nodes[this.connNode[g]];
      for (let slot = t.firstOn(conn); slot >= 0; slot = t.firstOn(conn)) {
        const entry = t.entryOf(slot);
        const firstByteUs = t.firstByteUs(slot);
        const endUs = t.deliveredUs(slot);
        const bytes = t.bytes(slot);
        t.end(slot);
        viewer.ended(entry, node, "cancelled", firstByteUs, endUs, bytes);
      }
    }
  }

  /** The node a viewer's connection (its own id) talks to. */
  nodeOf(viewer: Viewer, conn: ConnId): number {
    return this.connNode[viewer.connGlobal[conn]];
  }

  // ---- internals -----------------------------------------------------------------------------------------

  private viewerOf(g: number): Viewer {
    return this.viewers[this.connViewer[g]];
  }

  /** The nodes of the viewer's open connections, in the order the connections opened (a node once per connection). */
  private openNodes(viewer: Viewer): SimNode[] {
    const out: SimNode[] = [];
    for (const g of viewer.recorder!.openConns) out.push(this.nodes[this.connNode[g]]);
    return out;
  }

  /** Takes a connection out of the network; its queued sub-blocks end with the given outcome. */
  private kill(g: number, state: ConnState, outcome: "dropped" | "cancelled"): void {
    const was = this.connState[g];
    this.connState[g] = state;
    const rec = this.viewerOf(g).recorder;
    rec?.openConns.delete(g);
    if (was === ConnState.Open || was === ConnState.Closing) {
      if (rec !== null) rec.throughput.connectionsLive(--rec.liveConns);
      const head = this.network.inFlight(g); // the sub-block whose bytes were flowing, if any
      const headFirstByteUs = this.network.headFirstByteUs(g);
      for (const [sb, bytes] of this.network.closeConnection(g)) {
        this.endTransfer(g, sb, outcome, bytes, sb === head ? headFirstByteUs : -1);
      }
      const node = this.nodes[this.connNode[g]];
      node.conns.splice(node.conns.indexOf(g), 1);
      if (node.kind === "viewer") this.host.releaseIncoming(node);
      if (was === ConnState.Closing && --node.draining === 0 && !node.online) this.host.refreshCapacity(node);
    }
  }

  /** Ends a transfer cut short; firstByteUs: when its first byte arrived (-1: none did, or it knows better). */
  private endTransfer(g: number, sb: SubBlockId, outcome: SubBlockOutcome, bytes: number, firstByteUs = -1): void {
    const viewer = this.viewerOf(g);
    const conn = this.connLocal[g];
    const t = viewer.transfers;
    const slot = t.find(conn, sb);
    assert(slot >= 0, "no transfer of sub-block {0} on conn {1}", sb, conn);
    const known = t.firstByteUs(slot);
    const entry = t.entryOf(slot);
    t.end(slot);
    viewer.ended(entry, this.nodes[this.connNode[g]], outcome, known < 0 ? firstByteUs : known, this.kernel.nowUs, bytes);
  }
}
