// One mirror of the file: its URL, its undici Pool (one socket, HTTP/1.1 pipelining up to a depth, timeouts set
// explicitly: undici's own defaults are 300 s), what its first answer established (the total size and the
// validator sent as If-Range afterwards), and its standing. One socket per mirror matches the agent, which
// opens at most one connection per node: its ranges go out at once and come back in order, back to back, as
// in the simulator. Pipelining depth 1 turns that off (each range waits for the previous answer to end). A mirror that cannot serve ranges, answers out of spec or serves another
// version is out for the rest of the download: the driver refuses connections to it and the node list leaves
// it out. Bytes it served are counted for the progress bar and the report.

import { Pool } from "undici";
import type { Validator } from "./response-check.ts";

export type MirrorStanding =
  | "ok"
  /** Answered a ranged request with 200 and the whole file: dropped (no sequential fallback). */
  | "no-ranges"
  /** 416, a different total size, or a Content-Range that is not the requested range. */
  | "unusable"
  /** Served another version of the file (a changed ETag or Last-Modified). */
  | "quarantined";

export interface HttpTimeouts {
  /** TCP connect, ms. */
  readonly connectMs: number;
  /** From the request to the response headers (the answer's RTT included), ms. */
  readonly headersMs: number;
  /** Longest silence between two body chunks, ms. */
  readonly bodyMs: number;
  /** An idle kept-alive socket is closed after this, ms. */
  readonly keepAliveMs: number;
}

export const DEFAULT_TIMEOUTS: HttpTimeouts = { connectMs: 3000, headersMs: 30_000, bodyMs: 30_000, keepAliveMs: 10_000 };
/** Ranges written ahead on a mirror's socket before the first of them is answered. */
export const DEFAULT_PIPELINING = 8;

export class Mirror {
  readonly pool: Pool;
  readonly path: string;
  standing: MirrorStanding = "ok";
  reason = "";
  total: number | null = null;
  validator: Validator | null = null;
  /** Body bytes received from this mirror in sub-blocks that passed their check. */
  goodBytes = 0;
  /** Body bytes received in corrupt sub-blocks, cancelled work or cut answers. */
  otherBytes = 0;

  constructor(
    readonly nodeId: number,
    readonly url: URL,
    readonly timeouts: HttpTimeouts,
    readonly pipelining = DEFAULT_PIPELINING,
  ) {
    this.path = `${url.pathname}${url.search}`;
    this.pool = new Pool(url.origin, {
      connections: 1,
      pipelining,
      connectTimeout: timeouts.connectMs,
      headersTimeout: timeouts.headersMs,
      bodyTimeout: timeouts.bodyMs,
      keepAliveTimeout: timeouts.keepAliveMs,
      keepAliveMaxTimeout: timeouts.keepAliveMs,
    });
  }

  get usable(): boolean {
    return this.standing === "ok";
  }

  /** Takes the mirror out for the rest of the download (the first reason sticks). */
  exclude(standing: Exclude<MirrorStanding, "ok">, reason: string): void {
    if (this.standing !== "ok") return;
    this.standing = standing;
    this.reason = reason;
  }

  async close(): Promise<void> {
    await this.pool.destroy().catch(() => {});
  }
}
