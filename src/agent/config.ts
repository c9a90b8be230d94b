// The agent's settings and the content layout it downloads. Plain data: the harness builds it from a scenario,
// a real client would build it from its own configuration.

import type { NodeId } from "./ports.ts";

export interface ContentLayout {
  readonly sizeBytes: number;
  readonly blockBytes: number;
  readonly subBlockBytes: number;
}

export interface IndexWeights {
  /** Weight of the normalised download speed in the connection-state valuation index. */
  readonly speedWeight: number;
  /** Weight of the normalised inverse RTT. */
  readonly rttWeight: number;
}

export interface FallbackConfig {
  /** Go to the origin when no peer can be reached (tracker list exhausted or all blacklisted). */
  readonly whenNoPeers: boolean;
  /** Go to the origin for a block whose playback deadline is less than this away (µs); 0 turns it off. */
  readonly deadlineMarginUs: number;
  /**
   * Once the fallback that needed it is over, the origin connection is kept open, unused, for this long (µs),
   * so the next fallback does not pay a connection set-up; 0 closes it at once (at the next block start with a
   * peer connection ready). Default DEFAULT_ORIGIN_IDLE_CLOSE_US.
   */
  readonly originIdleCloseUs?: number;
}

export interface AgentConfig {
  readonly content: ContentLayout;
  /** Content bitrate, for deadline-based fallback; 0 means a plain download. */
  readonly bitrateBps: number;
  readonly maxConnections: number;
  readonly trackerListSize: number;
  /** How often the agent asks the tracker for a fresh node list (µs). */
  readonly trackerRefreshUs: number;
  /**
   * Below maxConnections with no known node left to try, the agent asks the tracker at once if it last asked at
   * least this long ago (µs), else as soon as it has. Default DEFAULT_TRACKER_MIN_INTERVAL_US.
   */
  readonly trackerMinIntervalUs?: number;
  readonly connectTimeoutUs: number;
  /** How long a failed node stays in the blacklist queue (µs). */
  readonly blacklistUs: number;
  /**
   * The stall budget of a connection holding work (download-monitor.ts): max(requestTimeoutMinUs,
   * requestTimeoutFactor × (RTT estimate + the sub-block at its head at its estimated rate)). A connection
   * silent for longer (no sub-block since the last one, or since work was given to it while idle) is dropped
   * and its node blacklisted. Floor in µs; the factor is ≥ 1.
   */
  readonly requestTimeoutMinUs: number;
  readonly requestTimeoutFactor: number;
  /** Smoothing factor of the EWMA rate and RTT estimates, in (0, 1]. */
  readonly ewmaAlpha: number;
  readonly index: IndexWeights;
  /** The origin server, or null when there is none. */
  readonly originNodeId: NodeId | null;
  readonly fallback: FallbackConfig;
  /** Corrupt sub-blocks a node may deliver before it is blacklisted; default 2 (DEFAULT_CORRUPT_LIMIT). */
  readonly corruptLimit?: number;
  /** Start-up threshold of the player in seconds of content (for deadlines), µs. */
  readonly startupBufferUs: number;
  /**
   * Note every decision (request, cancel, duplicate, drop, connect, tracker query, corrupt, block start, a
   * move's reasons) for a trace, not only those metrics need (ports.ts, AgentNote). Never changes a decision.
   * Default false.
   */
  readonly decisionNotes?: boolean;
  /**
   * The player's maximum buffer (µs of content): no block is started while playback would reach it later than
   * this from now, so downloading pauses while the buffer is full. 0 or absent: no limit.
   */
  readonly maxBufferUs?: number;
  /** Live content (absent: video on demand). */
  readonly live?: LiveSettings;
  /**
   * A reservation: the agent starts before the viewer asks to play, at playAtUs (µs); until then it fetches only
   * the first prefetchBlocks blocks of what it will play. Absent: playback is asked for when the agent starts.
   */
  readonly reservation?: ReservationSettings;
  /** Swarm mode: the agent serves what it holds and fetches only from nodes that hold it (absent: every node holds everything). */
  readonly swarm?: SwarmSettings;
}

/** Live content, produced at the bitrate from producedFromUs on: block k exists once its last byte was produced. */
export interface LiveSettings {
  readonly producedFromUs: number;
  /** The agent starts this far behind the live edge (µs of content). */
  readonly targetLatencyUs: number;
}

export interface ReservationSettings {
  readonly playAtUs: number;
  readonly prefetchBlocks: number;
}

/** The agent as a member of a swarm (claims 17, 25-27, 33, 36). */
export interface SwarmSettings {
  /** The tracker's name for this agent's own node: never a candidate. */
  readonly selfNodeId: NodeId;
  /** Connections from other agents accepted at once. */
  readonly uploadSlots: number;
  /** Bytes of whole blocks the cache keeps. */
  readonly cacheBytes: number;
  readonly cachePolicy: "lru" | "fifo";
  /** How often the agent announces what it holds to the tracker, µs (> 0). */
  readonly announceIntervalUs: number;
}

/** Default of AgentConfig.corruptLimit. */
export const DEFAULT_CORRUPT_LIMIT = 2;
/** Default of FallbackConfig.originIdleCloseUs: 30 s, about what HTTP servers keep an idle connection open. */
export const DEFAULT_ORIGIN_IDLE_CLOSE_US = 30_000_000;
/** Default of AgentConfig.trackerMinIntervalUs. */
export const DEFAULT_TRACKER_MIN_INTERVAL_US = 1_000_000;
