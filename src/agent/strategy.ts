// The strategy interface: how a scheduling strategy sees the agent and acts on it. The agent owns every piece of
// bookkeeping (pool, copies, timeouts, failures, blacklists, fallback); a strategy only decides which ready
// connection fetches which sub-blocks, through the context's actions, which validate every call (a bad call
// throws, and the agent reports it as a StrategyError).
//
// Hooks (each called with a fresh context):
// - onBlockStart: a block entered the download window (its sub-blocks are in the pool). Called once per block.
// - onConnectionIdle: a ready connection has nothing outstanding (it just connected, finished its work, or its
//   work was taken or returned). The agent offers every idle connection again whenever work returns to the
//   pool, so a strategy that takes pool work on idle always finishes.
// - onSubBlockDone (optional): a sub-block arrived intact on the connection (it may still have work queued).
//
// Guarantees of the agent: the next block's sub-blocks are requested only when every sub-block of the current
// block has arrived, unless the strategy sets `pipelinesBlocks: true` (then the window holds the current and
// the next block, or `windowBlocks` blocks). When the first copy of a duplicated sub-block arrives, the other
// copies are cancelled. If a strategy leaves pool work while no connection has anything outstanding, the agent
// assigns it itself.
//
// Costs (n: sub-blocks in the window, q: a connection's outstanding sub-blocks, k: ids passed): the agent's own
// work per event is O(log n) or amortised O(1); the context's members cost what their comments say, so a
// strategy that works per sub-block should use poolHead rather than pool or poolFor, which are O(pool size), and
// a connection's outstandingCount, outstandingAt and queueVersion rather than `outstanding` (O(q) after a change).
//
// Adding a strategy: one file in src/agent/strategies/ and one line in src/agent/strategies/registry.ts.
//
// What a strategy may know beyond the context comes with its creation (StrategyEnv): a simulator offers the
// Oracle, a real network does not, so a strategy that needs it asks for it in create() and fails there.

import type { AgentConfig } from "./config.ts";
import type { Content } from "./content.ts";
import type { ConnId, NodeId, NodeKind, SubBlockId } from "./ports.ts";

/** Clairvoyant view of the world, offered only by a simulator (used by the `oracle` strategy). */
export interface Oracle {
  /** Rate the node can give us right now if alone, bits per second (uplink after load, traces, slow-downs). */
  trueUplinkBps(nodeId: NodeId): number;
  /** Round-trip time to the node, microseconds. */
  trueRttUs(nodeId: NodeId): number;
  /** The agent's downlink now, bits per second. */
  downlinkBps(): number;
}

/** What the host running the agent offers strategies when it creates them. */
export interface StrategyEnv {
  /** Present only on a simulator. */
  readonly oracle?: Oracle;
}

export interface ConnectionView {
  readonly id: ConnId;
  readonly nodeId: NodeId;
  readonly kind: NodeKind;
  /** Estimated download rate (bits/s): EWMA of measurements, the tracker prior before any. */
  readonly rateBps: number;
  /** Estimated RTT (µs): EWMA of measurements, the tracker hint before any. */
  readonly rttUs: number;
  /** True once the rate was measured on this connection. */
  readonly measured: boolean;
  /** Connection-state valuation index among the ready connections (see valuation-index.ts). */
  readonly index: number;
  /**
   * Sub-blocks requested and not yet arrived, in request order. Live during the hook call (reflects actions
   * taken since); read it again in a later hook. O(1) to read unless sub-blocks arrived or were cancelled on the
   * connection since it was last read, then O(q) (the list is compacted).
   */
  readonly outstanding: readonly SubBlockId[];
  /** How many sub-blocks are outstanding (live, O(1)). */
  readonly outstandingCount: number;
  /** The i-th outstanding sub-block in request order, 0 ≤ i < outstandingCount (live, amortised O(1)). */
  outstandingAt(i: number): SubBlockId;
  /**
   * Bumped by every change to `outstanding` (live, O(1)): an unchanged version means an unchanged list, so a
   * strategy can keep what it derived from the list without comparing it.
   */
  readonly queueVersion: number;
  /**
   * The agent has committed this connection's work: the origin serving a block whose playback deadline is at
   * risk. `move` refuses to take sub-blocks from it (duplicating them elsewhere is still allowed).
   */
  readonly pinned: boolean;
}

/** Why a strategy moves work (ctx.move's last argument): what it saw, for traces. Every field is optional. */
export interface MoveWhy {
  /** In a few words, the rule that moved (e.g. "the last to finish gives its tail to the one that ends it soonest"). */
  readonly reason?: string;
  /** The connections' estimated rates, bits/s. */
  readonly fromRateBps?: number;
  readonly toRateBps?: number;
  /** Bytes queued on `from` before the move. */
  readonly fromQueuedBytes?: number;
  /** When `from` was expected to deliver the moved sub-blocks (or its whole queue) without the move, µs. */
  readonly fromEndUs?: number;
  /** When `to` is expected to deliver them after the move, µs. */
  readonly toEndUs?: number;
  /** When the later of the two is expected to finish after the move, µs. */
  readonly afterEndUs?: number;
}

export interface StrategyContext {
  readonly nowUs: number;
  /** The current block: the lowest block not yet complete. */
  readonly block: number;
  readonly content: Content;
  readonly config: AgentConfig;
  /** Ready connections in the order they were opened (figures as of the hook call, `outstanding` live). */
  readonly connections: readonly ConnectionView[];
  /**
   * Unassigned sub-blocks of the window, ascending. Live during the hook call (reflects actions taken since);
   * read it again in a later hook. O(1) to read unless the pool changed since it was last read, then O(pool
   * size); once read in a hook, each action costs O(pool size) more to keep it live.
   */
  readonly pool: readonly SubBlockId[];

  /**
   * The pool minus the sub-blocks conn's node may not fetch (it delivered them corrupt, or it does not hold
   * their block: swarm mode's `holds`/`have` inputs); a fresh array, O(pool size).
   */
  poolFor(conn: ConnId): SubBlockId[];
  /** The first `max` sub-blocks of poolFor(conn), ascending, as a fresh array: O(max · log n), not O(pool size). */
  poolHead(conn: ConnId, max: number): SubBlockId[];
  /** Connections currently fetching id (more than one when duplicated); O(1). */
  copiesOf(id: SubBlockId): readonly ConnId[];
  /** May conn fetch id (in the window, not done, not already on conn, its node holds id's block and is not excluded)? O(1). */
  canFetch(conn: ConnId, id: SubBlockId): boolean;

  /** Requests pool sub-blocks on a ready connection, as one request, in the given order: O(k · log n). */
  request(conn: ConnId, ids: readonly SubBlockId[]): void;
  /**
   * Cancels ids outstanding on `from` and requests them on `to` (a rebalance, noted for the driver):
   * O(k · log n + q of `from`). `why`: the figures the strategy decided on, for traces and `sim explain`; a
   * function is called only when decisions are recorded, before the move is applied (it must not change the
   * strategy's state: a recorded run must decide exactly as an unrecorded one).
   */
  move(from: ConnId, to: ConnId, ids: readonly SubBlockId[], why?: MoveWhy | (() => MoveWhy)): void;
  /** Requests a sub-block already in flight elsewhere on conn too; the first copy to arrive wins. O(log n). */
  duplicate(conn: ConnId, id: SubBlockId): void;
}

export interface Strategy {
  readonly name: string;
  /** True when the strategy may request the next block before the current one is complete. */
  readonly pipelinesBlocks?: boolean;
  /** With pipelinesBlocks: how many blocks the window holds (the current one included); default and minimum 2. */
  readonly windowBlocks?: number;
  /**
   * False when the first block need not wait for the other connection attempts (default true: a split at block
   * start then sees more than the fastest-answering node); a strategy that hands out work per connection as
   * connections become ready starts at the first one.
   */
  readonly waitsForConnections?: boolean;
  onBlockStart(ctx: StrategyContext): void;
  onConnectionIdle(ctx: StrategyContext, conn: ConnectionView): void;
  onSubBlockDone?(ctx: StrategyContext, conn: ConnectionView): void;
}

export interface StrategyEntry {
  readonly name: string;
  readonly description: string;
  /** A fresh strategy; one that needs something env lacks (the oracle, say) throws an Error saying so. */
  create(env?: StrategyEnv): Strategy;
}

/** A strategy threw: names the strategy and the simulated time. */
export class StrategyError extends Error {
  override readonly cause: unknown;

  constructor(
    readonly strategy: string,
    readonly timeUs: number,
    cause: unknown,
  ) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(`strategy "${strategy}" failed at t=${timeUs} µs: ${why}`);
    this.name = "StrategyError";
    this.cause = cause;
  }
}
