// The simulated world one agent runs in, and the wiring of its rooms: it builds the nodes, network, tracker,
// player and metrics from a SimConfig and a seed, runs node dynamics (dynamics.ts) on the nodes' lives, and
// drives the agent through its boundary: each input is handed over at the kernel's time, then the agent's
// commands are executed in the order it queued them, by the room each belongs to (timers: agent-timers.ts;
// connections, requests, cancels, closes: connections.ts; blocks: block-sink.ts; the tracker and the notes
// here). Every agent event goes through the kernel queue, so the agent is never re-entered from inside the
// network. Its strategy gets the oracle (true capacities) when it is created.

import { AssertionError, assert } from "../../assert.ts";
import { Agent, createStrategy, StrategyError } from "../../agent/index.ts";
import type { AgentConfig } from "../../agent/config.ts";
import { Content } from "../../agent/content.ts";
import type { AgentCommand, AgentEvent, AgentNote, NodeInfo } from "../../agent/ports.ts";
import type { Oracle, Strategy, StrategyEnv } from "../../agent/strategy.ts";
import type { SimConfig } from "../config.ts";
import { Kernel, SimError } from "../kernel/kernel.ts";
import { BlockBounds, DOWNLINK, type SplitProbe } from "../metrics/block-bound.ts";
import { Collector } from "../metrics/collector.ts";
import type { RunResult, TimeoutRecord } from "../metrics/records.ts";
import { ThroughputBound } from "../metrics/throughput-bound.ts";
import { Network } from "../network/network.ts";
import { Player } from "../player.ts";
import { RandomStreams } from "../random/streams.ts";
import { AgentTimers } from "./agent-timers.ts";
import { BlockSink } from "./block-sink.ts";
import { Connections } from "./connections.ts";
import { Dynamics, type DynamicsHost, type WorldDynamics } from "./dynamics.ts";
import { drawNode, originNode, type SimNode } from "./nodes.ts";
import { hasNodeEvents, ScheduleDynamics, ScheduleFaults } from "./schedule.ts";
import { type DynamicsObserver, observedHost, ScheduleRecorder } from "./schedule-record.ts";
import { Tracker } from "./tracker.ts";
import { WorldTrace } from "./trace.ts";

export interface WorldOptions {
  readonly strategy: string;
  readonly seed: number;
  readonly recordEvents?: boolean;
  /**
   * Builds the strategy with what the simulator offers strategies (the oracle); defaults to the agent's
   * registry. Lets users plug in strategies of their own.
   */
  readonly strategyFactory?: (name: string, env: StrategyEnv) => Strategy;
  /** Watches what the blocks' split bounds cost (benchmarks, tests); changes no value. */
  readonly splitProbe?: SplitProbe;
  /** Keep a trace (trace.ts): the world's named events and every decision of the agent. Changes nothing. */
  readonly trace?: boolean;
  /** Record the node events as an explicit schedule (schedule-record.ts). Changes nothing. */
  readonly recordSchedule?: boolean;
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
  readonly dynamics: WorldDynamics;
  /** With options.trace: the world's events and the agent's decisions. */
  readonly trace: WorldTrace | null;
  /** With options.recordSchedule: the node events so far, as a schedule. */
  readonly scheduleRecorder: ScheduleRecorder | null;
  /** The schedule's fault windows, if it has any. */
  private readonly faults: ScheduleFaults | null;
  /** When the agent dropped a silent connection (request timeouts), for the waterfall and explanations. */
  private readonly timeouts: TimeoutRecord[] = [];
  private readonly content: Content;
  private readonly timers: AgentTimers;
  private readonly connections: Connections;
  private readonly sink: BlockSink;
  /** T* and T_g of each block, from the capacities its sources had while it downloaded. */
  private readonly bounds: BlockBounds;
  /** The run-level throughput bound, from the nodes connected and the most connections live at once. */
  private readonly throughput: ThroughputBound;
  /** Payload share of link capacities: the tcp model's efficiency, 1 for fluid. */
  private readonly efficiency: number;
  private downlinkBps: number;
  private onlinePeers = 0;
  // Tracker replies waiting for their event.
  private readonly kTrackerReply: number;
  private nextReplyId = 0;
  private readonly replies = new Map<number, NodeInfo[]>();

  constructor(
    readonly config: SimConfig,
    readonly options: WorldOptions,
  ) {
    const c = config;
    this.kernel = new Kernel(c.limits, options.recordEvents ?? false);
    this.streams = new RandomStreams(options.seed);
    const k = this.kernel;
    this.trace = options.trace === true ? new WorldTrace(k) : null;
    this.scheduleRecorder = options.recordSchedule === true ? new ScheduleRecorder(() => k.nowUs) : null;
    this.faults = ScheduleFaults.of(c.schedule);
    // Event kinds, registered in this order (ids enter the fingerprint), then the network's, then dynamics'.
    const kStart = k.registerKind("agent-start", () => this.toAgent(null));
    const kTimer = k.registerKind("agent-timer", (id) => {
      if (this.timers.fired(id)) this.toAgent({ type: "timer", timerId: id });
    });
    const kConnectReply = k.registerKind("connect-reply", (conn, refused) => this.connections.onConnectReply(conn, refused));
    const kArrival = k.registerKind("sub-block-arrival", (record) => this.connections.onArrival(record));
    const kDisconnect = k.registerKind("disconnect", (conn, why) => this.connections.onDisconnect(conn, why));
    this.kTrackerReply = k.registerKind("tracker-reply", (id) => this.onTrackerReply(id));

    this.content = new Content(c.content);
    this.efficiency = c.network.model === "tcp" ? c.network.efficiency : 1;
    this.downlinkBps = c.downlinkBps;
    this.bounds = new BlockBounds(c.content.subBlockBytes, options.splitProbe);
    this.throughput = new ThroughputBound(c.downlinkBps * this.efficiency);
    this.network = new Network(
      k,
      {
        model: c.network.model,
        downlinkBps: c.downlinkBps,
        efficiency: this.efficiency,
        initialWindowBytes: c.network.initialWindowBytes,
        receiveWindowBytes: c.network.receiveWindowBytes,
        idleRestartUs: c.network.idleRestartUs,
      },
      { onSubBlockDelivered: (conn, sb, size, firstByteUs) => this.connections.onDelivered(conn, sb, size, firstByteUs) },
    );
    this.collector = new Collector(this.content.blockCount);
    this.player = new Player(c.bitrateBps, c.startupBufferUs, c.content.sizeBytes);
    this.timers = new AgentTimers(k, kTimer);
    this.sink = new BlockSink(this.content, k, this.collector, this.bounds, this.player, this.efficiency, () => this.downlinkBps);
    this.connections = new Connections(
      k,
      { connectReply: kConnectReply, arrival: kArrival, disconnect: kDisconnect },
      this.content,
      this.nodes,
      this.network,
      this.collector,
      this.sink,
      this.bounds,
      this.throughput,
      this.efficiency,
      { toAgent: (event) => this.toAgent(event), refreshCapacity: (node) => this.refreshCapacity(node) },
      this.faults,
    );

    // Nodes: origin, then servers, then peers; arrivals are appended as they come.
    let originId: number | null = null;
    if (c.origin !== null) {
      originId = this.addNode(originNode(this.streams, 0, c.origin));
    }
    c.servers.forEach((g, gi) => {
      for (let i = 0; i < g.count; i++) {
        this.addNode(drawNode(this.streams, this.nodes.length, "server", `servers[${gi}]#${i}`, `servers/${gi}/${i}`, gi, g));
      }
    });
    this.tracker = new Tracker(this.streams, c.tracker, this.nodes);
    for (const n of this.nodes) if (n.kind === "server") this.tracker.join(n.id);
    const observers: DynamicsObserver[] = [];
    if (this.trace !== null) observers.push(this.trace);
    if (this.scheduleRecorder !== null) observers.push(this.scheduleRecorder);
    const life = observers.length === 0 ? this.nodeLife : observedHost(this.nodeLife, observers, () => this.nodes.length);
    this.dynamics = hasNodeEvents(c.schedule)
      ? new ScheduleDynamics(k, c.schedule!, this.nodes, life)
      : new Dynamics(k, this.streams, c, this.nodes, life);
    c.peers.forEach((g, gi) => {
      for (let i = 0; i < g.count; i++) this.addPeer(gi, `peers/${gi}/${i}`, `peers[${gi}]#${i}`);
    });
    this.dynamics.start();

    const agentConfig: AgentConfig = { ...c.agent, originNodeId: originId, ...(this.trace !== null ? { decisionNotes: true } : {}) };
    this.agent = new Agent(agentConfig, (options.strategyFactory ?? createStrategy)(options.strategy, { oracle: this.oracle }));
    k.schedule(0, kStart);
  }

  // ---- node life -------------------------------------------------------------------------------------------

  /** What dynamics may do to the nodes: this object only, never the world. */
  private readonly nodeLife: DynamicsHost = {
    nodeLeaves: (node, graceful) => this.nodeLeaves(node, graceful),
    nodeJoins: (node) => this.nodeJoins(node),
    addPeer: (gi, streamPrefix, label) => this.addPeer(gi, streamPrefix, label),
    refreshCapacity: (node) => this.refreshCapacity(node),
    dropOneTransfer: (node) => {
      if (node.online) this.connections.dropOne(node);
    },
    setNodeUplink: (node, bps) => this.setNodeUplink(node, bps),
    setDownlink: (bps) => this.setDownlink(bps),
  };

  private addNode(node: SimNode): number {
    assert(node.id === this.nodes.length, "node ids are dense");
    this.nodes.push(node);
    this.network.addNode(node.id, node.uplinkBps * (1 - node.load) / (1 + node.connectedUsers), node.rttUs);
    return node.id;
  }

  /** Creates a peer of group gi (at start or on arrival), online, and starts its dynamics. */
  private addPeer(gi: number, streamPrefix: string, label: string): SimNode {
    const node = drawNode(this.streams, this.nodes.length, "peer", label, streamPrefix, gi, this.config.peers[gi]);
    this.addNode(node);
    this.tracker.join(node.id);
    this.peersChanged(+1);
    this.dynamics.startNode(node, this.config.peers[gi]);
    return node;
  }

  /** Records the number of peers online after a peer joined (+1) or left (-1). */
  private peersChanged(delta: number): void {
    this.onlinePeers += delta;
    this.collector.peersOnlineChanged(this.kernel.nowUs, this.onlinePeers);
  }

  /** Pushes a node's effective capacity into the network after any change of its state. */
  private refreshCapacity(node: SimNode): void {
    // A node that left gracefully still sends the sub-blocks in flight on its closing connections.
    const f = node.online || node.draining > 0 ? node.stallFactor * node.slowFactor : 0;
    const uplinkBps = (node.uplinkBps * (1 - node.load)) / (1 + node.connectedUsers);
    this.network.setNodeUplink(node.id, uplinkBps);
    this.network.setNodeFactor(node.id, f);
    this.bounds.capacityChanged(this.kernel.nowUs, node.id, uplinkBps * f * this.efficiency);
    this.throughput.capacityChanged(this.kernel.nowUs, node.id, uplinkBps * f * this.efficiency);
  }

  private setNodeUplink(node: SimNode, bps: number): void {
    node.prevUplinkBps = node.uplinkBps;
    node.uplinkChangedUs = this.kernel.nowUs;
    node.uplinkBps = bps;
    this.refreshCapacity(node);
  }

  private setDownlink(bps: number): void {
    this.downlinkBps = bps;
    this.network.setDownlink(bps);
    this.bounds.capacityChanged(this.kernel.nowUs, DOWNLINK, bps * this.efficiency);
    this.throughput.capacityChanged(this.kernel.nowUs, DOWNLINK, bps * this.efficiency);
  }

  /** The node goes offline. A dead node sends nothing from here on. */
  private nodeLeaves(node: SimNode, graceful: boolean): void {
    if (!node.online) return;
    this.connections.nodeLeaves(node, graceful);
    node.online = false;
    this.tracker.leave(node.id);
    this.refreshCapacity(node);
    if (node.kind === "peer") this.peersChanged(-1);
  }

  private nodeJoins(node: SimNode): void {
    if (node.online) return;
    node.online = true;
    this.tracker.join(node.id);
    this.refreshCapacity(node);
    if (node.kind === "peer") this.peersChanged(+1);
  }

  // ---- the agent -------------------------------------------------------------------------------------------

  /**
   * Hands the agent one input at the kernel's time (null: its start), then executes the commands it queued, in
   * order, also when the agent threw (they were issued before it did): the kernel then sees its insertions in
   * the order the agent made its decisions.
   */
  private toAgent(event: AgentEvent | null): void {
    const agent = this.agent;
    let failure: unknown = null;
    if (this.trace !== null && event !== null) {
      this.trace.input(event, (conn) => this.connections.nodeOf(conn), (id) => this.nodes[id]?.label ?? `node ${id}`);
    }
    try {
      if (event === null) agent.start(this.kernel.nowUs);
      else agent.handle(this.kernel.nowUs, event);
    } catch (e) {
      failure = e;
    }
    for (let c = agent.poll(); c !== undefined; c = agent.poll()) this.execute(c);
    if (failure === null) return;
    if (failure instanceof StrategyError) throw new SimError("strategy", failure.message, this.kernel.nowUs);
    throw failure;
  }

  /** Executes one of the agent's commands, by the room it belongs to. */
  private execute(c: AgentCommand): void {
    switch (c.type) {
      case "set-timer":
        return this.timers.set(c.timerId, c.atUs);
      case "cancel-timer":
        return this.timers.cancel(c.timerId);
      case "connect":
        return this.connections.connect(c.connId, c.nodeId);
      case "request":
        return this.connections.request(c.connId, c.subBlockIds);
      case "cancel":
        return this.connections.cancel(c.connId, c.subBlockIds);
      case "close":
        return this.connections.close(c.connId);
      case "ask-tracker":
        return this.askTracker(c.maxNodes);
      case "announce":
        return;
      case "deliver-block":
        this.trace?.world("block-delivered", { block: c.blockIndex, sizeBytes: c.sizeBytes });
        return this.sink.deliver(c.blockIndex, c.sizeBytes);
      case "note":
        return this.noted(c);
    }
  }

  private askTracker(maxNodes: number): void {
    if (this.faults?.trackerDown(this.kernel.nowUs) === true) {
      this.trace?.world("tracker-down", { maxNodes }); // the query is lost: no answer
      return;
    }
    const id = this.nextReplyId++;
    this.replies.set(id, this.tracker.list(maxNodes, this.kernel.nowUs));
    this.kernel.after(this.config.tracker.rttUs, this.kTrackerReply, id);
  }

  private onTrackerReply(id: number): void {
    const nodes = this.replies.get(id)!;
    this.replies.delete(id);
    this.toAgent({ type: "tracker-nodes", nodes });
  }

  /** What the agent noted: the metrics some notes feed; other notes are left alone. */
  private noted(n: AgentNote): void {
    this.trace?.decision(n);
    switch (n.note) {
      case "rebalance":
        this.collector.rebalances.push({ timeUs: this.kernel.nowUs, fromConn: n.fromConn, toConn: n.toConn, movedCount: n.movedCount });
        return;
      case "blacklisted":
        this.collector.blacklisted++;
        return;
      case "origin-in-use":
        this.connections.originInUse(n.connId, n.inUse);
        return;
      case "request-timeout":
        this.timeouts.push({ timeUs: this.kernel.nowUs, connId: n.connId, nodeId: n.nodeId, silentSinceUs: n.silentSinceUs });
        return;
      default:
        return;
    }
  }

  private readonly oracle: Oracle = {
    trueUplinkBps: (nodeId) => (this.nodes[nodeId]?.effectiveUplinkBps() ?? 0) * this.efficiency,
    trueRttUs: (nodeId) => this.nodes[nodeId]?.rttUs ?? 0,
    downlinkBps: () => this.downlinkBps * this.efficiency,
  };

  // ---- run -------------------------------------------------------------------------------------------------

  run(wallClock: () => number): RunResult {
    let error: string | null = null;
    try {
      this.kernel.run(wallClock);
      // completionUs is set when the last block reaches the player, and only then.
      if (this.sink.completionUs < 0) {
        throw new SimError("invariant", "no events left but the download is incomplete", this.kernel.nowUs);
      }
    } catch (e) {
      // A failed assertion anywhere in the world or the agent is a broken invariant at the current time.
      const failure = e instanceof AssertionError ? new SimError("invariant", e.message, this.kernel.nowUs) : e;
      if (!(failure instanceof SimError)) throw failure;
      error = `${failure.code}: ${failure.message} (strategy ${this.options.strategy}, t=${(failure.timeUs / 1e6).toFixed(6)} s)`;
    }
    this.connections.endAll();
    const player = this.player.report();
    const completionUs = this.sink.completionUs >= 0 ? this.sink.completionUs : this.kernel.nowUs;
    const stats = this.agent.stats();
    const sizeBytes = this.config.content.sizeBytes;
    const done = this.collector.finish(
      completionUs,
      sizeBytes,
      stats,
      this.kernel.eventsProcessed,
      this.kernel.peakQueueLength,
      this.kernel.fingerprint(),
      player,
      this.throughput.boundUs(sizeBytes),
    );
    return {
      scenario: this.config.name,
      strategy: this.options.strategy,
      seed: this.options.seed,
      error,
      metrics: done.metrics,
      blocks: done.blocks,
      subBlocks: done.subBlocks,
      rebalances: this.collector.rebalances,
      timeouts: this.timeouts,
      bufferSeries: player.bufferSeries,
      stalls: player.stalls,
      peersOnlineSeries: this.collector.peersOnline(),
      wall: { simMs: this.kernel.wallMs },
    };
  }
}
