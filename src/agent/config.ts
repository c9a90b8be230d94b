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
}

export interface AgentConfig {
  readonly content: ContentLayout;
  /** Content bitrate, for deadline-based fallback; 0 means a plain download. */
  readonly bitrateBps: number;
  readonly maxConnections: number;
  readonly trackerListSize: number;
  /** How often to ask the tracker for more nodes while below maxConnections (µs). */
  readonly trackerRefreshUs: number;
  readonly connectTimeoutUs: number;
  /** How long a failed node stays in the blacklist queue (µs). */
  readonly blacklistUs: number;
  /** A request with no sub-block for this long (and at least timeoutFactor × expected) is declared stalled (µs). */
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
}

/** Default of AgentConfig.corruptLimit. */
export const DEFAULT_CORRUPT_LIMIT = 2;
