// The strategy's side of the agent: runs its hooks, each with a fresh StrategyContext (plain data, the pool as a
// live getter, and actions made once), validates every action it takes (a bad call throws, and the hook's throw
// becomes a StrategyError naming the strategy and the time), and applies the valid ones through the agent.

import { assert } from "../assert.ts";
import type { AgentConfig } from "./config.ts";
import type { Connection } from "./connection.ts";
import type { ConnectionControl } from "./connection-control.ts";
import type { ConnectionViews } from "./connection-views.ts";
import type { Content } from "./content.ts";
import type { Outbox } from "./outbox.ts";
import type { AgentNote, CancelCause, ConnId, NodeKind, RequestCause, SubBlockId } from "./ports.ts";
import type { MutableStats } from "./stats.ts";
import type { ConnectionView, MoveWhy, Strategy, StrategyContext } from "./strategy.ts";

/** Every block is allowed (a node that never said what it holds). */
const ALL_BLOCKS = (): boolean => true;
import { StrategyError } from "./strategy.ts";
import type { SubBlockManager } from "./sub-block-manager.ts";

/** What the strategy's actions need from the agent's state machine. */
export interface ContextHost {
  /** Requests ids on conn (ids then belong to the command); by: who decided it. */
  send(conn: Connection, ids: readonly SubBlockId[], by: RequestCause): void;
  /** Cancels ids on conn (ids then belong to the command); by: why. */
  cancelOn(conn: Connection, ids: readonly SubBlockId[], by: CancelCause): void;
  /** Whether a connection of this kind is pinned now (origin-fallback.ts). */
  isPinned(kind: NodeKind): boolean;
}

/** No id twice (without building a Set for the short lists requests usually are): O(ids). */
function distinct(ids: readonly SubBlockId[]): boolean {
  if (ids.length > 32) return new Set(ids).size === ids.length;
  for (let i = 1; i < ids.length; i++) if (ids.lastIndexOf(ids[i], i - 1) >= 0) return false;
  return true;
}

export class StrategyRunner {
  /** A strategy read the pool during the hook being run: keep it up to date after each action. */
  private poolShared = false;

  constructor(
    private readonly strategy: Strategy,
    private readonly config: AgentConfig,
    private readonly content: Content,
    private readonly subBlocks: SubBlockManager,
    private readonly control: ConnectionControl,
    private readonly views: ConnectionViews,
    private readonly out: Outbox,
    private readonly stats: MutableStats,
    private readonly host: ContextHost,
  ) {}

  get hasSubBlockDone(): boolean {
    return this.strategy.onSubBlockDone !== undefined;
  }

  blockStart(): void {
    try {
      this.strategy.onBlockStart(this.context());
    } catch (e) {
      throw new StrategyError(this.strategy.name, this.out.nowUs, e);
    } finally {
      this.poolShared = false;
    }
  }

  /** onConnectionIdle or onSubBlockDone for one ready connection (without a closure per call: this runs per event). */
  connectionHook(hook: "idle" | "done", conn: Connection): void {
    try {
      const ctx = this.context();
      const view = this.views.viewOf(ctx.connections, conn);
      if (hook === "idle") this.strategy.onConnectionIdle(ctx, view);
      else this.strategy.onSubBlockDone?.(ctx, view);
    } catch (e) {
      throw new StrategyError(this.strategy.name, this.out.nowUs, e);
    } finally {
      this.poolShared = false;
    }
  }

  /** A fresh context per hook call: plain data plus the shared actions (no closures made per call). */
  private context(): StrategyContext {
    const views = this.views.of(this.control.ready());
    return new HookContext(this.out.nowUs, this.subBlocks.current, this.content, this.config, views, this.actions);
  }

  /** The pool for the strategy: read during a hook, it is kept up to date after each action until the hook ends. */
  private sharedPool(): readonly SubBlockId[] {
    this.poolShared = true;
    return this.subBlocks.pool;
  }

  /** After a strategy action: what the strategy read stays live (the pool it read, the lists of `from`). */
  private afterAction(from: Connection | null): void {
    if (this.poolShared) this.subBlocks.syncPool();
    from?.compact();
  }

  private readyConn(id: ConnId): Connection {
    const conn = this.control.get(id);
    assert(conn?.ready === true, "connection {0} is not a ready connection", id);
    return conn;
  }

  private canFetch(connId: ConnId, id: SubBlockId): boolean {
    const conn = this.control.get(connId);
    const sb = this.subBlocks;
    return conn !== undefined && sb.inWindow(id) && !sb.isDone(id) && !sb.holds(id, connId) && this.nodeMayFetch(conn, id);
  }

  /** conn's node holds id's block (as far as the agent knows) and did not deliver id corrupt. */
  private nodeMayFetch(conn: Connection, id: SubBlockId): boolean {
    return conn.holdsBlock(this.content.blockOf(id)) && !this.subBlocks.isExcluded(id, conn.nodeId);
  }

  /** The context's actions, made once. */
  private readonly actions: ContextActions = {
    pool: () => this.sharedPool(),
    poolFor: (connId) => {
      const conn = this.readyConn(connId);
      const sb = this.subBlocks;
      if (!sb.hasExclusions && conn.holdings === null) return sb.pool.slice();
      return sb.pool.filter((id) => this.nodeMayFetch(conn, id));
    },
    poolHead: (connId, max) => {
      const conn = this.readyConn(connId);
      const sb = this.subBlocks;
      assert(Number.isSafeInteger(max) && max >= 0, "poolHead: max must be a count, got {0}", max);
      if (max === 0) return [];
      const blockOk = conn.holdings === null ? ALL_BLOCKS : (block: number) => conn.holdsBlock(block);
      return sb.poolHead(max, sb.hasExclusions ? (id) => !sb.isExcluded(id, conn.nodeId) : () => true, blockOk);
    },
    copiesOf: (id) => this.subBlocks.copies(id),
    canFetch: (connId, id) => this.canFetch(connId, id),
    request: (connId, ids) => {
      const conn = this.readyConn(connId);
      const sb = this.subBlocks;
      assert(distinct(ids), "request: duplicate ids");
      for (const id of ids) {
        assert(sb.inPool(id), "request: sub-block {0} is not in the pool", id);
        assert(!sb.isExcluded(id, conn.nodeId), "request: node {0} delivered {1} corrupt", conn.nodeId, id);
        assert(conn.holdsBlock(this.content.blockOf(id)), "request: node {0} does not hold the block of {1}", conn.nodeId, id);
      }
      this.host.send(conn, ids.slice(), "strategy"); // the strategy may reuse its array
      this.afterAction(null);
    },
    move: (fromId, toId, ids, why) => {
      const from = this.readyConn(fromId);
      const to = this.readyConn(toId);
      assert(from !== to, "move: same connection");
      assert(!this.host.isPinned(from.kind), "move: connection {0} serves a block at its deadline (pinned)", fromId);
      assert(ids.length > 0 && distinct(ids), "move: needs distinct ids");
      for (const id of ids) {
        assert(this.subBlocks.holds(id, fromId), "move: sub-block {0} is not outstanding on connection {1}", id, fromId);
        assert(this.canFetch(toId, id), "move: connection {0} may not fetch sub-block {1}", toId, id);
      }
      const own = ids.slice(); // the strategy may reuse its array
      // The reasons are read before the move changes what they describe (a function is called only here).
      const note = this.out.decisions ? moveNote(fromId, toId, own, typeof why === "function" ? why() : why) : null;
      this.host.cancelOn(from, own, "move");
      this.host.send(to, own, "move");
      this.afterAction(from);
      this.stats.rebalances++;
      this.stats.movedSubBlocks += own.length;
      this.out.note(note ?? { note: "rebalance", fromConn: fromId, toConn: toId, movedCount: own.length });
    },
    duplicate: (connId, id) => {
      const conn = this.readyConn(connId);
      assert(this.subBlocks.copies(id).length > 0, "duplicate: sub-block {0} is not in flight", id);
      assert(this.canFetch(connId, id), "duplicate: connection {0} may not fetch sub-block {1}", connId, id);
      if (this.out.decisions) this.out.note({ note: "duplicate", connId, subBlockId: id, copiesOn: this.subBlocks.copies(id).slice() });
      this.host.send(conn, [id], "duplicate");
      this.afterAction(null);
      this.stats.duplicatesRequested++;
    },
  };
}

/** The rebalance note of a move with its ids and the reasons the strategy gave (only the fields it set). */
function moveNote(fromConn: ConnId, toConn: ConnId, ids: readonly SubBlockId[], why: MoveWhy | undefined): Omit<Extract<AgentNote, { note: "rebalance" }>, "type"> {
  const note: { -readonly [K in keyof Omit<Extract<AgentNote, { note: "rebalance" }>, "type">]: Extract<AgentNote, { note: "rebalance" }>[K] } = {
    note: "rebalance",
    fromConn,
    toConn,
    movedCount: ids.length,
    subBlockIds: ids,
  };
  if (why === undefined) return note;
  if (why.reason !== undefined) note.reason = why.reason;
  if (why.fromRateBps !== undefined) note.fromRateBps = why.fromRateBps;
  if (why.toRateBps !== undefined) note.toRateBps = why.toRateBps;
  if (why.fromQueuedBytes !== undefined) note.fromQueuedBytes = why.fromQueuedBytes;
  if (why.fromEndUs !== undefined) note.fromEndUs = why.fromEndUs;
  if (why.toEndUs !== undefined) note.toEndUs = why.toEndUs;
  if (why.afterEndUs !== undefined) note.afterEndUs = why.afterEndUs;
  return note;
}

type ContextActions = Pick<
  StrategyContext,
  "poolFor" | "poolHead" | "copiesOf" | "canFetch" | "request" | "move" | "duplicate"
> & { readonly pool: () => readonly SubBlockId[] };

/** The context handed to one hook call: plain data, the pool as a getter, and the agent's shared actions. */
class HookContext implements StrategyContext {
  readonly poolFor: StrategyContext["poolFor"];
  readonly poolHead: StrategyContext["poolHead"];
  readonly copiesOf: StrategyContext["copiesOf"];
  readonly canFetch: StrategyContext["canFetch"];
  readonly request: StrategyContext["request"];
  readonly move: StrategyContext["move"];
  readonly duplicate: StrategyContext["duplicate"];
  private readonly readPool: () => readonly SubBlockId[];

  constructor(
    readonly nowUs: number,
    readonly block: number,
    readonly content: Content,
    readonly config: AgentConfig,
    readonly connections: readonly ConnectionView[],
    actions: ContextActions,
  ) {
    this.poolFor = actions.poolFor;
    this.poolHead = actions.poolHead;
    this.copiesOf = actions.copiesOf;
    this.canFetch = actions.canFetch;
    this.request = actions.request;
    this.move = actions.move;
    this.duplicate = actions.duplicate;
    this.readPool = actions.pool;
  }

  get pool(): readonly SubBlockId[] {
    return this.readPool();
  }
}
