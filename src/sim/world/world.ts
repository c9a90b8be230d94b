// The simulated world one agent runs in: builds nodes, network, tracker and player from a scenario and a seed,
// implements the agent's ports (clock, transport, tracker client, block sink, oracle, observer), drives node
// dynamics (churn, arrivals, failures, capacity traces) and records what happened. Every agent event goes
// through the kernel queue, so the agent is never re-entered from inside the network.
//
// Connection set-up costs one RTT in both network models; a request's sub-blocks become sendable one RTT (plus
// jitter) after the request. An abrupt leave silently drops the node's transfers (the agent notices through its
// timeouts); a graceful leave lets the sub-block in flight finish, then disconnects with "peer-left".

import { Agent, createStrategy, StrategyError } from "../../agent/index.ts";
import type { AgentConfig } from "../../agent/config.ts";
import type { Strategy } from "../../agent/strategy.ts";
import type {
  AgentEvent,
  AgentObserver,
  BlockSink,
  Clock,
  NodeInfo,
  Oracle,
  TrackerClient,
  Transport,
} from "../../agent/ports.ts";
import type { LoadedScenario } from "../../scenario/load.ts";
import type { Scenario } from "../../scenario/schema.ts";
import { invariant, Kernel, SimError } from "../kernel/kernel.ts";
import { Collector, type LiveSubBlock } from "../metrics/collector.ts";
import { BlockBounds, DOWNLINK, type SplitProbe } from "../metrics/block-bound.ts";
import type { RunResult } from "../metrics/records.ts";
import { ThroughputBound } from "../metrics/throughput-bound.ts";
import { Network } from "../network/network.ts";
import { Player } from "../player.ts";
import { RandomStreams } from "../random/streams.ts";
import { Dynamics } from "./dynamics.ts";
import { drawNode, originNode, type SimNode } from "./nodes.ts";
import { Tracker } from "./tracker.ts";


/**
 * Throws what invariant() throws when its condition fails. Hot paths test the condition themselves and call this,
 * so the message (a template) is only built on failure and no closure is allocated per call.
 */
function broken(message: string, timeUs: number): never {
  throw new SimError("invariant", message, timeUs);
}

const enum ConnState {
  Connecting = 0,
  Open = 1,
  /** Graceful leave: the in-flight sub-block finishes, then "peer-left". */
  Closing = 2,
  /** Gone without telling the agent (abrupt leave, or the node never answered). */
  Dead = 3,
  Closed = 4,
}

export interface WorldOptions {
  readonly strategy: string;
  readonly seed: number;
  readonly recordEvents?: boolean;
  /** Builds the strategy; defaults to the agent's registry. Lets users plug in strategies of their own. */
  readonly strategyFactory?: (name: string) => Strategy;
  /** Watches what the blocks' split bounds cost (benchmarks, tests); changes no value. */
  readonly splitProbe?: SplitProbe;
}

export function agentConfigFor(s: Scenario, originNodeId: number | null): AgentConfig {
  const a = s.agent;
  return {
    content: { sizeBytes: s.content.size_bytes, blockBytes: s.content.block_bytes, subBlockBytes: s.content.sub_block_bytes },
    bitrateBps: s.content.bitrate_bps,
    maxConnections: a.max_connections,
    trackerListSize: s.tracker.list_size,
    trackerRefreshUs: Math.round(a.tracker_refresh_ms * 1000),
    connectTimeoutUs: Math.round(a.connect_timeout_ms * 1000),
    blacklistUs: Math.round(a.blacklist_ms * 1000),
    requestTimeoutMinUs: Math.round(a.request_timeout_min_ms * 1000),
    requestTimeoutFactor: a.request_timeout_factor,
    ewmaAlpha: a.ewma_alpha,
    index: { speedWeight: a.index_weights.speed, rttWeight: a.index_weights.rtt },
    originNodeId,
    fallback: {
      whenNoPeers: a.fallback.when_no_peers,
      deadlineMarginUs: Math.round(a.fallback.deadline_margin_s * 1e6),
    },
    startupBufferUs: Math.round(s.content.startup_buffer_s * 1e6),
  };
}

export class World {
  readonly kernel: Kernel;
  readonly streams: RandomStreams;
  readonly nodes: SimNode[] = [];
  readonly network: Network;
  readonly tracker: Tracker;
  readonly collector: Collector;
  readonly player: Player;
  readonly agent: Agent;
  readonly dynamics: Dynamics;
  private readonly s: Scenario;
  private readonly efficiency: number;
  private downlinkBps: number;

  // Connections, indexed by connId.
  private readonly connNode: number[] = [];
  private readonly connState: ConnState[] = [];
  /** Scratch copy of a leaving node's connections. */
  private readonly connScratch: number[] = [];
  /** Connections in state Open, for the sources of a block's lower bound. */
  private readonly openConns = new Set<number>();
  /** Per connection, its live records (sent, not yet ended or handed to the agent): indexes in collector.subBlocks. */
  private readonly liveRecords: number[][] = [];
  // Timers.
  private nextTimerId = 1;
  /**
   * Per timer id, 1 once cancelled and not yet fired. Ids are dense from 1, so a byte array (doubled when full)
   * replaces a Set: ~100k timers are cancelled per run of a large scenario, without hashing or rehashing.
   */
  private cancelledTimers = new Uint8Array(1024);
  /** Cancelled ids that were never handed out (an agent bug), kept as a Set had them. */
  private readonly cancelledUnknownTimers = new Set<number>();
  // Tracker replies waiting for their event.
  private nextReplyId = 0;
  private readonly replies = new Map<number, NodeInfo[]>();
  // Content.
  private readonly subBlocksPerBlock: number;
  private readonly subBlockCount: number;
  private readonly blockCount: number;
  private readonly okDelivered: Uint8Array;
  private nextBlock = 0;
  /** T* and T_g of each block, from the capacities its sources had while it downloaded. */
  private readonly bounds: BlockBounds;
  /** The run-level throughput bound, from the nodes connected and the most connections live at once. */
  private readonly throughput: ThroughputBound;
  /** Connections open or closing gracefully (they can still deliver). */
  private liveConns = 0;
  /** Per node, the last block (+1) whose T* counted it: each node is one source of a block's bound. */
  private readonly nodeStamp: number[] = [];
  private completionUs = -1;
  private onlinePeers = 0;

  // Event kinds (registered in this order: ids enter the fingerprint).
  private readonly K_START: number;
  private readonly K_TIMER: number;
  private readonly K_CONNECT_REPLY: number;
  private readonly K_ARRIVAL: number;
  private readonly K_DISCONNECT: number;
  private readonly K_TRACKER_REPLY: number;

  constructor(
    readonly loaded: LoadedScenario,
    readonly options: WorldOptions,
  ) {
    const s = loaded.scenario;
    this.s = s;
    this.kernel = new Kernel(
      {
        endTimeUs: Math.round(s.limits.sim_time_s * 1e6),
        maxEvents: s.limits.max_events,
        maxEventsPerTimestamp: s.limits.max_events_per_timestamp,
      },
      options.recordEvents ?? false,
    );
    this.streams = new RandomStreams(options.seed);
    const k = this.kernel;
    this.K_START = k.registerKind("agent-start", () => this.toAgent(null));
    this.K_TIMER = k.registerKind("agent-timer", (id) => this.onTimer(id));
    this.K_CONNECT_REPLY = k.registerKind("connect-reply", (conn, refused) => this.onConnectReply(conn, refused));
    this.K_ARRIVAL = k.registerKind("sub-block-arrival", (idx) => this.onArrival(idx));
    this.K_DISCONNECT = k.registerKind("disconnect", (conn, reset) => this.onDisconnect(conn, reset));
    this.K_TRACKER_REPLY = k.registerKind("tracker-reply", (id) => this.onTrackerReply(id));

    const { size_bytes, block_bytes, sub_block_bytes } = s.content;
    this.subBlocksPerBlock = Math.ceil(block_bytes / sub_block_bytes);
    this.blockCount = Math.ceil(size_bytes / block_bytes);
    const lastBlockBytes = size_bytes - (this.blockCount - 1) * block_bytes;
    this.subBlockCount = (this.blockCount - 1) * this.subBlocksPerBlock + Math.ceil(lastBlockBytes / sub_block_bytes);
    this.okDelivered = new Uint8Array(this.blockCount * this.subBlocksPerBlock);
    this.bounds = new BlockBounds(sub_block_bytes, options.splitProbe);
    this.throughput = new ThroughputBound(s.agent.downlink_bps * (s.network.model === "tcp" ? s.network.efficiency : 1));

    this.efficiency = s.network.model === "tcp" ? s.network.efficiency : 1;
    this.downlinkBps = s.agent.downlink_bps;
    this.network = new Network(
      k,
      {
        model: s.network.model,
        downlinkBps: s.agent.downlink_bps,
        efficiency: this.efficiency,
        initialWindowBytes: s.network.initial_window_segments * s.network.mss_bytes,
        receiveWindowBytes: s.network.receive_window_bytes,
        idleRestartUs: Math.round(s.network.idle_restart_ms * 1000),
      },
      { onSubBlockDelivered: (conn, sb, size, firstByteUs) => this.onDelivered(conn, sb, size, firstByteUs) },
    );
    this.collector = new Collector(this.blockCount);
    this.player = new Player(s.content.bitrate_bps, Math.round(s.content.startup_buffer_s * 1e6), size_bytes);

    // Nodes: origin, then servers, then peers; arrivals are appended as they come.
    let originId: number | null = null;
    if (s.origin !== null) {
      originId = this.addNode(originNode(this.streams, 0, s.origin));
    }
    s.servers.forEach((g, gi) => {
      for (let i = 0; i < g.count; i++) {
        this.addNode(drawNode(this.streams, this.nodes.length, "server", `servers[${gi}]#${i}`, `servers/${gi}/${i}`, g));
      }
    });
    this.tracker = new Tracker(this.streams, s.tracker, this.nodes);
    for (const n of this.nodes) if (n.kind === "server") this.tracker.join(n.id);
    this.dynamics = new Dynamics(this);
    s.peers.forEach((g, gi) => {
      for (let i = 0; i < g.count; i++) this.addPeer(gi, `peers/${gi}/${i}`, `peers[${gi}]#${i}`);
    });
    this.dynamics.start();

    const agentConfig = agentConfigFor(s, originId);
    this.agent = new Agent(
      agentConfig,
      {
        clock: this.clock,
        transport: this.transport,
        tracker: this.trackerClient,
        sink: this.sink,
        oracle: this.oracle,
        observer: this.observer,
      },
      (options.strategyFactory ?? createStrategy)(options.strategy),
    );
    k.schedule(0, this.K_START);
  }

  // ---- node life -------------------------------------------------------------------------------------------

  private addNode(node: SimNode): number {
    invariant(node.id === this.nodes.length, "node ids are dense");
    this.nodes.push(node);
    this.nodeStamp.push(0);
    this.network.addNode(node.id, node.uplinkBps * (1 - node.load) / (1 + node.connectedUsers), node.rttUs);
    return node.id;
  }

  /** Creates a peer of group gi (at start or on arrival), online, and starts its dynamics. */
  addPeer(gi: number, streamPrefix: string, label: string): SimNode {
    const node = drawNode(this.streams, this.nodes.length, "peer", label, streamPrefix, this.s.peers[gi]);
    this.addNode(node);
    this.tracker.join(node.id);
    this.peersChanged(+1);
    this.dynamics.startNode(node, this.s.peers[gi]);
    return node;
  }

  /** Records the number of peers online after a peer joined (+1) or left (-1). */
  peersChanged(delta: number): void {
    this.onlinePeers += delta;
    this.collector.peersOnlineChanged(this.kernel.nowUs, this.onlinePeers);
  }

  /** Pushes a node's effective capacity into the network after any change of its state. */
  refreshCapacity(node: SimNode): void {
    // A node that left gracefully still sends the sub-blocks in flight on its closing connections.
    const f = node.online || node.draining > 0 ? node.stallFactor * node.slowFactor : 0;
    const uplinkBps = (node.uplinkBps * (1 - node.load)) / (1 + node.connectedUsers);
    this.network.setNodeUplink(node.id, uplinkBps);
    this.network.setNodeFactor(node.id, f);
    this.bounds.capacityChanged(this.kernel.nowUs, node.id, uplinkBps * f * this.efficiency);
    this.throughput.capacityChanged(this.kernel.nowUs, node.id, uplinkBps * f * this.efficiency);
  }

  setNodeUplink(node: SimNode, bps: number): void {
    node.prevUplinkBps = node.uplinkBps;
    node.uplinkChangedUs = this.kernel.nowUs;
    node.uplinkBps = bps;
    this.refreshCapacity(node);
  }

  setDownlink(bps: number): void {
    this.downlinkBps = bps;
    this.network.setDownlink(bps);
    this.bounds.capacityChanged(this.kernel.nowUs, DOWNLINK, bps * this.efficiency);
    this.throughput.capacityChanged(this.kernel.nowUs, DOWNLINK, bps * this.efficiency);
  }

  /** The node goes offline. A dead node sends nothing from here on. */
  nodeLeaves(node: SimNode, graceful: boolean): void {
    if (!node.online) return;
    // A copy, in the same order (killConnection removes each from node.conns), in reused storage.
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
          if (sb !== inFlight) this.endLive(conn, sb, "dropped", this.network.cancel(conn, sb));
        }
        if (inFlight < 0) this.finishGracefulClose(conn);
      } else {
        this.killConnection(conn, ConnState.Dead, "dropped");
      }
    }
    node.online = false;
    this.tracker.leave(node.id);
    this.refreshCapacity(node);
    if (node.kind === "peer") this.peersChanged(-1);
  }

  nodeJoins(node: SimNode): void {
    if (node.online) return;
    node.online = true;
    this.tracker.join(node.id);
    this.refreshCapacity(node);
    if (node.kind === "peer") this.peersChanged(+1);
  }

  /** A mid-transfer connection reset on one of the node's sending connections, if any. */
  dropOneTransfer(node: SimNode): void {
    if (!node.online) return;
    for (const conn of node.conns) {
      if (this.connState[conn] === ConnState.Open && this.network.inFlight(conn) >= 0) {
        this.killConnection(conn, ConnState.Closed, "dropped");
        this.kernel.schedule(this.kernel.nowUs, this.K_DISCONNECT, conn, 1);
        return;
      }
    }
  }

  private finishGracefulClose(conn: number): void {
    this.killConnection(conn, ConnState.Closed, "dropped");
    this.kernel.schedule(this.kernel.nowUs, this.K_DISCONNECT, conn, 0);
  }

  /** Takes a connection out of the network; its queued sub-blocks end with the given outcome. */
  private killConnection(conn: number, state: ConnState, outcome: "dropped" | "cancelled"): void {
    const was = this.connState[conn];
    this.connState[conn] = state;
    this.openConns.delete(conn);
    if (was === ConnState.Open || was === ConnState.Closing) {
      this.throughput.connectionsLive(--this.liveConns);
      const head = this.network.inFlight(conn); // the sub-block whose bytes were flowing, if any
      const headFirstByteUs = this.network.headFirstByteUs(conn);
      for (const [sb, bytes] of this.network.closeConnection(conn)) {
        this.endLive(conn, sb, outcome, bytes, sb === head ? headFirstByteUs : -1);
      }
      const node = this.nodes[this.connNode[conn]];
      node.conns.splice(node.conns.indexOf(conn), 1);
      if (was === ConnState.Closing && --node.draining === 0 && !node.online) this.refreshCapacity(node);
    }
  }

  /** Index of the live record of sub-block sb on conn, or -1. */
  private liveRecord(conn: number, sb: number): number {
    const list = this.liveRecords[conn];
    for (let i = 0; i < list.length; i++) if (this.collector.subBlocks[list[i]].subBlockId === sb) return list[i];
    return -1;
  }

  /** The record is no longer live (order within a connection's list does not matter). */
  private unlive(conn: number, idx: number): void {
    const list = this.liveRecords[conn];
    const i = list.indexOf(idx);
    if (i < 0) broken(`record ${idx} is not live on conn ${conn}`, this.kernel.nowUs);
    list[i] = list[list.length - 1];
    list.pop();
  }

  /** Ends a live record cut short; firstByteUs: when its first byte arrived (-1: none did). */
  private endLive(conn: number, sb: number, outcome: "dropped" | "cancelled", bytes: number, firstByteUs = -1): void {
    const idx = this.liveRecord(conn, sb);
    if (idx < 0) broken(`no record for sub-block ${sb} on conn ${conn}`, this.kernel.nowUs);
    this.unlive(conn, idx);
    const rec = this.collector.subBlocks[idx];
    if (rec.outcome !== "pending") return;
    if (rec.firstByteUs < 0) rec.firstByteUs = firstByteUs;
    this.collector.end(rec, outcome, this.kernel.nowUs, bytes);
  }

  // ---- the agent's ports -----------------------------------------------------------------------------------

  private readonly clock: Clock = {
    nowUs: () => this.kernel.nowUs,
    setTimer: (delayUs) => {
      const id = this.nextTimerId++;
      if (id >= this.cancelledTimers.length) {
        const grown = new Uint8Array(this.cancelledTimers.length * 2);
        grown.set(this.cancelledTimers);
        this.cancelledTimers = grown;
      }
      this.kernel.after(delayUs, this.K_TIMER, id);
      return id;
    },
    cancelTimer: (id) => {
      if (Number.isInteger(id) && id >= 1 && id < this.nextTimerId) this.cancelledTimers[id] = 1;
      else this.cancelledUnknownTimers.add(id);
    },
  };

  private readonly transport: Transport = {
    connect: (nodeId) => {
      const conn = this.connNode.length;
      this.connNode.push(nodeId);
      this.connState.push(ConnState.Connecting);
      this.liveRecords.push([]);
      const node = this.nodes[nodeId];
      if (node === undefined) broken(`agent connected to unknown node ${nodeId}`, this.kernel.nowUs);
      if (!node.online) return conn; // nobody answers
      const f = node.failures;
      const u = f.connect_refused_p > 0 || f.connect_timeout_p > 0 ? node.rng("connect").next() : 1;
      if (u < f.connect_refused_p) {
        this.kernel.after(node.rttUs, this.K_CONNECT_REPLY, conn, 1);
      } else if (u >= f.connect_refused_p + f.connect_timeout_p) {
        this.kernel.after(node.rttUs, this.K_CONNECT_REPLY, conn, 0);
      }
      return conn;
    },
    request: (conn, ids) => {
      const nodeId = this.connNode[conn];
      const node = this.nodes[nodeId];
      const now = this.kernel.nowUs;
      const state = this.connState[conn];
      if (state === undefined || state === ConnState.Connecting) broken(`request on conn ${conn} before it connected`, now);
      const jitter = node.jitterUs > 0 ? Math.floor(node.rng("jitter").next() * (node.jitterUs + 1)) : 0;
      const readyAtUs = now + node.rttUs + jitter;
      for (const sb of ids) {
        if (!(sb >= 0 && sb < this.subBlockCount)) broken(`request for sub-block ${sb} out of range`, now);
        const block = Math.floor(sb / this.subBlocksPerBlock);
        const sizeBytes = this.subBlockSize(sb);
        const rec: LiveSubBlock = {
          subBlockId: sb,
          block,
          nodeId,
          nodeKind: node.kind,
          connId: conn,
          requestUs: now,
          firstByteUs: -1,
          endUs: -1,
          bytes: 0,
          outcome: "pending",
        };
        this.collector.subBlocks.push(rec);
        this.blockStarted(block);
        if (state !== ConnState.Open) {
          this.collector.end(rec, "dropped", now, 0); // sent into a connection that is gone
          continue;
        }
        if (this.liveRecord(conn, sb) >= 0) broken(`sub-block ${sb} requested twice on conn ${conn}`, now);
        this.liveRecords[conn].push(this.collector.subBlocks.length - 1);
        this.network.send(conn, sb, sizeBytes, readyAtUs);
      }
    },
    cancel: (conn, ids) => {
      for (const sb of ids) {
        const idx = this.liveRecord(conn, sb);
        if (idx < 0) continue; // already ended (dropped, or never sent)
        const rec = this.collector.subBlocks[idx];
        // Delivered by the network but not yet handed to the agent: it crossed the network in full.
        if (rec.firstByteUs < 0 && this.network.inFlight(conn) === sb) rec.firstByteUs = this.network.headFirstByteUs(conn);
        const bytes = rec.endUs >= 0 ? this.subBlockSize(sb) : this.network.cancel(conn, sb);
        this.unlive(conn, idx);
        this.collector.end(rec, "cancelled", this.kernel.nowUs, bytes);
      }
    },
    close: (conn) => {
      const state = this.connState[conn];
      if (state === ConnState.Open || state === ConnState.Closing) this.killConnection(conn, ConnState.Closed, "cancelled");
      else this.connState[conn] = ConnState.Closed;
      // Records already delivered by the network but not yet handed over become cancelled.
      const live = this.liveRecords[conn];
      for (const idx of live) {
        const rec = this.collector.subBlocks[idx];
        if (rec.outcome === "pending") this.collector.end(rec, "cancelled", this.kernel.nowUs, rec.bytes);
      }
      live.length = 0;
    },
  };

  private readonly trackerClient: TrackerClient = {
    requestNodes: (maxNodes) => {
      const id = this.nextReplyId++;
      this.replies.set(id, this.tracker.list(maxNodes, this.kernel.nowUs));
      this.kernel.after(this.s.tracker.rtt_ms * 1000, this.K_TRACKER_REPLY, id);
    },
    announce: () => {},
  };

  private readonly sink: BlockSink = {
    deliverBlock: (block, sizeBytes) => {
      const now = this.kernel.nowUs;
      if (block !== this.nextBlock) broken(`block ${block} delivered, expected block ${this.nextBlock}`, now);
      if (sizeBytes !== this.blockSize(block)) broken(`block ${block} delivered with ${sizeBytes} bytes`, now);
      const first = block * this.subBlocksPerBlock;
      const count = this.subBlocksIn(block);
      for (let i = 0; i < count; i++) {
        if (this.okDelivered[first + i] !== 1) broken(`block ${block} delivered without an intact sub-block ${first + i}`, now);
      }
      this.nextBlock++;
      const b = this.collector.blocks[block];
      b.endUs = now;
      b.bytes = sizeBytes;
      const t = this.bounds.blockEnded(block);
      b.tStarUs = Number.isFinite(t.tStarUs) ? t.tStarUs : 0;
      b.tGUs = Number.isFinite(t.tGUs) ? t.tGUs : 0;
      this.player.deliver(now, sizeBytes);
      if (this.nextBlock === this.blockCount) {
        this.completionUs = now;
        this.kernel.stop();
      }
    },
  };

  private readonly oracle: Oracle = {
    trueUplinkBps: (nodeId) => (this.nodes[nodeId]?.effectiveUplinkBps() ?? 0) * this.efficiency,
    trueRttUs: (nodeId) => this.nodes[nodeId]?.rttUs ?? 0,
    downlinkBps: () => this.downlinkBps * this.efficiency,
  };

  private readonly observer: AgentObserver = {
    rebalance: (timeUs, fromConn, toConn, movedCount) => {
      this.collector.rebalances.push({ timeUs, fromConn, toConn, movedCount });
    },
    blacklisted: () => {
      this.collector.blacklisted++;
    },
  };

  // ---- events ----------------------------------------------------------------------------------------------

  private toAgent(event: AgentEvent | null): void {
    try {
      if (event === null) this.agent.start();
      else this.agent.handle(event);
    } catch (e) {
      if (e instanceof StrategyError) {
        throw new SimError("strategy", e.message, this.kernel.nowUs);
      }
      throw e;
    }
  }

  private onTimer(id: number): void {
    if (this.cancelledTimers[id] === 1) {
      this.cancelledTimers[id] = 0;
      return;
    }
    if (this.cancelledUnknownTimers.size > 0 && this.cancelledUnknownTimers.delete(id)) return;
    this.toAgent({ type: "timer", timerId: id });
  }

  private onConnectReply(conn: number, refused: number): void {
    if (this.connState[conn] !== ConnState.Connecting) return; // the agent gave up (closed) meanwhile
    const node = this.nodes[this.connNode[conn]];
    if (!node.online) {
      this.connState[conn] = ConnState.Dead; // left while we were connecting: no answer
      return;
    }
    if (refused === 1) {
      this.connState[conn] = ConnState.Closed;
      this.toAgent({ type: "connect-failed", connId: conn, reason: "refused" });
      return;
    }
    this.connState[conn] = ConnState.Open;
    this.openConns.add(conn);
    this.bounds.sourceOpened(this.kernel.nowUs, node.id, node.rttUs, node.effectiveUplinkBps() * this.efficiency);
    this.throughput.sourceOpened(this.kernel.nowUs, node.id, node.rttUs, node.effectiveUplinkBps() * this.efficiency);
    this.throughput.connectionsLive(++this.liveConns);
    node.conns.push(conn);
    this.network.openConnection(conn, node.id);
    this.toAgent({ type: "connected", connId: conn });
  }

  /** The network delivered a sub-block's last byte: hand it over through the queue. */
  private onDelivered(conn: number, sb: number, sizeBytes: number, firstByteUs: number): void {
    const idx = this.liveRecord(conn, sb);
    if (idx < 0) broken(`network delivered unrequested sub-block ${sb} on conn ${conn}`, this.kernel.nowUs);
    const node = this.nodes[this.connNode[conn]];
    if (!node.online && this.connState[conn] !== ConnState.Closing) broken(`dead node ${node.label} sent data`, this.kernel.nowUs);
    const rec = this.collector.subBlocks[idx];
    rec.firstByteUs = firstByteUs;
    rec.endUs = this.kernel.nowUs;
    rec.bytes = sizeBytes;
    this.kernel.schedule(this.kernel.nowUs, this.K_ARRIVAL, idx);
    if (this.connState[conn] === ConnState.Closing && this.network.queued(conn).length === 0) {
      this.kernel.schedule(this.kernel.nowUs, this.K_DISCONNECT, conn, 2);
    }
  }

  private onArrival(idx: number): void {
    const rec = this.collector.subBlocks[idx];
    if (rec.outcome !== "pending") return; // cancelled after the network delivered it
    const conn = rec.connId;
    this.unlive(conn, idx);
    const node = this.nodes[rec.nodeId];
    const p = node.failures.corrupt_p;
    const checksumOk = !(p > 0 && node.rng("corrupt").next() < p);
    const sb = rec.subBlockId;
    let outcome: "ok" | "corrupt" | "duplicate" = "corrupt";
    if (checksumOk) {
      outcome = this.okDelivered[sb] === 1 ? "duplicate" : "ok";
      this.okDelivered[sb] = 1;
    }
    rec.outcome = outcome;
    this.toAgent({ type: "sub-block", connId: conn, subBlockId: sb, sizeBytes: rec.bytes, firstByteUs: rec.firstByteUs, checksumOk });
  }

  private onDisconnect(conn: number, code: number): void {
    if (code === 2) {
      // Graceful close after the last in-flight sub-block.
      if (this.connState[conn] !== ConnState.Closing) return;
      this.killConnection(conn, ConnState.Closed, "dropped");
    } else if (this.connState[conn] !== ConnState.Closed) {
      return;
    }
    this.toAgent({ type: "disconnected", connId: conn, reason: code === 1 ? "reset" : "peer-left" });
  }

  private onTrackerReply(id: number): void {
    const nodes = this.replies.get(id)!;
    this.replies.delete(id);
    this.toAgent({ type: "tracker-nodes", nodes });
  }

  // ---- content and lower bound -----------------------------------------------------------------------------

  private blockSize(block: number): number {
    const { size_bytes, block_bytes } = this.s.content;
    return Math.min(block_bytes, size_bytes - block * block_bytes);
  }

  private subBlocksIn(block: number): number {
    return Math.ceil(this.blockSize(block) / this.s.content.sub_block_bytes);
  }

  private subBlockSize(sb: number): number {
    const block = Math.floor(sb / this.subBlocksPerBlock);
    const i = sb - block * this.subBlocksPerBlock;
    const sub = this.s.content.sub_block_bytes;
    return Math.min(sub, this.blockSize(block) - i * sub);
  }

  /** The first request of a block: start its clock and compute T* from the connected nodes' true capacity. */
  private blockStarted(block: number): void {
    const b = this.collector.blocks[block];
    if (b.startUs >= 0) return;
    b.startUs = this.kernel.nowUs;
    // Each node counts once (marked with the block's stamp); the order of the sources does not matter: the
    // bound sorts them by (delay, rate).
    const stamp = block + 1;
    const nodes: number[] = [];
    const delays: number[] = [];
    const rates: number[] = [];
    for (const conn of this.openConns) {
      const node = this.nodes[this.connNode[conn]];
      if (this.nodeStamp[node.id] === stamp) continue;
      this.nodeStamp[node.id] = stamp;
      nodes.push(node.id);
      delays.push(node.rttUs);
      rates.push(node.effectiveUplinkBps() * this.efficiency);
    }
    const t = this.bounds.blockStarted(block, b.startUs, this.blockSize(block), nodes, delays, rates, this.downlinkBps * this.efficiency);
    b.tStarUs = Number.isFinite(t) ? t : 0;
  }

  // ---- run -------------------------------------------------------------------------------------------------

  run(wallClock: () => number): RunResult {
    let error: string | null = null;
    try {
      this.kernel.run(wallClock);
      // completionUs is set when the last block reaches the player, and only then.
      if (this.completionUs < 0) {
        throw new SimError("invariant", "no events left but the download is incomplete", this.kernel.nowUs);
      }
    } catch (e) {
      if (!(e instanceof SimError)) throw e;
      error = `${e.code}: ${e.message} (strategy ${this.options.strategy}, t=${(e.timeUs / 1e6).toFixed(6)} s)`;
    }
    const player = this.player.report();
    const completionUs = this.completionUs >= 0 ? this.completionUs : this.kernel.nowUs;
    const stats = this.agent.stats();
    const done = this.collector.finish(
      completionUs,
      this.s.content.size_bytes,
      stats,
      this.kernel.eventsProcessed,
      this.kernel.peakQueueLength,
      this.kernel.fingerprint(),
      player,
      this.throughput.boundUs(this.s.content.size_bytes),
    );
    return {
      scenario: this.s.name,
      strategy: this.options.strategy,
      seed: this.options.seed,
      error,
      metrics: done.metrics,
      blocks: done.blocks,
      subBlocks: done.subBlocks,
      rebalances: this.collector.rebalances,
      bufferSeries: player.bufferSeries,
      stalls: player.stalls,
      peersOnlineSeries: this.collector.peersOnline(),
      wall: { simMs: this.kernel.wallMs },
    };
  }
}
