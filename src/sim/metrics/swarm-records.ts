// What a swarm run produces beside the agent's own records (issue 12): one row per viewer (agents.csv), the
// swarm's run-level metrics (runs.csv's swarm columns) and its time series (series.csv). Plain data
// (JSON-serialisable), like records.ts.

/** A value at a time (the same shape as records.ts's SeriesPoint, kept apart to avoid an import cycle). */
export interface SeriesPoint {
  readonly timeUs: number;
  readonly value: number;
}

/** Source kinds bytes are counted by, in this order. */
export const SOURCE_KINDS = ["origin", "server", "peer", "viewer"] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

/** How a viewer left: when its playback (plus lingering) was over, by abandoning, or not at all (still there at the end). */
export type DepartureReason = "left" | "abandoned" | "end";

/** One viewer of one run. Times in µs since t0 (-1: never happened). */
export interface AgentRow {
  /** `agent` (the scenario's agent), or `<group>#<i>` / `<group>+<k>` (present at t0 / arrived). */
  readonly viewer: string;
  readonly group: string;
  readonly strategy: string;
  /** When the viewer's agent started (a reserving viewer: when it reserved). */
  readonly arrivalUs: number;
  /** When the viewer asked to play (its arrival, or the end of its reservation). */
  readonly playAtUs: number;
  /** Playback start − playAtUs, s; -1 when playback never started (or there is no player). */
  readonly startupDelayS: number;
  readonly stallCount: number;
  readonly stallS: number;
  readonly rebufferRatio: number;
  /** Live: how far behind the live edge its playback was when it ended (or at the end of the run), s; -1 for VoD. */
  readonly playbackLagS: number;
  /** When its last block arrived (-1: never). */
  readonly completionUs: number;
  readonly departureUs: number;
  readonly departure: DepartureReason;
  /** Bytes that crossed the network to this viewer, by source kind (every outcome). */
  readonly bytesFrom: Readonly<Record<SourceKind, number>>;
  /** Bytes this viewer sent to other viewers. */
  readonly uploadedBytes: number;
}

export interface SwarmMetrics {
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
  /** Jain's fairness index (Σx)²/(n·Σx²) of the bytes each viewer uploaded (1: equal; NaN when nobody uploaded). */
  readonly uploadFairness: number;
  /** Most tracker operations (queries and announces) in one second. */
  readonly trackerPeakPerS: number;
  /** Live: mean playback lag over the viewers whose playback started, s (NaN for VoD). */
  readonly meanPlaybackLagS: number;
}

/** Egress by source kind in bins of binUs: values[kind][i] bits per second over [i·binUs, (i+1)·binUs). */
export interface EgressSeries {
  readonly binUs: number;
  readonly bps: Readonly<Record<SourceKind, readonly number[]>>;
}

export interface SwarmResult {
  readonly agents: readonly AgentRow[];
  readonly metrics: SwarmMetrics;
  /** Viewers in the swarm, at every change. */
  readonly viewersOnline: readonly SeriesPoint[];
  readonly egress: EgressSeries;
  /** Tracker operations per second, one point per second that had any. */
  readonly trackerLoad: readonly SeriesPoint[];
}
