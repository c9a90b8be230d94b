// The simulated world the agents run in, and the wiring of its rooms: it builds the nodes, network, tracker,
// player and metrics from a SimConfig and a seed, runs node dynamics (dynamics.ts) on the nodes' lives, and
// drives each agent through its boundary: each input is handed over at the kernel's time, then the agent's
// commands are executed in the order it queued them, by the room each belongs to (timers: agent-timers.ts;
// connections, requests, cancels, closes: connections.ts; blocks: block-sink.ts; the tracker and the notes
// here). Every agent event goes through the kernel queue, so an agent is never re-entered from inside the
// network. Its strategy gets the oracle (true capacities) when it is created.
//
// The scenario's agent is viewer 0 (viewer.ts); it alone keeps the run's detailed records. In swarm mode
// (config.swarm) more viewers arrive (population.ts), each running its own agent on its own host, and leave
// after their playback (plus lingering) or when they abandon; the run ends when every viewer that will come
// has finished its download (or left). Swarm figures go to a ledger (swarm-ledger.ts).

import { AssertionError, assert } from "../../assert.ts";
import { Agent, createStrategy, ServingSide, StrategyError } from "../../agent/index.ts";
import type { AgentConfig, LiveSettings } from "../../agent/config.ts";
import { liveJoinBlock } from "../../agent/live.ts";
import { Content } from "../../agent/content.ts";
import type { AgentCommand, AgentEvent, AgentNote, NodeInfo } from "../../agent/ports.ts";
import type { Oracle, Strategy, StrategyEnv } from "../../agent/strategy.ts";
import { NO_FAILURES, type SimConfig } from "../config.ts";
import { Kernel, SimError } from "../kernel/kernel.ts";
import { BlockBounds, DOWNLINK, type SplitProbe } from "../metrics/block-bound.ts";
import { Collector } from "../metrics/collector.ts";
import type { RunResult, TimeoutRecord } from "../metrics/records.ts";
import { SwarmLedger } from "../metrics/swarm-ledger.ts";
import { SOURCE_KINDS, type AgentRow, type SourceKind, type SwarmResult } from "../metrics/swarm-records.ts";
import { ThroughputBound } from "../metrics/throughput-bound.ts";
import { Network } from "../network/network.ts";
import { Player } from "../player.ts";
import { RandomStreams } from "../random/streams.ts";
import { AgentTimers } from "./agent-timers.ts";
import { BlockSink } from "./block-sink.ts";
import { Connections, type ConnectionKinds } from "./connections.ts";
import { Dynamics, type DynamicsHost, type WorldDynamics } from "./dynamics.ts";
import { drawNode, originNode, SimNode } from "./nodes.ts";
import { ArrivalProcess, drawViewer, type ViewerDraw } from "./population.ts";
import { hasNodeEvents, ScheduleDynamics, ScheduleFaults } from "./schedule.ts";
import { type DynamicsObserver, observedHost, ScheduleRecorder } from "./schedule-record.ts";
import { Tracker, type Requester } from "./tracker.ts";
import { WorldTrace } from "./trace.ts";
import { KIND_INDEX, Viewer, type ByteLedger } from "./viewer.ts";

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


/** runs.csv's swarm columns of a swarm run (a figure without a value: -1). */
function swarmRunMetrics(s: SwarmResult) {
  const or = (x: number) => (Number.isFinite(x) ? x : -1);
  const m = s.metrics;
  return {
    viewers: m.viewers,
    p2pShare: or(m.p2pShare),
    originPeakBps: Math.round(m.originPeakBps),
    meanStartupDelayS: or(m.meanStartupDelayS),
    p95StartupDelayS: or(m.p95StartupDelayS),
    meanRebufferRatio: or(m.meanRebufferRatio),
    uploadFairness: or(m.uploadFairness),
    trackerPeakPerS: m.trackerPeakPerS,
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
  /** Live content, produced from t = 0 (undefined: video on demand). */
  private readonly live: LiveSettings | undefined;
  readonly dynamics: WorldDynamics;
  /** Viewer 0 is the scenario's agent; in swarm mode the others follow in order of arrival. */
  readonly viewers: Viewer[] = [];
  /** With options.trace: the world's events and the scenario's agent's decisions. */
  readonly trace: WorldTrace | null;
  /** With options.recordSchedule: the node events so far, as a schedule. */
  readonly scheduleRecorder: ScheduleRecorder | null;
  /** The schedule's fault windows, if it has any. */
  private readonly faults: ScheduleFaults | null;
  /** When the scenario's agent dropped a silent connection (request timeouts), for the waterfall and explanations. */
  private readonly timeouts: TimeoutRecord[] = [];
  private readonly content: Content;
  private readonly connections: Connections;
  /** T* and T_g of each block, from the capacities its sources had while it downloaded. */
  private readonly bounds: BlockBounds;
  /** The run-level throughput bound, from the nodes connected and the most connections live at once. */
  private readonly throughput: ThroughputBound;
  /** Payload share of link capacities: the tcp model's efficiency, 1 for fluid. */
  private readonly efficiency: number;
  private onlinePeers = 0;
  /** The scenario's agent's downlink now (its trace may change it), bits per second. */
  private agentDownlinkBps: number;
  private originId: number | null = null;
  // Tracker replies waiting for their event.
  private readonly kTrackerReply: number;
  private nextReplyId = 0;
  private readonly replies = new Map<number, NodeInfo[]>();
  private readonly kStart: number;
  private readonly kTimer: number;
  // Swarm mode: its ledger, event kinds, arrival processes, and the viewers still to finish.
  private readonly ledger: SwarmLedger | null = null;
  private kViewerArrival = -1;
  private kViewerDeparture = -1;
  private kAnnounce = -1;
  private readonly connectionKinds: ConnectionKinds;
  private readonly arrivals: ArrivalProcess[] = [];
  /** Viewer draws waiting for their arrival event, by draw number (the event's payload). */
  /** Viewers drawn and not arrived yet, with when each asks to play (its arrival is reserveUs earlier). */
  private readonly pendingDraws = new Map<number, ViewerDraw & { readonly playAtUs: number }>();
  private nextDraw = 0;
  /** Arrivals to come and viewers not done (single-agent: its download not over; swarm: not left): the run ends at 0. */
  private unfinished = 0;
  private readonly byteLedger: ByteLedger | null = null;

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
    this.kStart = k.registerKind("agent-start", (_a, v) => this.toAgent(this.viewers[v], null));
    this.kTimer = k.registerKind("agent-timer", (id, v) => {
      const viewer = this.viewers[v];
      if (viewer.timers.fired(id) && viewer.agent !== null) this.toAgent(viewer, { type: "timer", timerId: id });
    });
    const kConnectReply = k.registerKind("connect-reply", (conn, refused) => this.connections.onConnectReply(conn, refused));
    const kArrival = k.registerKind("sub-block-arrival", (record, v) => this.connections.onArrival(record, v));
    const kDisconnect = k.registerKind("disconnect", (conn, why) => this.connections.onDisconnect(conn, why));
    this.kTrackerReply = k.registerKind("tracker-reply", (id, v) => this.onTrackerReply(id, v));
    this.connectionKinds = { connectReply: kConnectReply, arrival: kArrival, disconnect: kDisconnect, notHeld: -1, have: -1 };

    this.agentDownlinkBps = c.downlinkBps;
    this.content = new Content(c.content);
    this.efficiency = c.network.model === "tcp" ? c.network.efficiency : 1;
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
    // The scenario's agent starts at t = 0, when the live edge is at 0: it joins at block 0 (live.ts).
    this.live = c.live !== null && c.bitrateBps > 0 ? { producedFromUs: 0, targetLatencyUs: c.live.targetLatencyUs } : undefined;
    if (c.swarm !== null) {
      const ledger = new SwarmLedger(c.swarm.seriesBinUs);
      this.ledger = ledger;
      this.byteLedger = {
        transferred: (kind, fromViewer, startUs, endUs, bytes) => {
          ledger.transferred(kind, startUs, endUs, bytes);
          if (fromViewer >= 0) this.viewers[fromViewer].uploadedBytes += bytes;
        },
      };
    }
    this.connections = new Connections(
      k,
      this.connectionKinds,
      this.content,
      this.nodes,
      this.viewers,
      this.network,
      this.efficiency,
      {
        toAgent: (viewer, event) => this.toAgent(viewer, event),
        refreshCapacity: (node) => this.refreshCapacity(node),
        hostOf: (node) => node.host,
        acceptIncoming: (node) => this.viewers[node.viewer].serving!.accept(),
        releaseIncoming: (node) => this.viewers[node.viewer].serving!.release(),
        serves: (node, block) => this.viewers[node.viewer].serving!.serve(block),
        heldBlocks: (node) => this.viewers[node.viewer].serving!.heldBlocks(),
      },
      this.faults,
    );

    // Nodes: origin, then servers, then peers; arrivals are appended as they come.
    if (c.origin !== null) {
      this.originId = this.addNode(originNode(this.streams, 0, c.origin));
    }
    c.servers.forEach((g, gi) => {
      for (let i = 0; i < g.count; i++) {
        this.addNode(drawNode(this.streams, this.nodes.length, "server", `servers[${gi}]#${i}`, `servers/${gi}/${i}`, gi, g));
      }
    });
    this.tracker = new Tracker(this.streams, c.tracker, this.nodes, (node) => {
      const serving = this.viewers[node.viewer].serving!;
      return serving.uploadSlots > 0 ? serving.connections / serving.uploadSlots : 1;
    });
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

    // Viewer 0: the scenario's agent, on the network's host 0 (the star's agent host), keeping the records.
    const agentConfig: AgentConfig = {
      ...c.agent,
      originNodeId: this.originId,
      ...(this.live !== undefined ? { live: this.live } : {}),
      ...(this.trace !== null ? { decisionNotes: true } : {}),
    };
    const strategy = (options.strategyFactory ?? createStrategy)(options.strategy, { oracle: this.oracleFor(0) });
    this.agent = new Agent(agentConfig, strategy);
    const v0 = new Viewer(
      0,
      "agent",
      "agent",
      options.strategy,
      0,
      2 * c.agentLatencyUs,
      this.agent,
      new AgentTimers(k, this.kTimer, 0),
      this.player,
      { collector: this.collector, bounds: this.bounds, throughput: this.throughput, openConns: new Set<number>(), liveConns: 0 },
      this.agentDownlinkBps,
      this.byteLedger,
      this.content.blockCount * this.content.subBlocksPerBlock,
    );
    v0.sink = new BlockSink(
      this.content,
      k,
      { collector: this.collector, bounds: this.bounds },
      this.player,
      this.efficiency,
      () => v0.downlinkBps,
      () => this.viewerComplete(v0),
      0,
      v0.coreRttUs,
    );
    this.viewers.push(v0);
    this.unfinished = 1;
    k.schedule(0, this.kStart, 0, 0);

    if (c.swarm !== null) {
      this.kViewerArrival = k.registerKind("viewer-arrival", (draw) => this.viewerArrives(draw));
      this.kViewerDeparture = k.registerKind("viewer-departure", (v, abandoned) => this.viewerLeaves(this.viewers[v], abandoned === 1));
      this.kAnnounce = k.registerKind("viewer-announce", (v) => this.announce(this.viewers[v]));
      this.connectionKinds.notHeld = k.registerKind("not-held", (conn, sb) => this.connections.onNotHeld(conn, sb));
      this.connectionKinds.have = k.registerKind("have", (conn, block) => this.connections.onHave(conn, block));
      this.ledger!.viewersChanged(0, +1);
      // The scenario's agent serves with its swarm uplink from host 0.
      v0.uplinkBps = c.swarm.agent.uplinkBps;
      v0.serving = new ServingSide(c.swarm.agent.serving, this.content);
      this.network.setHostUplink(0, v0.uplinkBps);
      k.schedule(0, this.kAnnounce, 0);
      c.swarm.groups.forEach((g, gi) => {
        for (let i = 0; i < g.count; i++) this.scheduleArrival(g.startUs, drawViewer(this.streams, gi, g, `${i}`, `${g.name}#${i}`));
        const process = new ArrivalProcess(this.streams, gi, g);
        this.arrivals.push(process);
        this.scheduleNextArrival(gi);
      });
    }
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
    // A node only sends (its downlink is not modelled): an uplink and an unlimited downlink.
    node.host = this.network.addHost((node.uplinkBps * (1 - node.load)) / (1 + node.connectedUsers), Number.POSITIVE_INFINITY);
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
    this.network.setHostUplink(node.host, uplinkBps);
    this.network.setHostUplinkFactor(node.host, f);
    this.bounds.capacityChanged(this.kernel.nowUs, node.id, uplinkBps * f * this.efficiency);
    this.throughput.capacityChanged(this.kernel.nowUs, node.id, uplinkBps * f * this.efficiency);
  }

  private setNodeUplink(node: SimNode, bps: number): void {
    node.prevUplinkBps = node.uplinkBps;
    node.uplinkChangedUs = this.kernel.nowUs;
    node.uplinkBps = bps;
    this.refreshCapacity(node);
  }

  /** The scenario's agent's downlink changed (its trace). */
  private setDownlink(bps: number): void {
    this.agentDownlinkBps = bps; // dynamics may set it at t0, before viewer 0 exists
    if (this.viewers.length > 0) this.viewers[0].downlinkBps = bps;
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

  // ---- the agents ------------------------------------------------------------------------------------------

  /**
   * Hands the viewer's agent one input at the kernel's time (null: its start), then executes the commands it
   * queued, in order, also when the agent threw (they were issued before it did): the kernel then sees its
   * insertions in the order the agent made its decisions. A viewer that left hears nothing more.
   */
  private toAgent(viewer: Viewer, event: AgentEvent | null): void {
    const agent = viewer.agent;
    if (agent === null) return;
    let failure: unknown = null;
    if (this.trace !== null && event !== null && viewer.index === 0) {
      this.trace.input(event, (conn) => this.connections.nodeOf(viewer, conn), (id) => this.nodes[id]?.label ?? `node ${id}`);
    }
    try {
      if (event === null) agent.start(this.kernel.nowUs);
      else agent.handle(this.kernel.nowUs, event);
    } catch (e) {
      failure = e;
    }
    for (let c = agent.poll(); c !== undefined; c = agent.poll()) this.execute(viewer, c);
    if (failure === null) return;
    if (failure instanceof StrategyError) throw new SimError("strategy", failure.message, this.kernel.nowUs);
    throw failure;
  }

  /** Executes one of the viewer's agent's commands, by the room it belongs to. */
  private execute(viewer: Viewer, c: AgentCommand): void {
    if (viewer.agent === null) return; // it left while its commands were being executed
    switch (c.type) {
      case "set-timer":
        return viewer.timers.set(c.timerId, c.atUs);
      case "cancel-timer":
        return viewer.timers.cancel(c.timerId);
      case "connect":
        return this.connections.connect(viewer, c.connId, c.nodeId);
      case "request":
        return this.connections.request(viewer, c.connId, c.subBlockIds);
      case "cancel":
        return this.connections.cancel(viewer, c.connId, c.subBlockIds);
      case "close":
        return this.connections.close(viewer, c.connId);
      case "ask-tracker":
        return this.askTracker(viewer, c.maxNodes);
      case "announce":
        return; // the agent's progress; in a swarm its serving side announces what it holds (announce())
      case "deliver-block":
        this.trace?.world("block-delivered", { block: c.blockIndex, sizeBytes: c.sizeBytes });
        viewer.sink.deliver(c.blockIndex, c.sizeBytes);
        if (viewer.serving !== null) {
          const evicted = viewer.serving.stored(c.blockIndex);
          // Requesters connected to it hear what changed (have / lost messages).
          if (viewer.node !== null) this.connections.nodeStored(viewer.node, c.blockIndex, viewer.serving.has(c.blockIndex), evicted);
        }
        return;
      case "note":
        return this.noted(viewer, c);
    }
  }

  private askTracker(viewer: Viewer, maxNodes: number): void {
    if (this.faults?.trackerDown(this.kernel.nowUs) === true) {
      if (viewer.index === 0) this.trace?.world("tracker-down", { maxNodes }); // the query is lost: no answer
      return;
    }
    const id = this.nextReplyId++;
    const requester = this.requesterOf(viewer);
    this.replies.set(id, this.tracker.list(maxNodes, this.kernel.nowUs, requester));
    if (this.ledger !== null) this.ledger.trackerOp(this.kernel.nowUs);
    this.kernel.after(this.config.tracker.rttUs, this.kTrackerReply, id, viewer.index);
  }

  /** A viewer's own tracker streams (`<prefix>/tracker/list`, `…/noise`), its RTT to the core and its node. */
  private readonly requesters = new Map<number, Requester>();
  private requesterOf(viewer: Viewer): Requester {
    let r = this.requesters.get(viewer.index);
    if (r === undefined) {
      const prefix = viewer.streamPrefix;
      // The scenario's agent draws from the tracker's own streams (`tracker/list`, `tracker/noise`), as always.
      const own = viewer.index === 0 ? this.tracker.agentRequester : null;
      r = {
        listRng: own?.listRng ?? this.streams.stream(`${prefix}/tracker/list`),
        noiseRng: own?.noiseRng ?? this.streams.stream(`${prefix}/tracker/noise`),
        coreRttUs: viewer.coreRttUs,
        get selfNode() {
          return viewer.node?.id ?? -1;
        },
        get needBlock() {
          return viewer.sink.nextBlockIndex;
        },
      };
      this.requesters.set(viewer.index, r);
    }
    return r;
  }

  private onTrackerReply(id: number, v: number): void {
    const nodes = this.replies.get(id)!;
    this.replies.delete(id);
    this.toAgent(this.viewers[v], { type: "tracker-nodes", nodes });
  }

  /** What an agent noted: the metrics some notes feed (the scenario's agent's only); other notes are left alone. */
  private noted(viewer: Viewer, n: AgentNote): void {
    if (viewer.index === 0) this.trace?.decision(n);
    switch (n.note) {
      case "rebalance":
        if (viewer.recorder === null) return;
        this.collector.rebalances.push({ timeUs: this.kernel.nowUs, fromConn: n.fromConn, toConn: n.toConn, movedCount: n.movedCount });
        return;
      case "blacklisted":
        if (viewer.recorder !== null) this.collector.blacklisted++;
        return;
      case "origin-in-use":
        this.connections.originInUse(viewer, n.connId, n.inUse);
        return;
      case "request-timeout":
        this.timeouts.push({ timeUs: this.kernel.nowUs, connId: n.connId, nodeId: n.nodeId, silentSinceUs: n.silentSinceUs });
        return;
      default:
        return;
    }
  }

  /** What the simulator offers the strategy of viewer v: true capacities and RTTs as that viewer sees them. */
  private oracleFor(v: number): Oracle {
    const viewer = () => this.viewers[v];
    return {
      trueUplinkBps: (nodeId) => (this.nodes[nodeId]?.effectiveUplinkBps() ?? 0) * this.efficiency,
      trueRttUs: (nodeId) => {
        const node = this.nodes[nodeId];
        return node === undefined ? 0 : viewer().coreRttUs + node.rttUs;
      },
      downlinkBps: () => viewer().downlinkBps * this.efficiency,
    };
  }

  // ---- swarm: viewers arrive, finish and leave -------------------------------------------------------------

  /**
   * A viewer that asks to play at playAtUs: it arrives then, or with a reservation reserveUs earlier (not before
   * now: an arrival is drawn when its group's previous one arrived), and prefetches until playAtUs.
   */
  private scheduleArrival(playAtUs: number, draw: ViewerDraw): void {
    const id = this.nextDraw++;
    this.pendingDraws.set(id, { ...draw, playAtUs });
    this.unfinished++;
    this.kernel.schedule(Math.max(this.kernel.nowUs, playAtUs - draw.reserveUs), this.kViewerArrival, id);
  }

  /** Draws group gi's next arrival (its k-th), if its process has one. */
  private scheduleNextArrival(gi: number): void {
    const atUs = this.arrivals[gi].next();
    if (atUs < 0) return;
    const g = this.config.swarm!.groups[gi];
    const k = this.arrivals[gi].arrivedCount - 1;
    this.scheduleArrival(atUs, drawViewer(this.streams, gi, g, `a${k}`, `${g.name}+${k}`));
  }

  private viewerArrives(drawId: number): void {
    const d = this.pendingDraws.get(drawId)!;
    this.pendingDraws.delete(drawId);
    const k = this.kernel;
    const now = k.nowUs;
    const swarm = this.config.swarm!;
    const g = swarm.groups[d.group];
    if (d.label.includes("+")) this.scheduleNextArrival(d.group);
    const index = this.viewers.length;
    const strategyName = d.strategy ?? this.options.strategy;
    const host = this.network.addHost(d.uplinkBps, d.downlinkBps);
    const config: AgentConfig = {
      ...this.config.agent,
      maxConnections: g.maxConnections,
      originNodeId: this.originId,
      ...(this.live !== undefined ? { live: this.live } : {}),
      ...(d.playAtUs > now ? { reservation: { playAtUs: d.playAtUs, prefetchBlocks: swarm.prefetchBlocks } } : {}),
    };
    const agent = new Agent(config, (this.options.strategyFactory ?? createStrategy)(strategyName, { oracle: this.oracleFor(index) }));
    // Live content: the viewer's agent joins at this block (live.ts, the agent's own rule); its player plays from it.
    const firstBlock = this.live !== undefined ? liveJoinBlock(this.content, this.config.bitrateBps, this.live, now) : 0;
    const player = new Player(
      this.config.bitrateBps,
      this.config.startupBufferUs,
      this.config.content.sizeBytes - this.content.blockOffsetBytes(firstBlock),
      d.playAtUs,
    );
    const viewer = new Viewer(
      index,
      d.label,
      g.name,
      strategyName,
      host,
      2 * d.latencyUs,
      agent,
      new AgentTimers(k, this.kTimer, index),
      player,
      null,
      d.downlinkBps,
      this.byteLedger,
      this.content.blockCount * this.content.subBlocksPerBlock,
    );
    viewer.streamPrefix = d.streamPrefix;
    viewer.arrivalUs = now;
    viewer.playAtUs = d.playAtUs;
    viewer.lingerUs = d.lingerUs;
    viewer.abandonAtUs = now + d.abandonAfterUs;
    viewer.uplinkBps = d.uplinkBps;
    viewer.serving = new ServingSide(g.serving, this.content);
    viewer.firstBlock = firstBlock;
    viewer.sink = new BlockSink(
      this.content,
      k,
      null,
      player,
      this.efficiency,
      () => viewer.downlinkBps,
      () => this.viewerComplete(viewer),
      firstBlock,
      viewer.coreRttUs,
    );
    this.viewers.push(viewer);
    this.ledger!.viewersChanged(now, +1);
    if (Number.isFinite(viewer.abandonAtUs)) k.schedule(viewer.abandonAtUs, this.kViewerDeparture, index, 1);
    k.schedule(now, this.kAnnounce, index);
    this.toAgent(viewer, null);
  }

  /**
   * The viewer's last block arrived. In a single-agent world the run is over; in swarm mode the viewer leaves
   * after its playback and its lingering, and the run ends when the last viewer left.
   */
  private viewerComplete(viewer: Viewer): void {
    if (this.ledger === null) {
      this.finish(viewer);
      return;
    }
    const lingerUs = viewer.index === 0 ? Math.round(this.config.swarm!.agent.lingerS * 1e6) : viewer.lingerUs;
    this.kernel.schedule(viewer.player.playbackEndUs(this.kernel.nowUs) + lingerUs, this.kViewerDeparture, viewer.index, 0);
  }

  /**
   * The viewer's serving side announces what it holds (one tracker operation), every announce interval while
   * it is in the swarm. From its first announce holding a block it is a node others may connect to, and the
   * tracker's mesh database puts it first in the lists of requesters that need a block it announced; a request
   * for a block it does not hold is answered "don't have", and the requester asks elsewhere.
   */
  private announce(viewer: Viewer): void {
    if (viewer.agent === null) return;
    const now = this.kernel.nowUs;
    this.ledger!.trackerOp(now);
    const serving = viewer.serving!;
    if (viewer.node === null && serving.blockCount > 0 && viewer.uplinkBps > 0 && serving.uploadSlots > 0) this.becomeNode(viewer);
    if (viewer.node !== null) this.tracker.announce(viewer.node.id, serving.heldBlocks(), this.content.blockCount);
    this.kernel.schedule(now + this.config.swarm!.announceIntervalUs, this.kAnnounce, viewer.index);
  }

  /** The viewer becomes a node others may connect to: its host's uplink, its RTT to the core, no failures. */
  private becomeNode(viewer: Viewer): void {
    const node = new SimNode(
      this.streams,
      this.nodes.length,
      "viewer",
      viewer.label,
      `${viewer.streamPrefix}/node`,
      -1,
      viewer.uplinkBps,
      viewer.coreRttUs,
      0,
      0,
      0,
      NO_FAILURES,
    );
    node.viewer = viewer.index;
    node.host = viewer.host;
    this.nodes.push(node);
    viewer.node = node; // the tracker lists it from its announces (the mesh database), not from the online set
  }

  /** The viewer is done (its download over, or it left): one fewer to wait for; the run ends with the last. */
  private finish(viewer: Viewer): void {
    if (viewer.finished) return;
    viewer.finished = true;
    if (--this.unfinished === 0) this.kernel.stop();
  }

  /** The viewer leaves: its agent hears nothing more, its connections close, its transfers end (cancelled). */
  private viewerLeaves(viewer: Viewer, abandoned: boolean): void {
    if (viewer.agent === null) return;
    // A viewer whose download is over no longer abandons: it leaves at the end of its playback (scheduled).
    if (abandoned && viewer.sink.completionUs >= 0) return;
    viewer.agent = null;
    if (viewer.node !== null) this.nodeLeaves(viewer.node, true); // the sub-blocks in flight still finish
    viewer.departureUs = this.kernel.nowUs;
    viewer.departure = abandoned ? "abandoned" : "left";
    this.connections.closeAll(viewer);
    this.ledger!.viewersChanged(this.kernel.nowUs, -1);
    this.finish(viewer);
  }

  // ---- run -------------------------------------------------------------------------------------------------

  run(wallClock: () => number): RunResult {
    let error: string | null = null;
    try {
      this.kernel.run(wallClock);
      // The run ends when every viewer finished; the scenario's agent's completionUs is set when its last block
      // reaches its player, and only then.
      if (this.viewers[0].sink.completionUs < 0) {
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
    const sink = this.viewers[0].sink;
    const completionUs = sink.completionUs >= 0 ? sink.completionUs : this.kernel.nowUs;
    const stats = this.agent.stats();
    const sizeBytes = this.config.content.sizeBytes;
    const done = this.collector.finish(
      completionUs,
      sizeBytes,
      stats,
      this.kernel.eventsProcessed,
      this.kernel.peakQueueLength,
      this.kernel.fingerprint(),
      { ...player, playbackLagS: this.playbackLagS(this.viewers[0]) },
      this.throughput.boundUs(sizeBytes),
    );
    const swarm = this.ledger !== null ? this.swarmResult() : null;
    return {
      scenario: this.config.name,
      strategy: this.options.strategy,
      seed: this.options.seed,
      error,
      metrics: swarm !== null ? { ...done.metrics, ...swarmRunMetrics(swarm) } : done.metrics,
      blocks: done.blocks,
      subBlocks: done.subBlocks,
      rebalances: this.collector.rebalances,
      timeouts: this.timeouts,
      bufferSeries: player.bufferSeries,
      stalls: player.stalls,
      peersOnlineSeries: this.collector.peersOnline(),
      ...(swarm !== null ? { swarm } : {}),
      wall: { simMs: this.kernel.wallMs },
    };
  }

  /**
   * Live content: how far behind the live edge the viewer's playback was when it ended, when the viewer left, or
   * at the end of the run, s; -1 for video on demand and when its playback never started.
   */
  private playbackLagS(v: Viewer): number {
    if (this.live === undefined) return -1;
    const atUs = v.departureUs >= 0 ? v.departureUs : this.kernel.nowUs;
    const firstOffsetUs = (this.content.blockOffsetBytes(v.firstBlock) * 8e6) / this.config.bitrateBps;
    const lagUs = v.player.liveLagUs(atUs, firstOffsetUs);
    return lagUs < 0 ? -1 : lagUs / 1e6;
  }

  /** agents.csv's rows and the swarm's figures. */
  private swarmResult(): SwarmResult {
    const ok = { origin: 0, server: 0, peer: 0, viewer: 0 } as Record<SourceKind, number>;
    const rows: AgentRow[] = this.viewers.map((v) => {
      const r = v.player.report();
      const bytesFrom = {} as Record<SourceKind, number>;
      for (const kind of SOURCE_KINDS) {
        bytesFrom[kind] = v.bytesFrom[KIND_INDEX[kind]];
        ok[kind] += v.okBytesFrom[KIND_INDEX[kind]];
      }
      const startedUs = v.player.startedUs;
      return {
        viewer: v.label,
        group: v.group,
        strategy: v.strategy,
        arrivalUs: v.arrivalUs,
        playAtUs: v.playAtUs,
        startupDelayS: startedUs >= 0 ? (startedUs - v.playAtUs) / 1e6 : -1,
        stallCount: r.stallCount,
        stallS: r.stallS,
        rebufferRatio: r.rebufferRatio,
        playbackLagS: this.playbackLagS(v),
        completionUs: v.sink.completionUs,
        departureUs: v.departureUs,
        departure: v.departure,
        bytesFrom,
        uploadedBytes: v.uploadedBytes,
      };
    });
    return this.ledger!.finish(rows, ok);
  }
}
