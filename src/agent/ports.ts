// The agent's boundary with the world, sans-IO in the style of h11 or quinn-proto: inputs are events handed to
// the agent with the time they happen at (Agent.start(nowUs), Agent.handle(nowUs, event)); outputs are commands
// the agent queues and the driver drains (Agent.poll()) and executes after the call returns. The agent never
// calls out, so no driver code can run, let alone call back into the agent, while the agent works: a command's
// consequences come back later as events. The agent allocates every id it uses (connections, timers) itself;
// the time it sees is the time of the input it is handling. A simulator and a real network both drive it so.

/** Identifies a node (peer, content server or origin) as the tracker names it. */
export type NodeId = number;
/** Identifies one connection the agent opened: allocated by the agent from 0 up, never reused within a run. */
export type ConnId = number;
/** Global sub-block index: blockIndex * subBlocksPerBlock + index within the block. */
export type SubBlockId = number;
/** Identifies one timer the agent set: allocated by the agent from 1 up, never reused within a run. */
export type TimerId = number;

/** A seeding peer, a content server, the origin, or (in a swarm) another viewer running the agent. */
export type NodeKind = "peer" | "server" | "origin" | "viewer";

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

export type ConnectFailReason = "refused" | "timeout" | "unreachable";
export type DisconnectReason = "peer-left" | "reset";

// ---- inputs ------------------------------------------------------------------------------------------------

export type AgentEvent =
  | { readonly type: "tracker-nodes"; readonly nodes: readonly NodeInfo[] }
  | { readonly type: "connected"; readonly connId: ConnId }
  | { readonly type: "connect-failed"; readonly connId: ConnId; readonly reason: ConnectFailReason }
  | {
      readonly type: "sub-block";
      readonly connId: ConnId;
      readonly subBlockId: SubBlockId;
      readonly sizeBytes: number;
      /** When the first byte of this sub-block arrived (µs, the agent's time base). */
      readonly firstByteUs: number;
      /** False when the payload failed its checksum. */
      readonly checksumOk: boolean;
    }
  | { readonly type: "disconnected"; readonly connId: ConnId; readonly reason: DisconnectReason }
  /**
   * The node does not hold the requested sub-block's block ("don't have", swarm mode): the request is over, and
   * the node is not asked for that block again while it is in the window.
   */
  | { readonly type: "not-held"; readonly connId: ConnId; readonly subBlockId: SubBlockId }
  /**
   * What the node of a connection holds (swarm mode: a viewer node, which holds only what it downloaded and
   * kept): every block it holds, ascending. Sent before `connected` (at connect time); a later one replaces the
   * set. From then on the agent requests on that connection only sub-blocks of blocks in the set (but as a last
   * resort, when no ready connection holds a block; `not-held` stays the answer to a stale set). A connection
   * that never gets `holds` is taken to hold everything (seeding peers, content servers, the origin).
   */
  | { readonly type: "holds"; readonly connId: ConnId; readonly blocks: readonly number[] }
  /** The node of a connection that got `holds` now holds `block` too (it completed it while connected). */
  | { readonly type: "have"; readonly connId: ConnId; readonly block: number }
  /** The node of a connection that got `holds` no longer holds `block` (its cache evicted it). */
  | { readonly type: "lost"; readonly connId: ConnId; readonly block: number }
  /** A timer the agent set is due (a driver may still deliver one the agent cancelled: it is ignored). */
  | { readonly type: "timer"; readonly timerId: TimerId };

// ---- outputs -----------------------------------------------------------------------------------------------

/**
 * What the agent asks the driver to do, in the order the driver must do it. Every command is a plain object the
 * driver may keep (its arrays are the agent's own copies and never change after the command is queued).
 */
export type AgentCommand =
  /** Open a connection to the node; answer with `connected` or `connect-failed` (or nothing: the agent times out). */
  | { readonly type: "connect"; readonly connId: ConnId; readonly nodeId: NodeId }
  /** Ask for sub-blocks on a ready connection; the node sends them back to back in this order. */
  | { readonly type: "request"; readonly connId: ConnId; readonly subBlockIds: readonly SubBlockId[] }
  /** Withdraw requested sub-blocks: no `sub-block` event may follow for them on this connection. */
  | { readonly type: "cancel"; readonly connId: ConnId; readonly subBlockIds: readonly SubBlockId[] }
  /** Close the connection; every outstanding request on it is abandoned and no event may follow for it. */
  | { readonly type: "close"; readonly connId: ConnId }
  /** Deliver a `timer` event at atUs (an integer µs ≥ the time of the input that set it). */
  | { readonly type: "set-timer"; readonly timerId: TimerId; readonly atUs: number }
  /** The timer is no longer wanted: the driver should not deliver it (the agent ignores it if it does). */
  | { readonly type: "cancel-timer"; readonly timerId: TimerId }
  /** Ask the tracker for up to maxNodes nodes holding the content; answer with `tracker-nodes`. */
  | { readonly type: "ask-tracker"; readonly maxNodes: number }
  /** Tell the tracker how many complete blocks the agent now holds (the first blocksHeld, in order). */
  | { readonly type: "announce"; readonly blocksHeld: number }
  /** A complete block, handed over strictly in order, each exactly once. */
  | { readonly type: "deliver-block"; readonly blockIndex: number; readonly sizeBytes: number }
  | AgentNote;

/**
 * What the agent decided and why, for metrics and traces; a driver may ignore any note, and none is ever
 * answered. Each note is a flat object of named fields (numbers, strings, booleans, arrays of numbers) keyed by
 * `note`, so a trace can write any note without knowing its kind, and a new kind of decision is a new member
 * here, never a change of the boundary. A note happens at the time of the input being handled.
 *
 * Five kinds are always noted (drivers keep metrics from them): rebalance, blacklisted, fallback, origin-in-use
 * and request-timeout. The others, and the optional fields said so, only with AgentConfig.decisionNotes (a
 * trace or an explanation wants them; nobody pays for building them otherwise).
 */
export type AgentNote =
  /**
   * A strategy moved sub-blocks from one connection to another (ctx.move). With decisionNotes: the ids and
   * what the strategy gave as its reasons (MoveWhy's fields, those it set).
   */
  | {
      readonly type: "note";
      readonly note: "rebalance";
      readonly fromConn: ConnId;
      readonly toConn: ConnId;
      readonly movedCount: number;
      readonly subBlockIds?: readonly SubBlockId[];
      readonly reason?: string;
      readonly fromRateBps?: number;
      readonly toRateBps?: number;
      readonly fromQueuedBytes?: number;
      readonly fromEndUs?: number;
      readonly toEndUs?: number;
      readonly afterEndUs?: number;
    }
  /** A node went into the blacklist queue for this reason until untilUs (a node blacklisted twice is noted twice). */
  | { readonly type: "note"; readonly note: "blacklisted"; readonly nodeId: NodeId; readonly reason: string; readonly untilUs: number }
  /** The origin was called in (reason "no-peers" or "deadline") while `block` was the current block. */
  | { readonly type: "note"; readonly note: "fallback"; readonly reason: string; readonly block: number }
  /**
   * The origin connection was parked (kept open but out of use between fallbacks: inUse false) or put back in
   * use by a fallback (inUse true).
   */
  | { readonly type: "note"; readonly note: "origin-in-use"; readonly connId: ConnId; readonly inUse: boolean }
  /**
   * A connection holding work was silent past its stall budget: it is dropped now (a drop note follows with
   * decisionNotes). silentSinceUs: when its silence began; budgetUs: the budget it ran out of.
   */
  | {
      readonly type: "note";
      readonly note: "request-timeout";
      readonly connId: ConnId;
      readonly nodeId: NodeId;
      readonly silentSinceUs: number;
      readonly budgetUs: number;
      readonly outstandingCount: number;
    }
  // ---- only with decisionNotes -----------------------------------------------------------------------------
  /** Sub-blocks requested on a connection, and who decided it. */
  | {
      readonly type: "note";
      readonly note: "request";
      readonly connId: ConnId;
      readonly nodeId: NodeId;
      readonly subBlockIds: readonly SubBlockId[];
      readonly by: RequestCause;
    }
  /** Sub-blocks withdrawn from a connection, and why. */
  | {
      readonly type: "note";
      readonly note: "cancel";
      readonly connId: ConnId;
      readonly nodeId: NodeId;
      readonly subBlockIds: readonly SubBlockId[];
      readonly by: CancelCause;
    }
  /** A strategy requested a sub-block already in flight elsewhere (copiesOn: the connections already fetching it). */
  | {
      readonly type: "note";
      readonly note: "duplicate";
      readonly connId: ConnId;
      readonly subBlockId: SubBlockId;
      readonly copiesOn: readonly ConnId[];
    }
  /** The agent closed a connection and returned its work to the pool; blame: the blacklist reason, "" if none. */
  | {
      readonly type: "note";
      readonly note: "drop";
      readonly connId: ConnId;
      readonly nodeId: NodeId;
      readonly blame: string;
      readonly returnedIds: readonly SubBlockId[];
    }
  /** A connection to a node was opened: to refill the peer slots (reason "refill") or for the origin ("fallback"). */
  | {
      readonly type: "note";
      readonly note: "connect";
      readonly connId: ConnId;
      readonly nodeId: NodeId;
      readonly nodeKind: NodeKind;
      readonly reason: string;
      /** The node's prior rate from the tracker's report (the candidate order), bits/s. */
      readonly priorRateBps: number;
      /** Peer/server connections open or opening after this one. */
      readonly peerConnections: number;
    }
  /** The agent asked the tracker ("start", "refresh": every tracker_refresh_ms, "no-candidates": below max_connections with no node left to try). */
  | { readonly type: "note"; readonly note: "tracker-query"; readonly maxNodes: number; readonly reason: string }
  /** A sub-block failed its checksum: back to the pool, its node may not fetch it again; corruptCount: the node's so far. */
  | {
      readonly type: "note";
      readonly note: "corrupt";
      readonly connId: ConnId;
      readonly nodeId: NodeId;
      readonly subBlockId: SubBlockId;
      readonly corruptCount: number;
      readonly corruptLimit: number;
    }
  /** A block entered the download window and the strategy was asked to split it; readyConns: the ready connections. */
  | { readonly type: "note"; readonly note: "block-start"; readonly block: number; readonly readyConns: readonly ConnId[] };

/** Who asked for a request: the strategy, its move or duplicate, the agent's forced assignment, or the origin fallback. */
export type RequestCause = "strategy" | "move" | "duplicate" | "forced" | "fallback";
/** Why sub-blocks were withdrawn: a strategy's move, another copy arrived first, or the origin fallback took them. */
export type CancelCause = "move" | "copy-arrived" | "fallback";

export type AgentNoteKind = AgentNote["note"];
