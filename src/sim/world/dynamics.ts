// Everything that happens to nodes on its own, independent of the agent: churn (sessions and downtimes),
// Poisson arrivals of new peers, failures over time (stalls, slow-downs, mid-transfer drops) and time-varying
// capacity (trace files or a Markov chain). Each process draws from its node's own named stream, always in the
// same order whatever the agent does, so two strategies on one seed meet the same world. It acts on the world
// only through DynamicsHost: what may happen to a node, never the world itself.

import type { ChurnConfig, NodeFailures, NodeGroupConfig, SimConfig } from "../config.ts";
import type { Kernel } from "../kernel/kernel.ts";
import { type Distribution, makeSampler, type Sampler, scaleDistribution, unitExponential } from "../random/distributions.ts";
import type { RandomStreams, Rng } from "../random/streams.ts";
import { type CapacityProcess, capacityProcess } from "../traces/process.ts";
import type { SimNode } from "./nodes.ts";

/** What dynamics may do to the world's nodes (the world implements it; dynamics sees nothing else). */
export interface DynamicsHost {
  /** The node goes offline, leaving gracefully (its sub-blocks in flight finish) or not. */
  nodeLeaves(node: SimNode, graceful: boolean): void;
  /** The node comes back online. */
  nodeJoins(node: SimNode): void;
  /** A new peer of group gi arrives, online, with its own streams under streamPrefix; its processes started. */
  addPeer(gi: number, streamPrefix: string, label: string): SimNode;
  /** The node's stall or slow-down state changed: its capacity follows. */
  refreshCapacity(node: SimNode): void;
  /** A mid-transfer reset of one of the node's sending connections, if it has one. */
  dropOneTransfer(node: SimNode): void;
  /** The node's base uplink is now bps (a capacity step). */
  setNodeUplink(node: SimNode, bps: number): void;
  /** The agent's downlink is now bps (a capacity step). */
  setDownlink(bps: number): void;
  /** An episode ("stall" or "slowdown") starts (on) or ends on the node, just before its capacity follows (recorders). */
  episode?(node: SimNode, name: string, on: boolean): void;
}

/** What the world asks of its source of node dynamics (this stochastic one, or a schedule: schedule.ts). */
export interface WorldDynamics {
  /** World-level processes and those of the servers and origin; called once, after the initial peers exist. */
  start(): void;
  /** A peer's own processes, when it is created (at start or on arrival). */
  startNode(node: SimNode, group: NodeGroupConfig & { readonly churn?: ChurnConfig }): void;
}

/** The groups and traces dynamics reads from the world's configuration. */
export type DynamicsConfig = Pick<SimConfig, "peers" | "servers" | "downlinkTrace">;


const exponentialUs = (rng: Rng, ratePerS: number) => Math.max(1, Math.round((unitExponential(rng) / ratePerS) * 1e6));

/** A kind of episode that degrades a node for a while, drawn from the node's own `stream`. */
interface EpisodeSpec {
  readonly name: string;
  readonly stream: string;
  readonly ratePerS: (f: NodeFailures) => number;
  readonly durationS: (f: NodeFailures) => Distribution;
  /** Degrades (on) or restores (off) the node. */
  readonly apply: (node: SimNode, on: boolean) => void;
}

interface Episode extends EpisodeSpec {
  kStart: number;
  kEnd: number;
}

const EPISODES: readonly EpisodeSpec[] = [
  {
    name: "stall",
    stream: "stalls",
    ratePerS: (f) => f.stallPerS,
    durationS: (f) => f.stallS,
    apply: (node, on) => {
      node.stallFactor = on ? 0 : 1;
    },
  },
  {
    name: "slowdown",
    stream: "slowdowns",
    ratePerS: (f) => f.slowdownPerS,
    durationS: (f) => f.slowdownS,
    apply: (node, on) => {
      node.slowFactor = on ? node.failures.slowdownFactor : 1;
    },
  },
];

/** What a churning node needs at each of its churn events. */
/** The churn law of a group: its samplers are pure functions of a stream, shared by all the group's nodes. */
interface ChurnLaw {
  readonly session: Sampler;
  readonly downtime: Sampler;
  readonly gracefulP: number;
}

export class Dynamics implements WorldDynamics {
  private readonly kChurn: number;
  private readonly kArrival: number;
  private readonly episodes: readonly Episode[];
  private readonly kDrop: number;
  private readonly kCapacity: number;
  /** Churn laws by the group's churn object (one per group). */
  private readonly churnLaws = new Map<ChurnConfig, ChurnLaw>();
  /**
   * Each churning node's law and `churn` stream, by node id. Arrays, and one law per group rather than per node:
   * churn events hit random nodes among thousands, so every object touched per event is a likely cache miss.
   */
  private readonly churnLawOf: (ChurnLaw | undefined)[] = [];
  private readonly churnRngOf: (Rng | undefined)[] = [];
  private readonly capacity = new Map<number, CapacityProcess>(); // node id, or -1 for the agent's downlink
  private readonly arrived: number[];
  private readonly samplers = new Map<Distribution, Sampler>();

  constructor(
    private readonly kernel: Kernel,
    private readonly streams: RandomStreams,
    private readonly config: DynamicsConfig,
    /** The world's nodes by id (read only: nodes come and go through the host). */
    private readonly nodes: readonly SimNode[],
    private readonly host: DynamicsHost,
  ) {
    const k = kernel;
    this.kChurn = k.registerKind("churn", (id) => this.onChurn(id));
    this.kArrival = k.registerKind("peer-arrival", (gi) => this.onArrival(gi));
    // Episodes that degrade a node for a while: a stall (it keeps the connection but sends nothing) and a
    // temporary slow-down. Each is registered as a start and an end kind, in this order.
    this.episodes = EPISODES.map((spec) => {
      const e: Episode = { ...spec, kStart: 0, kEnd: 0 };
      e.kStart = k.registerKind(`${spec.name}-start`, (id) => this.onEpisodeStart(e, id));
      e.kEnd = k.registerKind(`${spec.name}-end`, (id) => this.onEpisodeEnd(e, id));
      return e;
    });
    this.kDrop = k.registerKind("drop", (id) => this.onDrop(id));
    this.kCapacity = k.registerKind("capacity-step", (id) => this.onCapacity(id));
    this.arrived = config.peers.map(() => 0);
  }

  /** World-level processes: arrivals, the downlink trace, and the processes of the servers and origin present. */
  start(): void {
    const c = this.config;
    c.peers.forEach((g, gi) => {
      if (g.arrivals !== undefined && g.arrivals.maxCount > 0) {
        this.kernel.after(exponentialUs(this.arrivalRng(gi), g.arrivals.ratePerS), this.kArrival, gi);
      }
    });
    if (c.downlinkTrace !== undefined) {
      this.capacity.set(-1, capacityProcess(c.downlinkTrace, this.streams.stream("agent/downlink-trace")));
      this.onCapacity(-1);
    }
    for (const node of this.nodes) {
      if (node.kind === "origin") this.startFailures(node);
      if (node.kind === "server") this.startNode(node, c.servers[node.group]);
    }
  }

  /** A node's own processes: churn, failures over time, capacity trace. */
  startNode(node: SimNode, group: NodeGroupConfig & { readonly churn?: ChurnConfig }): void {
    if (group.churn !== undefined) this.startChurn(node, group.churn);
    this.startFailures(node);
    if (group.uplinkTrace !== undefined) {
      this.capacity.set(node.id, capacityProcess(group.uplinkTrace, node.rng("uplink-trace")));
      this.onCapacity(node.id);
    }
  }

  // ---- churn -----------------------------------------------------------------------------------------------

  private startChurn(node: SimNode, churn: ChurnConfig): void {
    const rng = node.rng("churn");
    let law = this.churnLaws.get(churn);
    if (law === undefined) {
      law = {
        session: makeSampler(scaleDistribution(churn.sessionS, churn.timeScale)),
        downtime: makeSampler(scaleDistribution(churn.downtimeS, churn.timeScale)),
        gracefulP: churn.gracefulLeaveP,
      };
      this.churnLaws.set(churn, law);
    }
    this.churnLawOf[node.id] = law;
    this.churnRngOf[node.id] = rng;
    const online = rng.next() < churn.initiallyOnlineP;
    if (!online) this.host.nodeLeaves(node, true);
    const durationS = (online ? law.session : law.downtime)(rng);
    this.kernel.after(Math.max(1, Math.round(durationS * 1e6)), this.kChurn, node.id);
  }

  private onChurn(id: number): void {
    const node = this.nodes[id];
    const c = this.churnLawOf[id]!;
    const rng = this.churnRngOf[id]!;
    // Draw the leave kind every time, used or not, so the sequence never depends on the state.
    const graceful = rng.next() < c.gracefulP;
    if (node.online) this.host.nodeLeaves(node, graceful);
    else this.host.nodeJoins(node);
    const durationS = (node.online ? c.session : c.downtime)(rng);
    this.kernel.after(Math.max(1, Math.round(durationS * 1e6)), this.kChurn, id);
  }

  private arrivalRng(gi: number): Rng {
    return this.streams.stream(`peers/${gi}/arrivals`);
  }

  private onArrival(gi: number): void {
    const g = this.config.peers[gi];
    const k = this.arrived[gi]++;
    this.host.addPeer(gi, `peers/${gi}/arrived/${k}`, `peers[${gi}]+${k}`);
    if (g.arrivals !== undefined && this.arrived[gi] < g.arrivals.maxCount) {
      this.kernel.after(exponentialUs(this.arrivalRng(gi), g.arrivals.ratePerS), this.kArrival, gi);
    }
  }

  // ---- failures over time ----------------------------------------------------------------------------------

  private startFailures(node: SimNode): void {
    const f = node.failures;
    const k = this.kernel;
    for (const e of this.episodes) {
      const ratePerS = e.ratePerS(f);
      if (ratePerS > 0) k.after(exponentialUs(node.rng(e.stream), ratePerS), e.kStart, node.id);
    }
    if (f.dropPerS > 0) k.after(exponentialUs(node.rng("drops"), f.dropPerS), this.kDrop, node.id);
  }

  /** An episode begins: draw its length, degrade the node, schedule the end. */
  private onEpisodeStart(e: Episode, id: number): void {
    const node = this.nodes[id];
    const durationUs = Math.max(1, Math.round(this.sampler(e.durationS(node.failures))(node.rng(e.stream)) * 1e6));
    e.apply(node, true);
    this.host.episode?.(node, e.name, true);
    this.host.refreshCapacity(node);
    this.kernel.after(durationUs, e.kEnd, id);
  }

  /** An episode ends: restore the node, schedule the next one (a Poisson process between episodes). */
  private onEpisodeEnd(e: Episode, id: number): void {
    const node = this.nodes[id];
    e.apply(node, false);
    this.host.episode?.(node, e.name, false);
    this.host.refreshCapacity(node);
    this.kernel.after(exponentialUs(node.rng(e.stream), e.ratePerS(node.failures)), e.kStart, id);
  }

  private onDrop(id: number): void {
    const node = this.nodes[id];
    this.host.dropOneTransfer(node);
    this.kernel.after(exponentialUs(node.rng("drops"), node.failures.dropPerS), this.kDrop, id);
  }

  /** One sampler per distribution object (groups share theirs), built on first use. */
  private sampler(d: Distribution): Sampler {
    let s = this.samplers.get(d);
    if (s === undefined) {
      s = makeSampler(d);
      this.samplers.set(d, s);
    }
    return s;
  }

  // ---- capacity over time ----------------------------------------------------------------------------------

  /** Applies the next capacity segment of a node (or of the downlink, id -1) and schedules the one after. */
  private onCapacity(id: number): void {
    const seg = this.capacity.get(id)!.next();
    if (id < 0) this.host.setDownlink(Math.max(1, seg.bps));
    else this.host.setNodeUplink(this.nodes[id], seg.bps);
    this.kernel.after(seg.durationUs, this.kCapacity, id);
  }
}
