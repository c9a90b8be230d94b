// The agent manager: a sans-IO, synchronous state machine that downloads the content block by block from
// several nodes at once. It asks the tracker for nodes, keeps connections open, hands complete blocks to the
// driver in order, and lets a pluggable Strategy decide which connection fetches which sub-block. Every input
// arrives through start(nowUs) and handle(nowUs, event) with its time; every output is a command the driver
// drains through poll() after the call returned (ports.ts), so the agent is never re-entered.
//
// Rules (the design's, as implemented here):
// - Window: the next block's sub-blocks are requested only when every sub-block of the current block has
//   arrived, unless the strategy sets pipelinesBlocks (then the current and the next block are open, or
//   strategy.windowBlocks blocks).
// - First block: it starts once a connection is ready and the other connection attempts have answered, or at
//   the latest min(connectTimeoutUs, 2 × the largest RTT hint among them) after the first one became ready,
//   so that a split at block start sees more than the fastest-answering node (unless the strategy sets
//   waitsForConnections: false, as one that hands out work per connection does: then at the first ready one).
// - Failures: a connect failure or timeout, a `disconnected` ("reset"), a connection silent past its stall
//   budget while it holds work (download-monitor.ts) or corruptLimit corrupt sub-blocks from one node close the
//   connection, return its outstanding sub-blocks to the pool and blacklist the node for blacklistUs.
//   "peer-left" is not the node's fault: no blacklist, but the node is forgotten until the tracker lists it
//   again. A corrupt sub-block goes back to the pool and its node may not fetch it again. Work returned to the
//   pool is offered to every idle connection. A closed connection's slot is refilled after the same event;
//   with no known node left to try, the tracker is asked (at most every trackerRefreshUs).
// - Duplicates: when the first intact copy of a sub-block arrives, every other copy is cancelled.
// - Fallback to the origin (config.originNodeId), counted in stats.fallbacks and reported to the observer:
//   (1) "no-peers" (if fallback.whenNoPeers): after the tracker has answered, no peer/server connection is
//       ready or opening and no known node is left to try (all tried, blacklisted or gone). The origin
//       connection then serves like any other connection; at the next block start where a peer/server
//       connection is ready and the origin has nothing outstanding it is parked: kept open but out of use for
//       fallback.originIdleCloseUs (then closed), so the next fallback needs no connection set-up.
//   (2) "deadline" (if fallback.deadlineMarginUs > 0 and bitrateBps > 0): when the current block's playback
//       deadline (playback-deadline.ts) is less than the margin away and the block is not complete, every
//       unfinished sub-block of it is cancelled elsewhere and requested from the origin connection.
// - A strategy that throws makes the agent throw a StrategyError naming it and the time; the agent is then
//   broken and rethrows that error on every later call.

import { assert } from "./assert.ts";
import { Blacklist } from "./blacklist.ts";
import { BlockManager } from "./block-manager.ts";
import {
  type AgentConfig,
  DEFAULT_CORRUPT_LIMIT,
  DEFAULT_ORIGIN_IDLE_CLOSE_US,
  DEFAULT_TRACKER_MIN_INTERVAL_US,
} from "./config.ts";
import type { Connection } from "./connection.ts";
import { ConnectionControl } from "./connection-control.ts";
import { Content } from "./content.ts";
import { DownloadMonitor } from "./download-monitor.ts";
import { NodeDirectory } from "./node-directory.ts";
import { PlaybackDeadline } from "./playback-deadline.ts";
import { Outbox } from "./outbox.ts";
import type { AgentCommand, AgentEvent, ConnId, NodeId, NodeKind, SubBlockId, TimerId } from "./ports.ts";
import type { ConnectionView, Strategy, StrategyContext } from "./strategy.ts";
import { StrategyError } from "./strategy.ts";
import { SubBlockManager } from "./sub-block-manager.ts";
import { Timers } from "./timers.ts";
import type { ConnectionEstimate } from "./estimator.ts";
import { type ValuationScale, valuationIndex, valuationScale } from "./valuation-index.ts";

export { StrategyError } from "./strategy.ts";
export { createStrategy, STRATEGIES } from "./strategies/registry.ts";

export interface AgentStats {
  /** move() calls (each is one rebalance, whatever the number of sub-blocks moved). */
  readonly rebalances: number;
  readonly movedSubBlocks: number;
  /** Nodes put in the blacklist queue (a node blacklisted twice counts twice). */
  readonly blacklisted: number;
  /** Times the origin was called in (no-peers or deadline). */
  readonly fallbacks: number;
  readonly duplicatesRequested: number;
  /** Copies cancelled because another copy of the same sub-block arrived first. */
  readonly redundantCancelled: number;
  readonly corruptSubBlocks: number;
  readonly stalledConnections: number;
  /** Connection attempts refused, unreachable or timed out. */
  readonly connectFailures: number;
  /** Times the agent assigned pool work itself because the strategy left it with every connection idle. */
  readonly forcedAssignments: number;
  readonly connectionsOpened: number;
  readonly blocksDelivered: number;
}

type MutableStats = { -readonly [K in keyof AgentStats]: AgentStats[K] };

const sameScale = (a: ValuationScale, b: ValuationScale): boolean =>
  a.maxRateBps === b.maxRateBps && a.minRttUs === b.minRttUs;

/** No id twice (without building a Set for the short lists requests usually are): O(ids). */
function distinct(ids: readonly SubBlockId[]): boolean {
  if (ids.length > 32) return new Set(ids).size === ids.length;
  for (let i = 1; i < ids.length; i++) if (ids.lastIndexOf(ids[i], i - 1) >= 0) return false;
  return true;
}

/** Upper bound on strategy calls and agent steps after one event (a livelock guard). */
const MAX_STEPS_PER_EVENT = 1_000_000;

export class Agent {
  private readonly out = new Outbox();
  private readonly content: Content;
  private readonly timers: Timers;
  private readonly directory: NodeDirectory;
  private readonly control: ConnectionControl;
  private readonly subBlocks: SubBlockManager;
  private readonly blocks: BlockManager;
  private readonly monitor: DownloadMonitor;
  private readonly playback: PlaybackDeadline;
  private readonly corruptLimit: number;
  private readonly corruptByNode = new Map<NodeId, number>();
  /** Ready connections waiting to be offered to the strategy as idle, in order. */
  private readonly idleQueue: ConnId[] = [];
  /** Blocks < startedBlocks have had onBlockStart. */
  private startedBlocks = 0;
  private firstReadyUs = -1;
  private startWaitTimer: TimerId | null = null;
  private startWaitOver = false;
  private refreshTimer: TimerId | null = null;
  private lastTrackerAskUs = Number.NEGATIVE_INFINITY;
  private refreshDueUs = 0;
  /** Closes the parked origin connection (see retireOrigin). */
  private originCloseTimer: TimerId | null = null;
  private deadlineBlock = -1;
  private deadlineTimer: TimerId | null = null;
  private urgentBlock = -1;
  private urgentServed = false;
  private started = false;
  private failure: Error | null = null;
  /** Strategy views of the ready connections as last built, and what they were built from. */
  private views: ConnectionView[] = [];
  private viewsOf: readonly Connection[] | null = null;
  private viewEstimates: ConnectionEstimate[] = [];
  private viewScale: ValuationScale = { maxRateBps: 0, minRttUs: 0 };
  /** A strategy read the pool during the hook being run: keep it up to date after each action. */
  private poolShared = false;
  /** Position of each ready connection in viewsOf. */
  private viewIndex = new Map<Connection, number>();
  /** The origin's pinned state changed since the views were last built: rebuild all of them. */
  private pinnedChanged = false;
  /** Ready connections whose estimate took a sample since the views were last built (no repeats). */
  private readonly sampled: Connection[] = [];
  private readonly s: MutableStats = {
    rebalances: 0,
    movedSubBlocks: 0,
    blacklisted: 0,
    fallbacks: 0,
    duplicatesRequested: 0,
    redundantCancelled: 0,
    corruptSubBlocks: 0,
    stalledConnections: 0,
    connectFailures: 0,
    forcedAssignments: 0,
    connectionsOpened: 0,
    blocksDelivered: 0,
  };

  constructor(
    private readonly config: AgentConfig,
    private readonly strategy: Strategy,
  ) {
    assert(
      Number.isSafeInteger(config.maxConnections) && config.maxConnections >= 1,
      "maxConnections must be ≥ 1",
    );
    assert(
      config.requestTimeoutFactor > 0 && config.requestTimeoutMinUs >= 0,
      "the stall budget's factor must be positive and its floor non-negative",
    );
    this.content = new Content(config.content);
    this.timers = new Timers(this.out);
    this.directory = new NodeDirectory(config.originNodeId);
    this.control = new ConnectionControl(
      config,
      this.out,
      this.timers,
      this.directory,
      new Blacklist(config.blacklistUs),
      {
        blacklisted: (nodeId, reason) => {
          this.s.blacklisted++;
          this.out.note({ note: "blacklisted", nodeId, reason });
        },
        connectTimedOut: () => {
          this.s.connectFailures++;
        },
      },
    );
    const windowBlocks = strategy.pipelinesBlocks === true ? Math.max(2, Math.floor(strategy.windowBlocks ?? 2)) : 1;
    this.subBlocks = new SubBlockManager(this.content, windowBlocks);
    this.blocks = new BlockManager(this.content, this.out);
    this.monitor = new DownloadMonitor(config, this.content, this.timers, this.out, (conn) => {
      this.s.stalledConnections++;
      this.dropConnection(conn, "stalled");
    });
    this.playback = new PlaybackDeadline(this.content, config.bitrateBps, config.startupBufferUs);
    this.corruptLimit = config.corruptLimit ?? DEFAULT_CORRUPT_LIMIT;
  }

  /** Every block has been delivered to the sink. */
  get finished(): boolean {
    return this.blocks.finished;
  }

  stats(): AgentStats {
    return { ...this.s, connectionsOpened: this.control.opened, blocksDelivered: this.blocks.nextBlock };
  }

  /** The agent's first input: it asks the tracker and opens the download window. nowUs: integer µs. */
  start(nowUs: number): void {
    assert(!this.started, "the agent was already started");
    this.setTime(nowUs);
    this.started = true;
    this.guard(() => {
      this.askTracker();
      this.subBlocks.openWindow();
    });
  }

  /** One input at nowUs (integer µs, never before the previous input's time). */
  handle(nowUs: number, event: AgentEvent): void {
    assert(this.started, "handle() before start()");
    // guard() inlined: this runs once per event, and a closure per event is measurable garbage.
    if (this.failure !== null) throw this.failure;
    if (this.finished) return;
    this.setTime(nowUs);
    try {
      this.dispatch(event);
      this.settle();
    } catch (e) {
      this.failure = e instanceof Error ? e : new Error(String(e));
      throw this.failure;
    }
  }

  /**
   * The oldest command the agent queued and the driver has not taken yet, or undefined when none is left. A
   * driver takes every command after each start() or handle() and executes them in this order.
   */
  poll(): AgentCommand | undefined {
    return this.out.poll();
  }

  // ---- events ------------------------------------------------------------------------------------------------

  private get now(): number {
    return this.out.nowUs;
  }

  private setTime(nowUs: number): void {
    if (!(Number.isSafeInteger(nowUs) && nowUs >= this.out.nowUs)) {
      throw new Error(`input at ${nowUs} µs: time must be an integer µs, not before the last input's ${this.out.nowUs} µs`);
    }
    this.out.nowUs = nowUs;
  }

  /** Runs one step then settles; a failure breaks the agent for good. */
  private guard(step: () => void): void {
    if (this.failure !== null) throw this.failure;
    if (this.finished) return;
    try {
      step();
      this.settle();
    } catch (e) {
      this.failure = e instanceof Error ? e : new Error(String(e));
      throw this.failure;
    }
  }

  private dispatch(event: AgentEvent): void {
    switch (event.type) {
      case "tracker-nodes":
        this.directory.update(event.nodes);
        return;
      case "connected": {
        const conn = this.control.markReady(event.connId);
        if (conn === undefined) return; // not ours any more (timed out meanwhile)
        if (this.firstReadyUs < 0) this.firstReadyUs = this.now;
        this.enqueueIdle(conn);
        return;
      }
      case "connect-failed": {
        const conn = this.control.get(event.connId);
        if (conn === undefined || conn.ready) return;
        this.s.connectFailures++;
        this.control.remove(conn, `connect-${event.reason}`);
        return;
      }
      case "sub-block":
        this.onSubBlock(event);
        return;
      case "disconnected": {
        const conn = this.control.get(event.connId);
        if (conn === undefined) return;
        if (event.reason === "peer-left") this.directory.forget(conn.nodeId);
        this.dropConnection(conn, event.reason === "peer-left" ? null : event.reason);
        return;
      }
      case "timer":
        this.timers.fire(event.timerId);
        return;
    }
  }

  private onSubBlock(e: Extract<AgentEvent, { type: "sub-block" }>): void {
    const conn = this.control.get(e.connId);
    const id = e.subBlockId;
    if (conn === undefined || !conn.ready || !this.subBlocks.holds(id, conn.id)) return; // cancelled or not ours
    conn.take(id);
    if (conn.rttProbeId === id) {
      conn.estimate.addRttSample(e.firstByteUs - conn.rttProbeRequestUs);
      conn.rttProbeId = -1;
    }
    conn.estimate.addTransferSample(e.sizeBytes, this.now - e.firstByteUs);
    if (!this.sampled.includes(conn)) this.sampled.push(conn);
    this.monitor.arrived(conn);

    if (!e.checksumOk) {
      this.s.corruptSubBlocks++;
      if (this.subBlocks.corrupt(id, conn.id, conn.nodeId)) this.offerAllIdle();
      const count = (this.corruptByNode.get(conn.nodeId) ?? 0) + 1;
      this.corruptByNode.set(conn.nodeId, count);
      if (count >= this.corruptLimit) {
        this.corruptByNode.delete(conn.nodeId);
        this.dropConnection(conn, "corrupt-data");
      } else {
        this.enqueueIdle(conn);
      }
      return;
    }

    const done = this.subBlocks.complete(id, conn.id);
    if (done !== null) {
      for (const other of done.others) {
        const oc = this.control.get(other);
        if (oc === undefined) continue;
        this.s.redundantCancelled++;
        this.cancelOn(oc, [id]);
      }
      if (done.blockComplete) this.onBlockComplete(this.content.blockOf(id));
      if (this.finished) return;
    }
    if (this.strategy.onSubBlockDone !== undefined && conn.ready) this.callConnectionHook("done", conn);
    this.enqueueIdle(conn);
  }

  private onBlockComplete(block: number): void {
    for (const b of this.blocks.blockComplete(block)) this.playback.delivered(b, this.now);
    this.subBlocks.advance();
    if (this.urgentBlock >= 0 && this.urgentBlock < this.subBlocks.current) {
      this.urgentBlock = -1;
      this.urgentServed = false;
      this.pinnedChanged = true; // the origin's view is no longer pinned
    }
    if (this.finished) {
      this.timers.cancelAll();
      this.control.closeAll();
      this.clearIdleQueue();
      return;
    }
    this.subBlocks.openWindow();
  }

  /** Returns the connection's work to the pool and closes it; blame: blacklist reason or null. */
  private dropConnection(conn: Connection, blame: string | null): void {
    let returned = false;
    for (const id of conn.outstanding) returned = this.subBlocks.unassign(id, conn.id) || returned;
    conn.clear();
    this.control.remove(conn, blame);
    if (returned) this.offerAllIdle();
  }

  // ---- settling: everything that follows an event ------------------------------------------------------------

  private settle(): void {
    if (this.finished) return;
    this.control.fill();
    this.noPeersFallback();
    this.armDeadline();
    for (let step = 0; !this.finished; step++) {
      assert(step < MAX_STEPS_PER_EVENT, "the agent made no progress after an event (livelock guard)");
      if (this.startNextBlock()) continue;
      if (this.serveUrgent()) continue;
      if (this.offerNextIdle()) continue;
      if (this.forceAssign()) continue;
      break;
    }
    this.scheduleTrackerRefresh();
  }

  private startNextBlock(): boolean {
    const block = this.startedBlocks;
    if (block >= this.content.blockCount || !this.subBlocks.inWindow(this.content.firstSubBlock(block)))
      return false;
    if (!this.blockGateOpen()) return false;
    this.startedBlocks++;
    const origin = this.control.origin();
    if (origin?.idle && this.urgentBlock < 0 && this.control.ready().some((c) => c.kind !== "origin")) {
      this.retireOrigin(origin); // peers are back: stop using the origin
    }
    this.callStrategy((ctx) => this.strategy.onBlockStart(ctx));
    this.offerAllIdle();
    return true;
  }

  /** Any block needs a ready connection; the first one also waits (bounded) for the other attempts. */
  private blockGateOpen(): boolean {
    const ready = this.control.ready();
    if (ready.length === 0) return false;
    if (this.startedBlocks > 0 || this.startWaitOver || this.strategy.waitsForConnections === false) return true;
    const connecting = this.control.all().filter((c) => !c.ready);
    if (connecting.length === 0) return true;
    if (this.startWaitTimer === null) {
      let maxRttUs = 0;
      for (const c of connecting) maxRttUs = Math.max(maxRttUs, c.estimate.rttUs);
      const waitUs = Math.min(this.config.connectTimeoutUs, 2 * maxRttUs);
      this.startWaitTimer = this.timers.set(this.firstReadyUs + waitUs - this.now, () => {
        this.startWaitOver = true;
      });
    }
    return false;
  }

  private offerNextIdle(): boolean {
    if (this.startedBlocks <= this.subBlocks.current) return false; // the current block has not started yet
    const conn = this.nextIdle();
    if (conn === undefined) return false;
    this.callConnectionHook("idle", conn);
    return true;
  }

  private nextIdle(): Connection | undefined {
    while (this.idleQueue.length > 0) {
      const conn = this.control.get(this.idleQueue.shift()!);
      if (conn === undefined) continue;
      conn.queuedIdle = false;
      if (conn.idle) return conn;
    }
    return undefined;
  }

  private enqueueIdle(conn: Connection): void {
    if (!conn.idle || conn.queuedIdle) return;
    conn.queuedIdle = true;
    this.idleQueue.push(conn.id);
  }

  private clearIdleQueue(): void {
    for (const id of this.idleQueue) {
      const conn = this.control.get(id);
      if (conn !== undefined) conn.queuedIdle = false;
    }
    this.idleQueue.length = 0;
  }

  private offerAllIdle(): void {
    for (const conn of this.control.ready()) this.enqueueIdle(conn);
  }

  /** The strategy left pool work although no connection has anything outstanding: assign it round-robin. */
  private forceAssign(): boolean {
    if (this.startedBlocks <= this.subBlocks.current || this.subBlocks.poolSize === 0) return false;
    const ready = this.control.ready();
    if (ready.length === 0 || ready.some((c) => c.outstandingCount > 0)) return false;
    const perConn = new Map<Connection, SubBlockId[]>();
    let k = 0;
    for (const id of this.subBlocks.pool) {
      let pick: Connection;
      if (!this.subBlocks.hasExclusions) {
        pick = ready[k++ % ready.length];
      } else {
        const allowed = ready.filter((c) => !this.subBlocks.isExcluded(id, c.nodeId));
        pick = allowed.length > 0 ? allowed[k++ % allowed.length] : ready[k++ % ready.length];
      }
      const mine = perConn.get(pick);
      if (mine === undefined) perConn.set(pick, [id]);
      else mine.push(id);
    }
    for (const [conn, ids] of perConn) this.send(conn, ids);
    this.s.forcedAssignments++;
    return true;
  }

  // ---- fallback to the origin --------------------------------------------------------------------------------

  private noPeersFallback(): void {
    if (!this.config.fallback.whenNoPeers || !this.directory.answered) return;
    const origin = this.control.origin();
    if (origin !== undefined && origin.state !== "parked") return;
    if (this.control.peerCount > 0 || this.control.candidate() !== null) return;
    this.callOrigin("no-peers");
  }

  /**
   * Puts the origin connection in use (back from parked, or opened: one set-up) and counts one fallback;
   * nothing when the origin is unusable.
   */
  private callOrigin(reason: string): void {
    const originId = this.config.originNodeId;
    if (originId === null || this.control.isBlacklisted(originId)) return;
    const origin = this.control.origin();
    if (origin?.state === "parked") {
      this.control.unpark(origin);
      this.timers.cancel(this.originCloseTimer);
      this.originCloseTimer = null;
      this.enqueueIdle(origin);
      this.out.note({ note: "origin-in-use", connId: origin.id, inUse: true });
    } else {
      this.control.openOrigin();
    }
    this.s.fallbacks++;
    this.out.note({ note: "fallback", reason });
  }

  /** The fallback is over: park the idle origin connection for originIdleCloseUs (then close it), or close it. */
  private retireOrigin(origin: Connection): void {
    const keepUs = this.config.fallback.originIdleCloseUs ?? DEFAULT_ORIGIN_IDLE_CLOSE_US;
    if (keepUs <= 0) {
      this.dropConnection(origin, null);
      return;
    }
    this.control.park(origin);
    this.out.note({ note: "origin-in-use", connId: origin.id, inUse: false });
    this.originCloseTimer = this.timers.set(keepUs, () => {
      this.originCloseTimer = null;
      if (this.control.origin() === origin && origin.state === "parked") this.dropConnection(origin, null);
    });
  }

  /** Arms the deadline timer of the current block once its deadline is known. */
  private armDeadline(): void {
    const { deadlineMarginUs } = this.config.fallback;
    const block = this.subBlocks.current;
    if (deadlineMarginUs <= 0 || this.config.bitrateBps <= 0 || this.config.originNodeId === null) return;
    if (this.deadlineBlock === block) return;
    const deadlineUs = this.playback.deadlineUs(block);
    if (!Number.isFinite(deadlineUs)) return;
    this.timers.cancel(this.deadlineTimer);
    this.deadlineBlock = block;
    this.deadlineTimer = this.timers.set(deadlineUs - deadlineMarginUs - this.now, () => {
      this.deadlineTimer = null;
      if (this.subBlocks.current !== block || this.urgentBlock === block) return;
      this.urgentBlock = block;
      this.urgentServed = false;
      this.callOrigin("deadline");
    });
  }

  /** Gives the urgent block's unfinished sub-blocks to the origin connection once it is ready. */
  private serveUrgent(): boolean {
    const origin = this.control.origin();
    if (this.urgentBlock < 0 || this.urgentServed || origin === undefined || !origin.ready) return false;
    this.urgentServed = true;
    this.pinnedChanged = true; // the origin's view is now pinned
    const ids: SubBlockId[] = [];
    for (const id of this.subBlocks.unfinished(this.urgentBlock)) {
      if (this.subBlocks.holds(id, origin.id)) continue;
      for (const other of [...this.subBlocks.copies(id)]) this.cancelOn(this.control.get(other)!, [id]);
      ids.push(id);
    }
    if (ids.length > 0) this.send(origin, ids);
    return true;
  }

  /**
   * Keeps a tracker request due: every trackerRefreshUs (node lists age: nodes come and go, their state
   * changes); sooner while below maxConnections after fill() (no known node left to try): at once if the last
   * request is at least trackerMinIntervalUs old, else when it is.
   */
  private scheduleTrackerRefresh(): void {
    if (this.finished) return;
    const below = this.control.peerCount < this.config.maxConnections;
    const minIntervalUs = this.config.trackerMinIntervalUs ?? DEFAULT_TRACKER_MIN_INTERVAL_US;
    const dueUs = this.lastTrackerAskUs + (below ? Math.min(minIntervalUs, this.config.trackerRefreshUs) : this.config.trackerRefreshUs);
    if (this.refreshTimer !== null) {
      if (this.refreshDueUs === dueUs) return;
      this.timers.cancel(this.refreshTimer);
      this.refreshTimer = null;
    }
    if (dueUs <= this.now) {
      this.askTracker();
      return;
    }
    this.refreshDueUs = dueUs;
    this.refreshTimer = this.timers.set(dueUs - this.now, () => {
      this.refreshTimer = null;
      this.askTracker();
    });
  }

  private askTracker(): void {
    this.lastTrackerAskUs = this.now;
    this.out.askTracker(this.config.trackerListSize);
  }

  // ---- requests ----------------------------------------------------------------------------------------------

  /** Requests ids on conn; ids must not change afterwards (the command keeps them). */
  private send(conn: Connection, ids: readonly SubBlockId[]): void {
    if (ids.length === 0) return;
    const wasIdle = conn.outstandingCount === 0;
    for (const id of ids) {
      this.subBlocks.assign(id, conn.id);
      conn.push(id);
    }
    this.out.request(conn.id, ids);
    if (wasIdle) {
      conn.rttProbeId = ids[0];
      conn.rttProbeRequestUs = this.now;
    }
    this.monitor.added(conn, wasIdle);
  }

  /** Cancels ids on conn; ids must not change afterwards (the command keeps them). */
  private cancelOn(conn: Connection, ids: readonly SubBlockId[]): void {
    this.out.cancel(conn.id, ids);
    for (const id of ids) {
      conn.take(id);
      this.subBlocks.unassign(id, conn.id);
      if (conn.rttProbeId === id) conn.rttProbeId = -1;
    }
    this.monitor.removed(conn);
    this.enqueueIdle(conn);
  }

  // ---- the strategy's view -----------------------------------------------------------------------------------

  private callStrategy(fn: (ctx: StrategyContext) => void): void {
    try {
      fn(this.context());
    } catch (e) {
      throw new StrategyError(this.strategy.name, this.now, e);
    } finally {
      this.poolShared = false;
    }
  }

  /** onConnectionIdle or onSubBlockDone for one connection (without a closure per call: this runs per event). */
  private callConnectionHook(hook: "idle" | "done", conn: Connection): void {
    try {
      const ctx = this.context();
      const view = this.viewOf(ctx, conn);
      if (hook === "idle") this.strategy.onConnectionIdle(ctx, view);
      else this.strategy.onSubBlockDone?.(ctx, view);
    } catch (e) {
      throw new StrategyError(this.strategy.name, this.now, e);
    } finally {
      this.poolShared = false;
    }
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

  private viewOf(ctx: StrategyContext, conn: Connection): ConnectionView {
    const i = this.viewIndex.get(conn);
    const v = i !== undefined && ctx.connections[i]?.id === conn.id ? ctx.connections[i] : undefined;
    assert(v !== undefined, () => `connection ${conn.id} is not ready`);
    return v;
  }

  private readyConn(id: ConnId): Connection {
    const conn = this.control.get(id);
    assert(conn?.ready === true, () => `connection ${id} is not a ready connection`);
    return conn;
  }

  /** A fresh context per hook call: plain data plus the shared actions (no closures made per call). */
  private context(): StrategyContext {
    return new HookContext(this.now, this.subBlocks.current, this.content, this.config, this.connectionViews(), this.actions);
  }

  /**
   * The views of the ready connections. A view is rebuilt only when its connection's estimate changed, all of
   * them when the ready set or the valuation scale changed; a changed list is a new array of which only the
   * changed views are new objects (a strategy may keep a view or the list: neither ever changes). After a
   * sample on one connection this costs O(1) unless the sample may move the scale (a new largest rate or
   * smallest RTT, or the holder of either got worse), which takes one O(connections) pass.
   */
  private connectionViews(): readonly ConnectionView[] {
    const ready = this.control.ready();
    const sampled = this.sampled;
    if (ready === this.viewsOf && !this.pinnedChanged && sampled.length === 0) return this.views;
    if (ready !== this.viewsOf || this.pinnedChanged || this.views.length !== ready.length) {
      sampled.length = 0;
      return this.rebuildViews(ready);
    }
    let scale = this.viewScale;
    let rescale = false;
    for (let j = 0; j < sampled.length && !rescale; j++) {
      const i = this.viewIndex.get(sampled[j]);
      if (i === undefined) continue; // sampled, then left the ready set: the ready array changed too
      const old = this.views[i];
      const e = this.viewEstimates[i];
      rescale =
        e.rateBps > scale.maxRateBps ||
        (old.rateBps === scale.maxRateBps && e.rateBps < old.rateBps) ||
        Math.max(1, e.rttUs) < scale.minRttUs ||
        (Math.max(1, old.rttUs) === scale.minRttUs && e.rttUs > old.rttUs);
    }
    if (rescale) {
      scale = valuationScale(this.viewEstimates);
      if (!sameScale(scale, this.viewScale)) {
        sampled.length = 0;
        return this.rebuildViews(ready);
      }
    }
    let views: ConnectionView[] | null = null;
    for (let j = 0; j < sampled.length; j++) {
      const i = this.viewIndex.get(sampled[j]);
      if (i === undefined) continue;
      const view = this.viewFor(i, scale);
      if (view === null) continue;
      views ??= this.views.slice();
      views[i] = view;
    }
    sampled.length = 0;
    if (views !== null) this.views = views;
    return this.views;
  }

  /** Rebuilds the views of `ready` (keeping the objects of unchanged ones when the scale is unchanged). */
  private rebuildViews(ready: readonly Connection[]): readonly ConnectionView[] {
    this.pinnedChanged = false;
    if (ready !== this.viewsOf) {
      this.viewsOf = ready;
      this.viewEstimates = ready.map((c) => c.estimate);
      this.viewIndex = new Map(ready.map((c, i) => [c, i]));
      this.views = [];
    }
    const scale = valuationScale(this.viewEstimates);
    const whole = this.views.length !== ready.length || !sameScale(scale, this.viewScale);
    let views: ConnectionView[] | null = whole ? [] : null;
    for (let i = 0; i < ready.length; i++) {
      const view = whole ? this.makeView(i, scale) : this.viewFor(i, scale);
      if (view === null) continue;
      views ??= this.views.slice();
      views[i] = view;
    }
    if (views !== null) this.views = views;
    this.viewScale = scale;
    return this.views;
  }

  /** A new view of ready connection i when its figures differ from its current view, else null. */
  private viewFor(i: number, scale: ValuationScale): ConnectionView | null {
    const e = this.viewEstimates[i];
    const old = this.views[i];
    const pinned = this.isPinned(this.viewsOf![i].kind);
    if (old.rateBps === e.rateBps && old.rttUs === e.rttUs && old.measured === e.measured && old.pinned === pinned) {
      return null;
    }
    return this.makeView(i, scale);
  }

  private makeView(i: number, scale: ValuationScale): ConnectionView {
    const c = this.viewsOf![i];
    const e = this.viewEstimates[i];
    return new View(c, e.rateBps, e.rttUs, e.measured, valuationIndex(e, scale, this.config.index), this.isPinned(c.kind));
  }

  /** The origin's work is pinned while it serves the block whose deadline is at risk (see serveUrgent). */
  private isPinned(kind: NodeKind): boolean {
    return kind === "origin" && this.urgentBlock >= 0 && this.urgentServed;
  }

  private canFetch(connId: ConnId, id: SubBlockId): boolean {
    const conn = this.control.get(connId);
    const sb = this.subBlocks;
    return conn !== undefined && sb.inWindow(id) && !sb.isDone(id) && !sb.holds(id, connId) && !sb.isExcluded(id, conn.nodeId);
  }

  /** The context's actions, made once. */
  private readonly actions: ContextActions = {
    pool: () => this.sharedPool(),
    poolFor: (connId) => {
      const conn = this.readyConn(connId);
      const sb = this.subBlocks;
      if (!sb.hasExclusions) return sb.pool.slice();
      return sb.pool.filter((id) => !sb.isExcluded(id, conn.nodeId));
    },
    poolHead: (connId, max) => {
      const conn = this.readyConn(connId);
      const sb = this.subBlocks;
      assert(Number.isSafeInteger(max) && max >= 0, () => `poolHead: max must be a count, got ${max}`);
      if (max === 0) return [];
      return sb.poolHead(max, sb.hasExclusions ? (id) => !sb.isExcluded(id, conn.nodeId) : () => true);
    },
    copiesOf: (id) => this.subBlocks.copies(id),
    canFetch: (connId, id) => this.canFetch(connId, id),
    request: (connId, ids) => {
      const conn = this.readyConn(connId);
      const sb = this.subBlocks;
      assert(distinct(ids), "request: duplicate ids");
      for (const id of ids) {
        assert(sb.inPool(id), () => `request: sub-block ${id} is not in the pool`);
        assert(!sb.isExcluded(id, conn.nodeId), () => `request: node ${conn.nodeId} delivered ${id} corrupt`);
      }
      this.send(conn, ids.slice()); // the strategy may reuse its array
      this.afterAction(null);
    },
    move: (fromId, toId, ids) => {
      const from = this.readyConn(fromId);
      const to = this.readyConn(toId);
      assert(from !== to, "move: same connection");
      assert(!this.isPinned(from.kind), () => `move: connection ${fromId} serves a block at its deadline (pinned)`);
      assert(ids.length > 0 && distinct(ids), "move: needs distinct ids");
      for (const id of ids) {
        assert(this.subBlocks.holds(id, fromId), () => `move: sub-block ${id} is not outstanding on connection ${fromId}`);
        assert(this.canFetch(toId, id), () => `move: connection ${toId} may not fetch sub-block ${id}`);
      }
      const own = ids.slice(); // the strategy may reuse its array
      this.cancelOn(from, own);
      this.send(to, own);
      this.afterAction(from);
      this.s.rebalances++;
      this.s.movedSubBlocks += own.length;
      this.out.note({ note: "rebalance", fromConn: fromId, toConn: toId, movedCount: own.length });
    },
    duplicate: (connId, id) => {
      const conn = this.readyConn(connId);
      assert(this.subBlocks.copies(id).length > 0, () => `duplicate: sub-block ${id} is not in flight`);
      assert(this.canFetch(connId, id), () => `duplicate: connection ${connId} may not fetch sub-block ${id}`);
      this.send(conn, [id]);
      this.afterAction(null);
      this.s.duplicatesRequested++;
    },
  };
}

/** A strategy's view of one ready connection: figures as of its making, the outstanding list live. */
class View implements ConnectionView {
  readonly id: ConnId;
  readonly nodeId: NodeId;
  readonly kind: NodeKind;
  readonly #conn: Connection;

  constructor(
    conn: Connection,
    readonly rateBps: number,
    readonly rttUs: number,
    readonly measured: boolean,
    readonly index: number,
    readonly pinned: boolean,
  ) {
    this.#conn = conn;
    this.id = conn.id;
    this.nodeId = conn.nodeId;
    this.kind = conn.kind;
  }

  get outstanding(): readonly SubBlockId[] {
    return this.#conn.outstanding;
  }
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
