// What one simulated run produces: per-run metrics, per-block and per-sub-block records, time series for
// charts, and the fingerprint. Plain data (JSON-serialisable), the only thing the harness and reports see.

import type { SwarmResult } from "./swarm-records.ts";

export type SubBlockOutcome = "ok" | "corrupt" | "dropped" | "cancelled" | "duplicate";

/** One sub-block on one request: what it cost and how it ended. Times in µs; -1 when it never happened. */
export interface SubBlockRecord {
  readonly subBlockId: number;
  readonly block: number;
  readonly nodeId: number;
  readonly nodeKind: "peer" | "server" | "origin" | "viewer";
  readonly connId: number;
  readonly requestUs: number;
  readonly firstByteUs: number;
  readonly endUs: number;
  /** Bytes that crossed the network for this record (partial for dropped and cancelled ones). */
  readonly bytes: number;
  readonly outcome: SubBlockOutcome;
}

export interface BlockRecord {
  readonly block: number;
  /** When the first sub-block of the block was requested, µs. */
  readonly startUs: number;
  /** When its last sub-block arrived intact, µs. */
  readonly endUs: number;
  readonly bytes: number;
  /** Fluid lower bound on the block's download time from the capacities the nodes really had, µs. */
  readonly tStarUs: number;
  /**
   * Split bound T_g, µs: the earliest the block could end with its whole sub-blocks split at its start over the
   * same sources (one request each, max-min sharing of the downlink); ≥ tStarUs. See split-bound.ts.
   */
  readonly tGUs: number;
}

export interface RebalanceRecord {
  readonly timeUs: number;
  readonly fromConn: number;
  readonly toConn: number;
  readonly movedCount: number;
}

/** The agent dropped a connection that held work and stayed silent past its stall budget (a request timeout). */
export interface TimeoutRecord {
  /** When it was dropped, µs. */
  readonly timeUs: number;
  readonly connId: number;
  readonly nodeId: number;
  /** When its silence began (its last sub-block, or the request that gave it work while idle), µs. */
  readonly silentSinceUs: number;
}

/** A point of a step function over simulated time. */
export interface SeriesPoint {
  readonly timeUs: number;
  readonly value: number;
}

export interface RunMetrics {
  readonly completionS: number;
  readonly throughputBps: number;
  /** Σ block time / Σ T*: how far from the fluid lower bound the run was (≥ 1 up to model effects). */
  readonly tStarRatio: number;
  /** Σ block time / Σ T_g: how far from the best split of whole sub-blocks (≥ 1 for strategies that keep the block rule). */
  readonly tGRatio: number;
  /**
   * The run-level throughput bound, s: the earliest the whole content could have arrived from the nodes the
   * agent connected to (see throughput-bound.ts); Infinity when they never had capacity, NaN when unknown.
   */
  readonly throughputBoundS: number;
  /** completionS / throughputBoundS (≥ 1 for every strategy; NaN without a finite bound). */
  readonly throughputBoundRatio: number;
  readonly meanBlockS: number;
  readonly p95BlockS: number;
  readonly redundantBytes: number;
  readonly failedBytes: number;
  readonly originBytes: number;
  readonly rebalances: number;
  readonly blacklisted: number;
  /** Times the agent called in the origin (no peers reachable, or a block's playback deadline at risk). */
  readonly fallbacks: number;
  /** Connections dropped because a request received nothing within its stall budget. */
  readonly requestTimeouts: number;
  /** -1 when there is no player (bitrate 0). */
  readonly startupDelayS: number;
  readonly stallCount: number;
  readonly stallS: number;
  /** Stall time / (stall time + playing time); 0 without a player. */
  readonly rebufferRatio: number;
  /**
   * Live content: how far behind the live edge playback was when it ended (or at the end of the run), s; -1 for
   * video on demand and when playback never started.
   */
  readonly playbackLagS: number;
  readonly events: number;
  // Swarm mode (issue 12; swarm-records.ts's SwarmMetrics): -1 in a single-agent run, and when a figure has no
  // value (nobody uploaded: no fairness; no playback started: no start-up delay).
  /** Viewers in the run, the scenario's agent included. */
  readonly viewers: number;
  /** Share of the intact bytes viewers received that came from peers and other viewers (origin offload). */
  readonly p2pShare: number;
  /** Largest origin egress over one series bin, bit/s. */
  readonly originPeakBps: number;
  /** Over the viewers whose playback started. */
  readonly meanStartupDelayS: number;
  readonly p95StartupDelayS: number;
  readonly meanRebufferRatio: number;
  /** Jain's fairness index of the bytes each viewer uploaded. */
  readonly uploadFairness: number;
  /** Most tracker operations (queries and announces) in one second. */
  readonly trackerPeakPerS: number;
  readonly peakQueueLength: number;
  readonly fingerprint: string;
}

export interface RunResult {
  readonly scenario: string;
  readonly strategy: string;
  readonly seed: number;
  /** Set when the run failed (strategy threw, livelock guard, time limit); metrics are then partial. */
  readonly error: string | null;
  readonly metrics: RunMetrics;
  readonly blocks: readonly BlockRecord[];
  readonly subBlocks: readonly SubBlockRecord[];
  readonly rebalances: readonly RebalanceRecord[];
  /** Request timeouts, in time order (absent from records that predate them, and from real runs). */
  readonly timeouts?: readonly TimeoutRecord[];
  /** Seconds of content buffered ahead of the playhead, sampled at every change. */
  readonly bufferSeries: readonly SeriesPoint[];
  /** Stall intervals [startUs, endUs]. */
  readonly stalls: readonly (readonly [number, number])[];
  /** Peers online, sampled at every change. */
  readonly peersOnlineSeries: readonly SeriesPoint[];
  /** Swarm mode only: every viewer's row and the swarm's figures and series. */
  readonly swarm?: SwarmResult;
  /** Wall-clock figures, kept out of every written output (they differ run to run). */
  readonly wall: { readonly simMs: number };
}
