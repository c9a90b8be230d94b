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
// - Holdings (swarm mode): a connection whose node said what it holds (`holds`, then `have` / `lost`) is asked
//   only for sub-blocks of those blocks (the strategy's canFetch, poolFor and poolHead leave the others out);
//   only the forced assignment's last resort, when no ready node holds a block, asks one that does not, and its
//   `not-held` answer drops the connection as before. A connection that never got `holds` holds everything.
// - Maximum buffer (config.maxBufferUs > 0, with a bitrate): once playback started, block b is opened (its
//   sub-blocks requestable) only while playback would reach it less than maxBufferUs from now, i.e. while the
//   buffer ahead of the playhead is below the maximum; a held-back block is opened by a timer as soon as
//   playback has drained the buffer below it (playback-deadline.ts tells when playback reaches a block).
// - Live content (config.live, with a bitrate): the agent joins at the live edge minus the target latency
//   (live.ts) and never opens a block before its last byte was produced: a timer opens it at that µs.
// - Reservation (config.reservation): until the viewer asks to play (playAtUs), only the first prefetchBlocks
//   blocks are opened (prefetched); the rest waits for playAtUs, and playback starts no earlier.
// - Fallback to the origin when no peer is left or a block's playback deadline is near: origin-fallback.ts.
//
// Its parts: the strategy's views of the connections (connection-views.ts), the strategy's hooks, context and
// validated actions (strategy-context.ts), the origin fallback (origin-fallback.ts), connection control,
// sub-block and block managers, download monitor; this file holds the state machine that ties them.
// - A strategy that throws makes the agent throw a StrategyError naming it and the time; the agent is then
//   broken and rethrows that error on every later call.

import { assert } from "../assert.ts";
import { Blacklist } from "./blacklist.ts";
import { BlockManager } from "./block-manager.ts";
import { type AgentConfig, DEFAULT_CORRUPT_LIMIT, DEFAULT_TRACKER_MIN_INTERVAL_US } from "./config.ts";
import type { Connection } from "./connection.ts";
import { ConnectionControl } from "./connection-control.ts";
import { ConnectionViews } from "./connection-views.ts";
import { Content } from "./content.ts";
import { DownloadMonitor } from "./download-monitor.ts";
import { blockProducedUs, liveJoinBlock } from "./live.ts";
import { NodeDirectory } from "./node-directory.ts";
import { OriginFallback } from "./origin-fallback.ts";
import { Outbox } from "./outbox.ts";
import { PlaybackDeadline } from "./playback-deadline.ts";
import type { AgentCommand, AgentEvent, CancelCause, ConnId, NodeId, RequestCause, SubBlockId, TimerId } from "./ports.ts";
import { type AgentStats, type MutableStats, zeroStats } from "./stats.ts";
import type { Strategy } from "./strategy.ts";
import { StrategyRunner } from "./strategy-context.ts";
import { SubBlockManager } from "./sub-block-manager.ts";
import { Timers } from "./timers.ts";

export type { AgentStats } from "./stats.ts";
export { StrategyError } from "./strategy.ts";
export { createStrategy, STRATEGIES } from "./strategies/registry.ts";

/** Upper bound on strategy calls and agent steps after one event (a livelock guard). */
const MAX_STEPS_PER_EVENT = 1_000_000;

export class Agent {
  private readonly out = new Outbox();
  private readonly s: MutableStats = zeroStats();
  private readonly content: Content;
  private readonly timers: Timers;
  private readonly directory: NodeDirectory;
  private readonly control: ConnectionControl;
  private readonly subBlocks: SubBlockManager;
  private readonly blocks: BlockManager;
  private readonly monitor: DownloadMonitor;
  private readonly playback: PlaybackDeadline;
  private readonly fallback: OriginFallback;
  private readonly views: ConnectionViews;
  private readonly runner: StrategyRunner;
  private readonly corruptLimit: number;
  /** Blocks the download window holds at most (1, or the strategy's pipeline). */
  private readonly windowBlocks: number;
  private readonly corruptByNode = new Map<NodeId, number>();
  /** Ready connections waiting to be offered to the strategy as idle, in order. */
  private readonly idleQueue: ConnId[] = [];
  /** Blocks < startedBlocks have had onBlockStart. */
  private startedBlocks = 0;
  private firstReadyUs = -1;
  private startWaitTimer: TimerId | null = null;
  private startWaitOver = false;
  private refreshTimer: TimerId | null = null;
  /** Set while the maximum buffer holds the next block back: opens it when playback has drained enough. */
  private bufferTimer: TimerId | null = null;
  private lastTrackerAskUs = Number.NEGATIVE_INFINITY;
  private refreshDueUs = 0;
  private started = false;
  private failure: Error | null = null;

  constructor(
    private readonly config: AgentConfig,
    private readonly strategy: Strategy,
  ) {
    assert(Number.isSafeInteger(config.maxConnections) && config.maxConnections >= 1, "maxConnections must be ≥ 1");
    assert(config.requestTimeoutFactor > 0 && config.requestTimeoutMinUs >= 0, "the stall budget's factor must be positive and its floor non-negative");
    this.out.decisions = config.decisionNotes === true;
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
        blacklisted: (nodeId, reason, untilUs) => {
          this.s.blacklisted++;
          this.out.note({ note: "blacklisted", nodeId, reason, untilUs });
        },
        connectTimedOut: () => {
          this.s.connectFailures++;
        },
      },
    );
    const windowBlocks = strategy.pipelinesBlocks === true ? Math.max(2, Math.floor(strategy.windowBlocks ?? 2)) : 1;
    this.windowBlocks = windowBlocks;
    this.subBlocks = new SubBlockManager(this.content, windowBlocks);
    this.blocks = new BlockManager(this.content, this.out);
    this.monitor = new DownloadMonitor(config, this.content, this.timers, this.out, (conn) => {
      this.s.stalledConnections++;
      this.dropConnection(conn, "stalled");
    });
    this.playback = new PlaybackDeadline(this.content, config.bitrateBps, config.startupBufferUs);
    this.corruptLimit = config.corruptLimit ?? DEFAULT_CORRUPT_LIMIT;
    const self = {
      enqueueIdle: (conn: Connection) => this.enqueueIdle(conn),
      dropConnection: (conn: Connection, blame: string | null) => this.dropConnection(conn, blame),
      send: (conn: Connection, ids: readonly SubBlockId[], by: RequestCause) => this.send(conn, ids, by),
      cancelOn: (conn: Connection, ids: readonly SubBlockId[], by: CancelCause) => this.cancelOn(conn, ids, by),
      pinsChanged: () => this.views.pinsChanged(),
      isPinned: (kind: Connection["kind"]) => this.fallback.isPinned(kind),
    };
    this.fallback = new OriginFallback(
      config,
      this.directory,
      this.control,
      this.timers,
      this.subBlocks,
      this.playback,
      this.out,
      this.s,
      self,
    );
    this.views = new ConnectionViews(config.index, self.isPinned);
    this.runner = new StrategyRunner(strategy, config, this.content, this.subBlocks, this.control, this.views, this.out, this.s, self);
  }

  /** Every block has been handed over. */
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
      this.askTracker("start");
      const live = this.config.live;
      if (live !== undefined && this.config.bitrateBps > 0) {
        const first = liveJoinBlock(this.content, this.config.bitrateBps, live, nowUs);
        this.subBlocks.startAt(first);
        this.blocks.nextBlock = first;
        this.startedBlocks = first;
        this.playback.startAt(first, this.config.startupBufferUs);
      }
      if (this.config.reservation !== undefined) this.playback.notBeforeUs = this.config.reservation.playAtUs;
      this.openWindow();
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
      case "not-held":
        this.onNotHeld(event.connId, event.subBlockId);
        return;
      case "holds":
        this.onHolds(event.connId, event.blocks);
        return;
      case "have":
      case "lost":
        this.onHave(event.connId, event.block, event.type === "have");
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
    this.views.sampledOn(conn);
    this.monitor.arrived(conn);

    if (!e.checksumOk) {
      this.s.corruptSubBlocks++;
      if (this.subBlocks.corrupt(id, conn.id, conn.nodeId)) this.offerAllIdle();
      const count = (this.corruptByNode.get(conn.nodeId) ?? 0) + 1;
      if (this.out.decisions) {
        this.out.note({ note: "corrupt", connId: conn.id, nodeId: conn.nodeId, subBlockId: id, corruptCount: count, corruptLimit: this.corruptLimit });
      }
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
        this.cancelOn(oc, [id], "copy-arrived");
      }
      if (done.blockComplete) this.onBlockComplete(this.content.blockOf(id));
      if (this.finished) return;
    }
    if (this.runner.hasSubBlockDone && conn.ready) this.runner.connectionHook("done", conn);
    this.enqueueIdle(conn);
  }

  /**
   * The node answered "don't have" for id: the request is over, the node fetches nothing more of id's block,
   * and the connection is dropped with the node blacklisted for a while (it lacks what is needed now; by the
   * time it is tried again it may hold more), its other work going back to the pool.
   */
  private onNotHeld(connId: ConnId, id: SubBlockId): void {
    const conn = this.control.get(connId);
    if (conn === undefined || !conn.ready || !this.subBlocks.holds(id, conn.id)) return; // cancelled or not ours
    conn.take(id);
    const returned = this.subBlocks.notHeld(id, conn.id, conn.nodeId);
    this.dropConnection(conn, "not-held");
    if (returned) this.offerAllIdle();
  }

  /** The node of connId holds exactly `blocks` (swarm mode): requests on it are kept to them from now on. */
  private onHolds(connId: ConnId, blocks: readonly number[]): void {
    const conn = this.control.get(connId);
    if (conn === undefined) return; // closed meanwhile
    const holdings = new Uint8Array(this.content.blockCount);
    for (const b of blocks) {
      assert(Number.isSafeInteger(b) && b >= 0 && b < this.content.blockCount, "holds: block {0} is not a block of the content", b);
      holdings[b] = 1;
    }
    conn.holdings = holdings;
    this.enqueueIdle(conn); // it may hold more than before
  }

  /** The node of connId gained (held) or lost `block`; a connection that never got `holds` holds everything already. */
  private onHave(connId: ConnId, block: number, held: boolean): void {
    assert(Number.isSafeInteger(block) && block >= 0 && block < this.content.blockCount, "have: block {0} is not a block of the content", block);
    const conn = this.control.get(connId);
    if (conn === undefined || conn.holdings === null) return;
    conn.holdings[block] = held ? 1 : 0;
    if (held) this.enqueueIdle(conn); // an idle connection may now fetch what it could not
  }

  private onBlockComplete(block: number): void {
    for (const b of this.blocks.blockComplete(block)) this.playback.delivered(b, this.now);
    this.subBlocks.advance();
    this.fallback.blockAdvanced();
    if (this.finished) {
      this.timers.cancelAll();
      this.control.closeAll();
      this.clearIdleQueue();
      return;
    }
    this.openWindow();
  }

  /**
   * Opens the download window, as far as the player's maximum buffer, live production and a reservation let
   * it: block b waits while playback started and will reach b at least maxBufferUs from now, while b's last
   * byte is not produced, and (b past the prefetched blocks) until the viewer asks to play; a timer opens it at
   * the first µs when all hold (deadlines only move when a block is delivered,
   * which calls this again).
   */
  private openWindow(): void {
    const maxUs = this.config.maxBufferUs ?? 0;
    const live = this.config.live;
    const reservation = this.config.reservation;
    if (this.config.bitrateBps <= 0 || (maxUs <= 0 && live === undefined && reservation === undefined)) {
      this.subBlocks.openWindow();
      return;
    }
    this.timers.cancel(this.bufferTimer);
    this.bufferTimer = null;
    for (let step = 0; step <= this.content.blockCount; step++) {
      const block = this.subBlocks.openedEnd;
      if (block >= this.content.blockCount || block >= this.subBlocks.current + this.windowBlocks) return;
      let openAtUs = Number.NEGATIVE_INFINITY;
      if (maxUs > 0 && this.playback.started) openAtUs = Math.floor(this.playback.deadlineUs(block) - maxUs) + 1;
      if (live !== undefined) openAtUs = Math.max(openAtUs, blockProducedUs(this.content, this.config.bitrateBps, live, block));
      if (reservation !== undefined && block >= reservation.prefetchBlocks) openAtUs = Math.max(openAtUs, reservation.playAtUs);
      if (openAtUs > this.now) {
        this.bufferTimer = this.timers.set(openAtUs - this.now, () => {
          this.bufferTimer = null;
          this.openWindow();
        });
        return;
      }
      this.subBlocks.openWindow(block + 1);
    }
  }

  /** Returns the connection's work to the pool and closes it; blame: blacklist reason or null. */
  private dropConnection(conn: Connection, blame: string | null): void {
    if (this.out.decisions) {
      this.out.note({ note: "drop", connId: conn.id, nodeId: conn.nodeId, blame: blame ?? "", returnedIds: conn.outstanding.slice() });
    }
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
    this.fallback.checkNoPeers();
    this.fallback.armDeadline();
    for (let step = 0; !this.finished; step++) {
      assert(step < MAX_STEPS_PER_EVENT, "the agent made no progress after an event (livelock guard)");
      if (this.startNextBlock()) continue;
      if (this.fallback.serveUrgent()) continue;
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
    if (this.out.decisions) {
      this.out.note({ note: "block-start", block, readyConns: this.control.ready().map((c) => c.id) });
    }
    this.fallback.atBlockStart();
    this.runner.blockStart();
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
    this.runner.connectionHook("idle", conn);
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
    const anyNodeMayRefuse = this.subBlocks.hasExclusions || this.anyHoldings(ready);
    let k = 0;
    for (const id of this.subBlocks.pool) {
      let pick: Connection;
      if (!anyNodeMayRefuse) {
        pick = ready[k++ % ready.length];
      } else {
        // Nodes that may fetch it; if none, any (a node lacking its block answers `not-held`: the fallback).
        const block = this.content.blockOf(id);
        const allowed = ready.filter((c) => c.holdsBlock(block) && !this.subBlocks.isExcluded(id, c.nodeId));
        pick = allowed.length > 0 ? allowed[k++ % allowed.length] : ready[k++ % ready.length];
      }
      const mine = perConn.get(pick);
      if (mine === undefined) perConn.set(pick, [id]);
      else mine.push(id);
    }
    for (const [conn, ids] of perConn) this.send(conn, ids, "forced");
    this.s.forcedAssignments++;
    return true;
  }

  /** Some of these connections' nodes said what they hold. */
  private anyHoldings(conns: readonly Connection[]): boolean {
    for (const c of conns) if (c.holdings !== null) return true;
    return false;
  }

  // ---- the tracker ------------------------------------------------------------------------------------------

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
    const reason = below ? "no-candidates" : "refresh";
    if (dueUs <= this.now) {
      this.askTracker(reason);
      return;
    }
    this.refreshDueUs = dueUs;
    this.refreshTimer = this.timers.set(dueUs - this.now, () => {
      this.refreshTimer = null;
      this.askTracker(reason);
    });
  }

  /** reason: for the decision note ("start", "refresh" or "no-candidates"). */
  private askTracker(reason: string): void {
    this.lastTrackerAskUs = this.now;
    if (this.out.decisions) this.out.note({ note: "tracker-query", maxNodes: this.config.trackerListSize, reason });
    this.out.askTracker(this.config.trackerListSize);
  }

  // ---- requests ----------------------------------------------------------------------------------------------

  /** Requests ids on conn; ids must not change afterwards (the command keeps them). by: who decided it (notes). */
  private send(conn: Connection, ids: readonly SubBlockId[], by: RequestCause): void {
    if (ids.length === 0) return;
    if (this.out.decisions) this.out.note({ note: "request", connId: conn.id, nodeId: conn.nodeId, subBlockIds: ids, by });
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

  /** Cancels ids on conn; ids must not change afterwards (the command keeps them). by: why (notes). */
  private cancelOn(conn: Connection, ids: readonly SubBlockId[], by: CancelCause): void {
    if (this.out.decisions) this.out.note({ note: "cancel", connId: conn.id, nodeId: conn.nodeId, subBlockIds: ids, by });
    this.out.cancel(conn.id, ids);
    for (const id of ids) {
      conn.take(id);
      this.subBlocks.unassign(id, conn.id);
      if (conn.rttProbeId === id) conn.rttProbeId = -1;
    }
    this.monitor.removed(conn);
    this.enqueueIdle(conn);
  }
}
