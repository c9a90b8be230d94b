// The simulator's configuration of swarm mode (issue 12), part of SimConfig: viewer groups (each viewer runs the
// agent and serves what it holds), the scenario's agent as one of the viewers, and the swarm-wide settings. Plain
// data in the simulator's terms (camelCase, units in names), translated once by src/harness/sim-config.ts.

import type { Distribution } from "./random/distributions.ts";

/** How a viewer serves the others: connections it accepts at once, and the cache it serves from. */
export interface ServingConfig {
  readonly uploadSlots: number;
  /** Whole blocks are kept while their bytes fit. */
  readonly cacheBytes: number;
  readonly cachePolicy: "lru" | "fifo";
}

/** When a viewer leaves: lingerS after its playback ended, or earlier by abandoning (a hazard per minute). */
export interface DepartureConfig {
  readonly lingerS: Distribution;
  readonly abandonPerMin: number;
}

/** Viewers of a group arriving after t0. */
export interface ViewerArrivalsConfig {
  /** poisson: constant rate; decaying: ratePerS × e^(−(t − the group's start)/decayS). */
  readonly process: "poisson" | "decaying";
  readonly ratePerS: number;
  readonly decayS: number;
  readonly maxCount: number;
}

/** One strategy of a group's mix; strategy null: the run's strategy. */
export interface StrategyShareConfig {
  readonly strategy: string | null;
  readonly share: number;
}

export interface ViewerGroupConfig {
  /** The group's name (or `viewers[i]`), for agents.csv. */
  readonly name: string;
  /** Viewers that ask to play at startUs, all at once. */
  readonly count: number;
  /** When the count viewers ask to play and the arrival process starts, µs. */
  readonly startUs: number;
  readonly arrivals?: ViewerArrivalsConfig;
  readonly downlinkBps: Distribution;
  readonly uplinkBps: Distribution;
  /** One-way latency to the core. */
  readonly latencyMs: Distribution;
  readonly maxConnections: number;
  readonly serving: ServingConfig;
  /** At least one entry; shares need not sum to 1. */
  readonly strategies: readonly StrategyShareConfig[];
  readonly departure: DepartureConfig;
  /** A viewer reserves up to this long before it asks to play (uniformly; 0: no reservation), µs. */
  readonly reserveUs: number;
}

/** The scenario's agent as a member of the swarm (viewer 0). */
export interface SwarmAgentConfig {
  readonly uplinkBps: number;
  readonly serving: ServingConfig;
  /** It stays this long (s) after its playback ended. */
  readonly lingerS: number;
}

export interface SwarmConfig {
  readonly agent: SwarmAgentConfig;
  readonly groups: readonly ViewerGroupConfig[];
  /** How often a viewer announces what it holds to the tracker, µs. */
  readonly announceIntervalUs: number;
  /** Width of the egress series' bins, µs. */
  readonly seriesBinUs: number;
  /** Blocks a viewer that reserved prefetches before it asks to play. */
  readonly prefetchBlocks: number;
}

/** Live content: produced at the bitrate from t0; a viewer joins targetLatencyUs behind the live edge. */
export interface LiveConfig {
  readonly targetLatencyUs: number;
}
