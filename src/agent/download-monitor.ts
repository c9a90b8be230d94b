// Download-state monitoring: a connection whose outstanding request has produced no sub-block for
//   max(requestTimeoutMinUs, requestTimeoutFactor × expected time)
// is declared stalled (expected time = estimated RTT + first outstanding sub-block's size / estimated rate).
// The clock restarts at every arrival and when work is given to a connection that had none; requests added
// behind outstanding work do not restart it.

import type { AgentConfig } from "./config.ts";
import type { Connection } from "./connection.ts";
import type { Content } from "./content.ts";
import type { Timers } from "./timers.ts";

export class DownloadMonitor {
  constructor(
    private readonly config: AgentConfig,
    private readonly content: Content,
    private readonly timers: Timers,
    private readonly onStall: (conn: Connection) => void,
  ) {}

  timeoutUs(conn: Connection): number {
    const first = conn.first();
    const bytes = first === undefined ? this.content.subBlockBytes : this.content.subBlockSize(first);
    return Math.max(
      this.config.requestTimeoutMinUs,
      this.config.requestTimeoutFactor * conn.estimate.expectedUs(bytes),
    );
  }

  /** A sub-block arrived on conn: restart its clock (or stop it when nothing is left). */
  progress(conn: Connection): void {
    this.timers.cancel(conn.requestTimer);
    conn.requestTimer = null;
    this.changed(conn);
  }

  /** conn's outstanding list changed: stop the clock when empty, start it when it was not running. */
  changed(conn: Connection): void {
    if (conn.outstandingCount === 0) {
      this.timers.cancel(conn.requestTimer);
      conn.requestTimer = null;
    } else if (conn.requestTimer === null) {
      conn.onRequestTimeout ??= () => {
        conn.requestTimer = null;
        this.onStall(conn);
      };
      conn.requestTimer = this.timers.set(this.timeoutUs(conn), conn.onRequestTimeout);
    }
  }
}
