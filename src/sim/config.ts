// The simulator's own configuration: everything one simulated world needs, in the simulator's terms (camelCase,
// units in names, traces already read). The harness translates a resolved scenario into it once
// (src/harness/sim-config.ts); nothing in src/sim reads a scenario. Plain data: a world never changes it.

import type { AgentConfig, ContentLayout } from "../agent/config.ts";
import type { KernelLimits } from "./kernel/kernel.ts";
import type { Distribution } from "./random/distributions.ts";
import type { LiveConfig, SwarmConfig } from "./swarm-config.ts";
import type { Trace } from "../traces/trace.ts";

/** The agent's settings but the origin's node id, which the world gives it (the origin is a node it builds). */
export type AgentSettings = Omit<AgentConfig, "originNodeId">;

/** Time-varying capacity: a trace replayed from a (random) offset, wrapping, or a two-state Markov chain. */
export type CapacitySpec =
  | {
      readonly kind: "trace";
      readonly trace: Trace;
      /** Multiplies every bandwidth sample. */
      readonly scale: number;
      /** Start each node at its own random point of the trace. */
      readonly randomOffset: boolean;
    }
  | {
      readonly kind: "markov";
      readonly goodBps: number;
      readonly badBps: number;
      readonly meanGoodS: number;
      readonly meanBadS: number;
    };

/** How a node fails, connection by connection and over time. Probabilities in [0, 1], hazards per second. */
export interface NodeFailures {
  readonly connectRefusedP: number;
  /** The node never answers a connection attempt. */
  readonly connectTimeoutP: number;
  /** Hazard of a mid-transfer connection reset while sending. */
  readonly dropPerS: number;
  /** Probability a delivered sub-block fails its checksum. */
  readonly corruptP: number;
  /** Hazard of a stall: the node keeps the connection but stops sending; stallS: its length. */
  readonly stallPerS: number;
  readonly stallS: Distribution;
  /** Hazard of a temporary slow-down to slowdownFactor of the uplink; slowdownS: its length. */
  readonly slowdownPerS: number;
  readonly slowdownFactor: number;
  readonly slowdownS: Distribution;
}

/** Failing in none of the ways a scenario's nodes may (a viewer serving others). */
export const NO_FAILURES: NodeFailures = {
  connectRefusedP: 0,
  connectTimeoutP: 0,
  dropPerS: 0,
  corruptP: 0,
  stallPerS: 0,
  stallS: 0,
  slowdownPerS: 0,
  slowdownFactor: 1,
  slowdownS: 0,
};

/** Sessions and downtimes of a churning node (preset already resolved), seconds before timeScale. */
export interface ChurnConfig {
  readonly sessionS: Distribution;
  readonly downtimeS: Distribution;
  /** Multiplies every session and downtime. */
  readonly timeScale: number;
  readonly initiallyOnlineP: number;
  /** A graceful leave finishes the sub-block in flight, then disconnects. */
  readonly gracefulLeaveP: number;
}

/** A group of nodes drawn alike; each node draws its own parameters from its own stream. */
export interface NodeGroupConfig {
  readonly count: number;
  readonly uplinkBps: Distribution;
  readonly rttMs: Distribution;
  /** Each request's first byte is delayed by an extra U[0, jitterUs]. */
  readonly jitterUs: number;
  /** Peers: the upload utilisation they report; servers: their CPU load. In [0, 1]. */
  readonly load: Distribution;
  /** Servers only: other users sharing the server's uplink. */
  readonly connectedUsers?: Distribution;
  readonly uplinkTrace?: CapacitySpec;
  readonly failures: NodeFailures;
}

export interface PeerGroupConfig extends NodeGroupConfig {
  readonly churn?: ChurnConfig;
  /** Poisson arrivals of new peers of the group. */
  readonly arrivals?: { readonly ratePerS: number; readonly maxCount: number };
}

export interface ServerGroupConfig extends NodeGroupConfig {
  readonly connectedUsers: Distribution;
}

export interface OriginConfig {
  readonly uplinkBps: number;
  readonly rttUs: number;
  readonly failures: NodeFailures;
}

export interface TrackerConfig {
  readonly listSize: number;
  /** Reported uplink × lognormal(0, stateNoise). */
  readonly stateNoise: number;
  /** A traced uplink is reported as it was this long ago, µs. */
  readonly stateStalenessUs: number;
  /** Delay before a node list reaches the agent, µs. */
  readonly rttUs: number;
}

export interface SimNetworkConfig {
  readonly model: "fluid" | "tcp";
  /** tcp only: payload share of link capacity. */
  readonly efficiency: number;
  readonly initialWindowBytes: number;
  readonly receiveWindowBytes: number;
  readonly idleRestartUs: number;
}

/**
 * One timed world event of an explicit schedule (src/sim/world/schedule.ts). Nodes are named by their labels
 * (`peers[1]#4`, `servers[0]#0`, `origin`, and `peers[0]+2` for the third peer of group 0 to arrive); an event
 * may name several. Times in integer µs; durationUs null: until the end of the run.
 */
export type ScheduleEvent =
  | { readonly kind: "leave"; readonly atUs: number; readonly nodes: readonly string[]; readonly graceful: boolean }
  | { readonly kind: "join"; readonly atUs: number; readonly nodes: readonly string[] }
  | { readonly kind: "arrive"; readonly atUs: number; readonly nodes: readonly string[] }
  | { readonly kind: "stall"; readonly atUs: number; readonly nodes: readonly string[]; readonly durationUs: number | null }
  | {
      readonly kind: "slowdown";
      readonly atUs: number;
      readonly nodes: readonly string[];
      readonly factor: number;
      readonly durationUs: number | null;
    }
  | { readonly kind: "drop"; readonly atUs: number; readonly nodes: readonly string[] }
  | { readonly kind: "refuse" | "ignore"; readonly atUs: number; readonly nodes: readonly string[]; readonly durationUs: number | null }
  | { readonly kind: "corrupt"; readonly atUs: number; readonly nodes: readonly string[]; readonly nth: number }
  | { readonly kind: "capacity"; readonly atUs: number; readonly nodes: readonly string[]; readonly uplinkBps: number }
  | { readonly kind: "downlink"; readonly atUs: number; readonly downlinkBps: number }
  | { readonly kind: "tracker-down"; readonly atUs: number; readonly durationUs: number | null };

export type ScheduleEventKind = ScheduleEvent["kind"];

export interface SimConfig {
  /** The scenario's name, for the run's records. */
  readonly name: string;
  readonly limits: KernelLimits;
  readonly content: ContentLayout;
  /** The player: content bitrate (0: a plain download, no player) and its start-up threshold. */
  readonly bitrateBps: number;
  readonly startupBufferUs: number;
  /** The agent's host: its downlink (a trace replaces it when given) and the agent's settings. */
  readonly downlinkBps: number;
  readonly downlinkTrace?: CapacitySpec;
  /** The agent's host: its one-way latency to the core (its RTT to a node is 2 × this + the node's RTT). */
  readonly agentLatencyUs: number;
  readonly agent: AgentSettings;
  readonly network: SimNetworkConfig;
  readonly tracker: TrackerConfig;
  readonly origin: OriginConfig | null;
  readonly servers: readonly ServerGroupConfig[];
  readonly peers: readonly PeerGroupConfig[];
  /** Live content (null: video on demand). */
  readonly live: LiveConfig | null;
  /** Swarm mode: viewers beside the agent, serving each other (null: the single-agent world). */
  readonly swarm: SwarmConfig | null;
  /**
   * Explicit world events. When it holds node events (leave, join, arrive, stall, slowdown, drop, capacity,
   * downlink) they replace the stochastic processes over time (the groups then have none); fault windows
   * (refuse, ignore, corrupt, tracker-down) apply in any world.
   */
  readonly schedule?: readonly ScheduleEvent[];
}
