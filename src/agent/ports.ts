// The agent's boundary with the world: every interface the agent talks through, and every event it reacts to.
// Sans-IO: a simulator and a real network both implement these. Nothing here does I/O, owns a timer, or
// returns a promise. Calls into a port never call back into the agent synchronously; their consequences
// arrive later as AgentEvents through Agent.handle().

/** Identifies a node (peer, content server or origin) as the tracker names it. */
export type NodeId = number;
/** Identifies one connection the agent opened; never reused within a run. */
export type ConnId = number;
/** Global sub-block index: blockIndex * subBlocksPerBlock + index within the block. */
export type SubBlockId = number;
export type TimerId = number;

export type NodeKind = "peer" | "server" | "origin";

/** Node state as the tracker (the connection control server) reports it: possibly noisy or stale. */
export interface NodeInfo {
  readonly nodeId: NodeId;
  readonly kind: NodeKind;
  /** Uplink the node advertises, bits per second. */
  readonly advertisedUplinkBps: number;
  /** RTT hint, milliseconds. */
  readonly rttHintMs: number;
  /** Load in [0, 1] (CPU load for servers, upload utilisation for peers). */
  readonly load: number;
  /** Users connected to the node (servers report it; peers report 0). */
  readonly connectedUsers: number;
}

export interface Clock {
  nowUs(): number;
  /** Fires a `timer` event after delayUs (integer, ≥ 0). */
  setTimer(delayUs: number): TimerId;
  cancelTimer(timerId: TimerId): void;
}

export interface Transport {
  /** Opens a connection; answered by `connected` or `connect-failed` (or by nothing: use a timeout). */
  connect(nodeId: NodeId): ConnId;
  /** Asks for sub-blocks on a connection; the node sends them back to back in this order. */
  request(connId: ConnId, subBlockIds: readonly SubBlockId[]): void;
  /** Withdraws requested sub-blocks. Takes effect at once: no `sub-block` event follows for them. */
  cancel(connId: ConnId, subBlockIds: readonly SubBlockId[]): void;
  /** Closes a connection; every outstanding request on it is abandoned, no event follows. */
  close(connId: ConnId): void;
}

export interface TrackerClient {
  /** Asks for up to maxNodes nodes holding the content; answered by `tracker-nodes`. */
  requestNodes(maxNodes: number): void;
  /** Tells the tracker how many complete blocks the agent now holds. */
  announce(blocksHeld: number): void;
}

/** Where complete blocks go, strictly in order. */
export interface BlockSink {
  deliverBlock(blockIndex: number, sizeBytes: number): void;
}

/** Clairvoyant view of the world, offered only by a simulator (used by the `oracle` strategy). */
export interface Oracle {
  /** Rate the node can give us right now if alone, bits per second (uplink after load, traces, slow-downs). */
  trueUplinkBps(nodeId: NodeId): number;
  /** Round-trip time to the node, microseconds. */
  trueRttUs(nodeId: NodeId): number;
  /** The agent's downlink now, bits per second. */
  downlinkBps(): number;
}

/** Observations the agent reports for metrics; never influences the agent. */
export interface AgentObserver {
  rebalance?(timeUs: number, fromConn: ConnId, toConn: ConnId, movedCount: number): void;
  blacklisted?(timeUs: number, nodeId: NodeId, reason: string): void;
  fallback?(timeUs: number, reason: string): void;
  /**
   * The origin connection was parked (kept open but out of use between fallbacks: inUse false) or put back in
   * use by a fallback (inUse true).
   */
  originInUse?(timeUs: number, connId: ConnId, inUse: boolean): void;
}

export type ConnectFailReason = "refused" | "timeout" | "unreachable";
export type DisconnectReason = "peer-left" | "reset";

export type AgentEvent =
  | { readonly type: "tracker-nodes"; readonly nodes: readonly NodeInfo[] }
  | { readonly type: "connected"; readonly connId: ConnId }
  | { readonly type: "connect-failed"; readonly connId: ConnId; readonly reason: ConnectFailReason }
  | {
      readonly type: "sub-block";
      readonly connId: ConnId;
      readonly subBlockId: SubBlockId;
      readonly sizeBytes: number;
      /** When the first byte of this sub-block arrived (µs). */
      readonly firstByteUs: number;
      /** False when the payload failed its checksum. */
      readonly checksumOk: boolean;
    }
  | { readonly type: "disconnected"; readonly connId: ConnId; readonly reason: DisconnectReason }
  | { readonly type: "timer"; readonly timerId: TimerId };

export interface AgentPorts {
  readonly clock: Clock;
  readonly transport: Transport;
  readonly tracker: TrackerClient;
  readonly sink: BlockSink;
  readonly oracle?: Oracle;
  readonly observer?: AgentObserver;
}
