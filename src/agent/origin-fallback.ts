// Fallback to the origin (config.originNodeId), counted in stats.fallbacks and noted ("fallback"):
// (1) "no-peers" (if fallback.whenNoPeers): after the tracker has answered, no peer/server connection is ready
//     or opening and no known node is left to try (all tried, blacklisted or gone). The origin connection then
//     serves like any other connection; at the next block start where a peer/server connection is ready and the
//     origin has nothing outstanding it is parked: kept open but out of use for fallback.originIdleCloseUs
//     (then closed), so the next fallback needs no connection set-up (noted "origin-in-use").
// (2) "deadline" (if fallback.deadlineMarginUs > 0 and bitrateBps > 0): when the current block's playback
//     deadline (playback-deadline.ts) is less than the margin away and the block is not complete, every
//     unfinished sub-block of it is cancelled elsewhere and requested from the origin connection, whose work is
//     then pinned (a strategy may not move it) until the block is complete.

import type { AgentConfig } from "./config.ts";
import { DEFAULT_ORIGIN_IDLE_CLOSE_US } from "./config.ts";
import type { Connection } from "./connection.ts";
import type { ConnectionControl } from "./connection-control.ts";
import type { NodeDirectory } from "./node-directory.ts";
import type { Outbox } from "./outbox.ts";
import type { PlaybackDeadline } from "./playback-deadline.ts";
import type { CancelCause, NodeKind, RequestCause, SubBlockId, TimerId } from "./ports.ts";
import type { MutableStats } from "./stats.ts";
import type { SubBlockManager } from "./sub-block-manager.ts";
import type { Timers } from "./timers.ts";

/** What the fallback needs from the agent's state machine. */
export interface FallbackHost {
  /** Offers conn to the strategy as idle (when it is). */
  enqueueIdle(conn: Connection): void;
  /** Returns conn's work to the pool and closes it; blame: blacklist reason or null. */
  dropConnection(conn: Connection, blame: string | null): void;
  /** Requests ids on conn (ids then belong to the command); by: who decided it. */
  send(conn: Connection, ids: readonly SubBlockId[], by: RequestCause): void;
  /** Cancels ids on conn (ids then belong to the command); by: why. */
  cancelOn(conn: Connection, ids: readonly SubBlockId[], by: CancelCause): void;
  /** The origin's pinned state changed: the strategy's views must show it. */
  pinsChanged(): void;
}

export class OriginFallback {
  /** Closes the parked origin connection (see retire). */
  private closeTimer: TimerId | null = null;
  private deadlineBlock = -1;
  private deadlineTimer: TimerId | null = null;
  /** The block whose deadline called the origin in (-1: none), and whether its work went to the origin yet. */
  private urgentBlock = -1;
  private urgentServed = false;

  constructor(
    private readonly config: AgentConfig,
    private readonly directory: NodeDirectory,
    private readonly control: ConnectionControl,
    private readonly timers: Timers,
    private readonly subBlocks: SubBlockManager,
    private readonly playback: PlaybackDeadline,
    private readonly out: Outbox,
    private readonly stats: MutableStats,
    private readonly host: FallbackHost,
  ) {}

  /** The origin's work is pinned while it serves the block whose deadline is at risk (see serveUrgent). */
  isPinned(kind: NodeKind): boolean {
    return kind === "origin" && this.urgentBlock >= 0 && this.urgentServed;
  }

  /** (1): calls the origin in when no peer is left to try. */
  checkNoPeers(): void {
    if (!this.config.fallback.whenNoPeers || !this.directory.answered) return;
    const origin = this.control.origin();
    if (origin !== undefined && origin.state !== "parked") return;
    if (this.control.peerCount > 0 || this.control.candidate() !== null) return;
    this.callOrigin("no-peers");
  }

  /** (2): arms the deadline timer of the current block once its deadline is known. */
  armDeadline(): void {
    const { deadlineMarginUs } = this.config.fallback;
    const block = this.subBlocks.current;
    if (deadlineMarginUs <= 0 || this.config.bitrateBps <= 0 || this.config.originNodeId === null) return;
    if (this.deadlineBlock === block) return;
    const deadlineUs = this.playback.deadlineUs(block);
    if (!Number.isFinite(deadlineUs)) return;
    this.timers.cancel(this.deadlineTimer);
    this.deadlineBlock = block;
    this.deadlineTimer = this.timers.set(deadlineUs - deadlineMarginUs - this.out.nowUs, () => {
      this.deadlineTimer = null;
      if (this.subBlocks.current !== block || this.urgentBlock === block) return;
      this.urgentBlock = block;
      this.urgentServed = false;
      this.callOrigin("deadline");
    });
  }

  /** Gives the urgent block's unfinished sub-blocks to the origin connection once it is ready; true if it did. */
  serveUrgent(): boolean {
    const origin = this.control.origin();
    if (this.urgentBlock < 0 || this.urgentServed || origin === undefined || !origin.ready) return false;
    this.urgentServed = true;
    this.host.pinsChanged(); // the origin's view is now pinned
    const ids: SubBlockId[] = [];
    for (const id of this.subBlocks.unfinished(this.urgentBlock)) {
      if (this.subBlocks.holds(id, origin.id)) continue;
      for (const other of [...this.subBlocks.copies(id)]) this.host.cancelOn(this.control.get(other)!, [id], "fallback");
      ids.push(id);
    }
    if (ids.length > 0) this.host.send(origin, ids, "fallback");
    return true;
  }

  /** The current block advanced: a deadline fallback for an earlier block is over. */
  blockAdvanced(): void {
    if (this.urgentBlock >= 0 && this.urgentBlock < this.subBlocks.current) {
      this.urgentBlock = -1;
      this.urgentServed = false;
      this.host.pinsChanged(); // the origin's view is no longer pinned
    }
  }

  /** A block starts: with peers back and no deadline pending, the idle origin connection is retired. */
  atBlockStart(): void {
    const origin = this.control.origin();
    if (origin?.idle && this.urgentBlock < 0 && this.control.ready().some((c) => c.kind !== "origin")) {
      this.retire(origin); // peers are back: stop using the origin
    }
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
      this.timers.cancel(this.closeTimer);
      this.closeTimer = null;
      this.host.enqueueIdle(origin);
      this.out.note({ note: "origin-in-use", connId: origin.id, inUse: true });
    } else {
      this.control.openOrigin();
    }
    this.stats.fallbacks++;
    this.out.note({ note: "fallback", reason, block: this.subBlocks.current });
  }

  /** The fallback is over: park the idle origin connection for originIdleCloseUs (then close it), or close it. */
  private retire(origin: Connection): void {
    const keepUs = this.config.fallback.originIdleCloseUs ?? DEFAULT_ORIGIN_IDLE_CLOSE_US;
    if (keepUs <= 0) {
      this.host.dropConnection(origin, null);
      return;
    }
    this.control.park(origin);
    this.out.note({ note: "origin-in-use", connId: origin.id, inUse: false });
    this.closeTimer = this.timers.set(keepUs, () => {
      this.closeTimer = null;
      if (this.control.origin() === origin && origin.state === "parked") this.host.dropConnection(origin, null);
    });
  }
}
