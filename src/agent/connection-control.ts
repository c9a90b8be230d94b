// Connection control: keeps up to maxConnections peer/server connections open (the origin connection is extra,
// opened only on fallback, and may be parked between fallbacks), picks candidates from the node directory (best tracker prior first, skipping
// nodes already connected and blacklisted ones), times out connection attempts after connectTimeoutUs, and
// puts failed nodes in the blacklist queue. A timer is set at each blacklist expiry so the agent retries then.

import { assert } from "../assert.ts";
import type { AgentConfig } from "./config.ts";
import { Connection } from "./connection.ts";
import { ConnectionEstimate, priorFromNodeInfo } from "./estimator.ts";
import type { Blacklist } from "./blacklist.ts";
import type { NodeDirectory } from "./node-directory.ts";
import type { Outbox } from "./outbox.ts";
import type { ConnId, NodeId, NodeKind } from "./ports.ts";
import type { Timers } from "./timers.ts";

export interface ControlListener {
  blacklisted(nodeId: NodeId, reason: string, untilUs: number): void;
  /** A connection attempt timed out (the connection is already removed). */
  connectTimedOut(conn: Connection): void;
}

export class ConnectionControl {
  /** Open and opening connections, in the order they were opened. */
  private readonly conns = new Map<ConnId, Connection>();
  /** The ready ones among them, same order; rebuilt lazily after a connection opens, becomes ready or goes. */
  private readyCache: Connection[] | null = [];
  private originConn: Connection | undefined = undefined;
  /** Peer/server connections (not the origin), ready or still connecting. */
  private peers = 0;
  opened = 0;

  constructor(
    private readonly config: AgentConfig,
    private readonly out: Outbox,
    private readonly timers: Timers,
    private readonly directory: NodeDirectory,
    private readonly blacklist: Blacklist,
    private readonly listener: ControlListener,
  ) {}

  get(connId: ConnId): Connection | undefined {
    return this.conns.get(connId);
  }

  all(): Connection[] {
    return [...this.conns.values()];
  }

  /** Ready connections in the order they were opened; the same array until the ready set changes. */
  ready(): readonly Connection[] {
    if (this.readyCache === null) this.readyCache = this.all().filter((c) => c.ready);
    return this.readyCache;
  }

  origin(): Connection | undefined {
    return this.originConn;
  }

  /** Number of peer/server connections, ready or still connecting. */
  get peerCount(): number {
    return this.peers;
  }

  isBlacklisted(nodeId: NodeId): boolean {
    return this.blacklist.has(nodeId, this.out.nowUs);
  }

  /** The known node to try next: not connected, not blacklisted, best prior rate first (ties: listed first). */
  candidate(): NodeId | null {
    const now = this.out.nowUs;
    const connected = new Set<NodeId>();
    for (const c of this.conns.values()) connected.add(c.nodeId);
    let best: NodeId | null = null;
    let bestRate = -1;
    for (const info of this.directory.known()) {
      if (connected.has(info.nodeId) || this.blacklist.has(info.nodeId, now)) continue;
      const rate = priorFromNodeInfo(info).rateBps;
      if (rate > bestRate) {
        best = info.nodeId;
        bestRate = rate;
      }
    }
    return best;
  }

  /** Opens connections to candidates until maxConnections peer connections exist or none is left. */
  fill(): void {
    for (let n = this.peers; n < this.config.maxConnections; n++) {
      const nodeId = this.candidate();
      if (nodeId === null) return;
      this.open(nodeId, this.directory.info(nodeId)?.kind ?? "peer", "refill");
    }
  }

  /** Opens the origin connection if there is an origin and no connection to it; returns it. */
  openOrigin(): Connection | undefined {
    const id = this.config.originNodeId;
    if (id === null) return undefined;
    return this.origin() ?? this.open(id, "origin", "fallback");
  }

  /** Keeps an idle ready connection open but out of use (not ready, so not offered to the strategy). */
  park(conn: Connection): void {
    assert(conn.idle && this.conns.get(conn.id) === conn, "connection {0} is not an idle open connection", conn.id);
    conn.state = "parked";
    this.readyCache = null;
  }

  /** Puts a parked connection back in use. */
  unpark(conn: Connection): void {
    assert(conn.state === "parked", "connection {0} is not parked", conn.id);
    conn.state = "ready";
    this.readyCache = null;
  }

  markReady(connId: ConnId): Connection | undefined {
    const conn = this.conns.get(connId);
    if (conn === undefined || conn.ready) return undefined;
    this.timers.cancel(conn.connectTimer);
    conn.connectTimer = null;
    conn.state = "ready";
    this.readyCache = null;
    return conn;
  }

  /**
   * Forgets the connection and closes it. blame: the blacklist reason, or null when the node is not at fault.
   * The caller has already returned the connection's outstanding work.
   */
  remove(conn: Connection, blame: string | null): void {
    if (!this.conns.delete(conn.id)) return;
    if (conn.ready) this.readyCache = null;
    if (conn.kind !== "origin") this.peers--;
    else if (conn === this.originConn) this.originConn = undefined;
    this.timers.cancel(conn.connectTimer);
    this.timers.cancel(conn.requestTimer);
    conn.connectTimer = conn.requestTimer = null;
    this.out.close(conn.id);
    if (blame !== null) this.ban(conn.nodeId, blame);
  }

  ban(nodeId: NodeId, reason: string): void {
    const now = this.out.nowUs;
    const untilUs = this.blacklist.add(nodeId, now, reason);
    this.timers.set(untilUs - now, () => {}); // the agent refills connections after every event
    this.listener.blacklisted(nodeId, reason, untilUs);
  }

  closeAll(): void {
    for (const c of this.all()) this.remove(c, null);
  }

  /** reason: why it is opened, for the decision note ("refill" or "fallback"). */
  private open(nodeId: NodeId, kind: NodeKind, reason: string): Connection {
    const estimate = new ConnectionEstimate(
      priorFromNodeInfo(this.directory.info(nodeId)),
      this.config.ewmaAlpha,
    );
    const conn = new Connection(this.out.connect(nodeId), nodeId, kind, estimate);
    this.conns.set(conn.id, conn);
    if (kind !== "origin") this.peers++;
    else this.originConn ??= conn;
    this.opened++;
    if (this.out.decisions) {
      this.out.note({ note: "connect", connId: conn.id, nodeId, nodeKind: kind, reason, priorRateBps: estimate.rateBps, peerConnections: this.peers });
    }
    conn.connectTimer = this.timers.set(this.config.connectTimeoutUs, () => {
      conn.connectTimer = null;
      if (conn.ready || !this.conns.has(conn.id)) return;
      this.remove(conn, "connect-timeout");
      this.listener.connectTimedOut(conn);
    });
    return conn;
  }
}
