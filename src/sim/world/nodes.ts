// Simulated nodes: the origin server, content servers and peers, with their true state (capacity, RTT, load,
// online or not, stalls and slow-downs) and their own named random streams. Each node's draws come from
// streams named after its group and index (e.g. `peers/0/17/params`), never from a global counter, so adding a
// peer or changing the strategy shifts no other node's draws.

import type { NodeKind } from "../../agent/ports.ts";
import type { NodeFailures, NodeGroupConfig, OriginConfig } from "../config.ts";
import { makeSampler } from "../random/distributions.ts";
import type { Rng, RandomStreams } from "../random/streams.ts";

export class SimNode {
  online = true;
  /** Connections still finishing their in-flight sub-block after a graceful leave. */
  draining = 0;
  /** 0 while stalled, 1 otherwise. */
  stallFactor = 1;
  /** < 1 during a temporary slow-down. */
  slowFactor = 1;
  /** Base uplink now (trace-driven when the node has a trace), bits per second. */
  uplinkBps: number;
  /** Base uplink before the last change, and when it changed: the tracker's stale view. */
  prevUplinkBps: number;
  uplinkChangedUs = Number.NEGATIVE_INFINITY;
  /** Open (connected) connections to this node, in the order they were opened. */
  readonly conns: number[] = [];
  /** The viewer this node is (kind "viewer"), or -1. */
  viewer = -1;
  /** The node's network host (set when the world adds it). */
  host = -1;
  private readonly rngs = new Map<string, Rng>();

  constructor(
    private readonly streams: RandomStreams,
    readonly id: number,
    readonly kind: NodeKind,
    /** Where the node comes from in the scenario, e.g. `peers[1]#4`. */
    readonly label: string,
    readonly streamPrefix: string,
    /** Index of the node's group among the groups of its kind (-1: the origin). */
    readonly group: number,
    /** The uplink the node advertises (its nominal capacity), bits per second. */
    readonly nominalUplinkBps: number,
    readonly rttUs: number,
    readonly jitterUs: number,
    /** Reported load in [0, 1]; the node gives (1 - load) of its uplink. */
    readonly load: number,
    readonly connectedUsers: number,
    readonly failures: NodeFailures,
  ) {
    this.uplinkBps = nominalUplinkBps;
    this.prevUplinkBps = nominalUplinkBps;
  }

  /** What this node can give the agent now, bits per second (before the network's efficiency factor). */
  effectiveUplinkBps(): number {
    if (!this.online) return 0;
    return ((this.uplinkBps * (1 - this.load)) / (1 + this.connectedUsers)) * this.stallFactor * this.slowFactor;
  }

  /** The node's stream for one purpose (`connect`, `corrupt`, `jitter`, `churn`, ...), created on first use. */
  rng(purpose: string): Rng {
    let r = this.rngs.get(purpose);
    if (r === undefined) {
      r = this.streams.stream(`${this.streamPrefix}/${purpose}`);
      this.rngs.set(purpose, r);
    }
    return r;
  }
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/**
 * Draws a node of group `groupIndex` (of its kind) from its `params` stream, in a fixed order: uplink, RTT,
 * load, users (servers only).
 */
export function drawNode(
  streams: RandomStreams,
  id: number,
  kind: NodeKind,
  label: string,
  streamPrefix: string,
  groupIndex: number,
  group: NodeGroupConfig,
): SimNode {
  const rng = streams.stream(`${streamPrefix}/params`);
  const uplinkBps = Math.max(1, makeSampler(group.uplinkBps)(rng));
  const rttUs = Math.max(0, Math.round(makeSampler(group.rttMs)(rng) * 1000));
  const load = clamp01(makeSampler(group.load)(rng));
  const users = group.connectedUsers !== undefined ? Math.max(0, Math.round(makeSampler(group.connectedUsers)(rng))) : 0;
  return new SimNode(streams, id, kind, label, streamPrefix, groupIndex, uplinkBps, rttUs, group.jitterUs, load, users, group.failures);
}

export function originNode(streams: RandomStreams, id: number, origin: OriginConfig): SimNode {
  return new SimNode(streams, id, "origin", "origin", "origin", -1, origin.uplinkBps, origin.rttUs, 0, 0, 0, origin.failures);
}
