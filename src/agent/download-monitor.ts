// Download-state monitoring: liveness per connection. A connection that holds work is expected to send; its
// silence is measured from the last sub-block that arrived on it, or, when none arrived since, from the request
// that gave work to it while it held none. Once the silence exceeds its stall budget
//   max(requestTimeoutMinUs, requestTimeoutFactor × (RTT estimate + head sub-block's bytes / estimated rate))
// (the head: the first outstanding sub-block, the one the node sends now) the connection is declared stalled.
//
// Cancelling, moving, adding work or duplicating never resets the clock: only an arrival does. Time a
// connection spends holding no work does not count (it owes nothing then): when its work is all cancelled, the
// silence so far is kept, and if the connection had delivered nothing since it was last given work while idle,
// the clock resumes from that silence when it gets work again. So a peer that left without a word is found out
// even if its work keeps being taken from it (by the deadline fallback, say) before its budget runs out. A
// connection that did deliver since (it was alive, perhaps mid-transfer when its work was taken) starts its
// next work with a fresh clock, from the request.
//
// Granularity: the agent sees bytes only as whole sub-blocks (a `sub-block` event with its first-byte time), so
// "the last byte received" is the end of the last sub-block; a sub-block still in transfer shows no progress,
// which the budget allows for through the head sub-block's expected time (a real client reading its sockets
// could restart the clock on every read; a simulated one would need an event per byte range).

import type { AgentConfig } from "./config.ts";
import type { Connection } from "./connection.ts";
import type { Content } from "./content.ts";
import type { Outbox } from "./outbox.ts";
import type { Timers } from "./timers.ts";

export class DownloadMonitor {
  constructor(
    private readonly config: AgentConfig,
    private readonly content: Content,
    private readonly timers: Timers,
    private readonly out: Outbox,
    private readonly onStall: (conn: Connection) => void,
  ) {}

  /** The connection's stall budget now, from its head sub-block (a full one when it holds none), µs. */
  budgetUs(conn: Connection): number {
    const first = conn.first();
    const bytes = first === undefined ? this.content.subBlockBytes : this.content.subBlockSize(first);
    return Math.max(this.config.requestTimeoutMinUs, this.config.requestTimeoutFactor * conn.estimate.expectedUs(bytes));
  }

  /** A sub-block arrived on conn: its silence ends now. */
  arrived(conn: Connection): void {
    conn.silentSinceUs = this.out.nowUs;
    conn.heldSilenceUs = 0;
    conn.deliveredSinceIdleRequest = true;
    this.rearm(conn);
  }

  /** Work was given to conn; wasIdle: it held none before (then its clock starts, or resumes, see above). */
  added(conn: Connection, wasIdle: boolean): void {
    if (!wasIdle) return;
    conn.silentSinceUs = this.out.nowUs - (conn.deliveredSinceIdleRequest ? 0 : conn.heldSilenceUs);
    conn.heldSilenceUs = 0;
    conn.deliveredSinceIdleRequest = false;
    this.rearm(conn);
  }

  /** Work was taken from conn (cancelled or moved); the clock runs on, or pauses when none is left. */
  removed(conn: Connection): void {
    if (conn.outstandingCount > 0) return;
    conn.heldSilenceUs = this.out.nowUs - conn.silentSinceUs;
    this.stop(conn);
  }

  /** Stops conn's clock for good (it closes). */
  stop(conn: Connection): void {
    this.timers.cancel(conn.requestTimer);
    conn.requestTimer = null;
  }

  private rearm(conn: Connection): void {
    this.stop(conn);
    if (conn.outstandingCount === 0) return;
    conn.onRequestTimeout ??= () => {
      conn.requestTimer = null;
      this.out.note({
        note: "request-timeout",
        connId: conn.id,
        nodeId: conn.nodeId,
        silentSinceUs: conn.silentSinceUs,
        budgetUs: this.out.nowUs - conn.silentSinceUs, // the timer fires when the silence reaches the budget
        outstandingCount: conn.outstandingCount,
      });
      this.onStall(conn);
    };
    conn.requestTimer = this.timers.set(conn.silentSinceUs + this.budgetUs(conn) - this.out.nowUs, conn.onRequestTimeout);
  }
}
