// The real driver: runs the unchanged agent (src/agent) over HTTP. A thin adapter between the agent's commands
// and real I/O; all HTTP, undici and timer code stays here and in the files it uses, never in src/agent.
//
// - It owns the event loop's side: every input (a timer firing, a connection answer, a sub-block's last byte,
//   a node list) becomes an AgentEvent in one FIFO queue, drained on a later turn of Node's event loop. After
//   each input the driver takes the agent's commands (agent.poll()) and executes them in order: they only
//   record, start I/O or arm timers.
// - Connection and timer ids are the agent's own (its commands carry them).
// - Time: the monotonic clock (wall-clock.ts) is read once per input and handed to the agent with it
//   (agent.handle(nowUs, event)); a timer's command says when it is due in that time base. An event's
//   firstByteUs is the real time the sub-block's first byte arrived.
// - connect(node) sends a probe (`Range: bytes=0-0`, If-Range once the mirror's validator is known) on the
//   mirror's pool: its answer establishes the mirror's validator and total (first time) and opens the
//   connection, so a connection costs one round trip, as in the simulator. A mirror that is out (mirror.ts)
//   is refused at once.
// - request(conn, ids) queues the sub-blocks on the connection (connection.ts), which fetches them with
//   Range GETs (contiguous sub-blocks share one range, several ranges in flight) and reports each sub-block as its last byte
//   arrives, checked against the manifest's SHA-256 when there is one (checksumOk) and, when intact, written
//   to the part file. Sub-blocks the part file already holds verified (a resumed download) are answered from
//   disk without a request.
// - cancel → the sub-blocks leave the queue; an answer that only carries cancelled bytes is aborted.
//   close → everything on the connection is aborted. Events of cancelled sub-blocks or closed connections that
//   are still queued are dropped when their turn comes, as the simulator drops them.
// - A response that fails validation (response-check.ts) takes its mirror out (no ranges, unusable or
//   quarantined) and resets the connection: the agent sees `disconnected` ("reset") and re-fetches elsewhere.
// - The run ends when the last block reaches the sink (done), when the agent throws, when nothing was
//   verified for stallTimeoutMs or every mirror is out (failed), or when the signal aborts (interrupted).

import { Agent, type AgentStats } from "../agent/agent.ts";
import type { AgentConfig } from "../agent/config.ts";
import { Content } from "../agent/content.ts";
import type { AgentCommand, AgentEvent, ConnId, NodeId, NodeInfo, NodeKind, SubBlockId, TimerId } from "../agent/ports.ts";
import type { Strategy } from "../agent/strategy.ts";
import type { LiveSubBlock } from "./run-record.ts";
import { RealConn, type ConnHost } from "./connection.ts";
import type { Manifest } from "./manifest.ts";
import type { Mirror } from "./mirror.ts";
import type { PartFile } from "./part-file.ts";
import { rangeGet } from "./range-get.ts";
import { RunRecorder } from "./run-record.ts";
import { WallClock } from "./wall-clock.ts";

/** The node lists the driver's tracker gives (the mirrors it was told about, or the testbed's tracker). */
export interface NodeSource {
  list(maxNodes: number, nowUs: number): NodeInfo[];
  /** Delay before a list reaches the agent, ms. */
  readonly delayMs: number;
}

export interface DriverOptions {
  readonly config: AgentConfig;
  readonly strategy: Strategy;
  /** Mirrors by node id. */
  readonly mirrors: readonly Mirror[];
  readonly kinds: readonly NodeKind[];
  readonly nodes: NodeSource;
  readonly manifest: Manifest | null;
  readonly part: PartFile | null;
  readonly signal?: AbortSignal;
  /** The run fails when no sub-block completed for this long, ms. */
  readonly stallTimeoutMs: number;
  readonly clock?: WallClock;
}

export type DriverStatus = "done" | "failed" | "interrupted";

export interface DriverOutcome {
  readonly status: DriverStatus;
  readonly error: string | null;
  readonly recorder: RunRecorder;
  readonly stats: AgentStats;
  /** Monotonic µs from the driver's start to its end. */
  readonly endUs: number;
}

type Queued =
  | { readonly event: AgentEvent; readonly rec?: undefined; readonly conn?: RealConn }
  | { readonly event: AgentEvent & { type: "sub-block" }; readonly rec: LiveSubBlock; readonly conn: RealConn };

/** Most events drained in one turn of the event loop before I/O gets its turn. */
const MAX_DRAIN = 10_000;
/** Bound on the event queue (a sign of a runaway loop, far above any real backlog). */
const MAX_QUEUE = 1_000_000;
/** How often the stall watchdog looks, ms. */
const WATCHDOG_MS = 250;

export class RealDriver implements ConnHost {
  readonly agent: Agent;
  readonly content: Content;
  readonly recorder: RunRecorder;
  readonly clock: WallClock;
  private readonly queue: Queued[] = [];
  private head = 0;
  private scheduled = false;
  private frozenUs = 0;
  private readonly conns = new Map<ConnId, RealConn>();
  /** Armed or fired-but-not-dispatched timers; a cancelled one is deleted. */
  private readonly timers = new Map<TimerId, NodeJS.Timeout | null>();
  private readonly trackerTimers = new Set<NodeJS.Timeout>();
  private watchdog: NodeJS.Timeout | null = null;
  private lastProgressUs = 0;
  private outcome: DriverOutcome | null = null;
  private resolve: ((o: DriverOutcome) => void) | null = null;
  private onAbort: (() => void) | null = null;

  constructor(private readonly opts: DriverOptions) {
    this.clock = opts.clock ?? new WallClock();
    this.content = new Content(opts.config.content);
    this.recorder = new RunRecorder(this.content, opts.config.bitrateBps, opts.config.startupBufferUs);
    this.agent = new Agent(opts.config, opts.strategy);
  }

  // ---- ConnHost: what a connection needs from the driver ------------------------------------------------------

  get manifest(): Manifest | null {
    return this.opts.manifest;
  }

  get part(): PartFile | null {
    return this.opts.part;
  }

  realNowUs(): number {
    return this.clock.nowUs();
  }

  /** A sub-block's last byte arrived (checked and, when intact, written): queue it for the agent. */
  subBlockArrived(conn: RealConn, rec: LiveSubBlock, checksumOk: boolean): void {
    this.lastProgressUs = this.clock.nowUs();
    this.push({
      event: {
        type: "sub-block",
        connId: conn.id,
        subBlockId: rec.subBlockId,
        sizeBytes: this.content.subBlockSize(rec.subBlockId),
        firstByteUs: rec.firstByteUs,
        checksumOk,
      },
      rec,
      conn,
    });
  }

  connectionFailed(conn: RealConn): void {
    this.push({ event: { type: "disconnected", connId: conn.id, reason: "reset" }, conn });
  }

  // ---- the run --------------------------------------------------------------------------------------------

  run(): Promise<DriverOutcome> {
    return new Promise((resolve) => {
      this.resolve = resolve;
      const signal = this.opts.signal;
      if (signal !== undefined) {
        if (signal.aborted) {
          this.finish("interrupted", "interrupted before the start");
          return;
        }
        this.onAbort = () => this.finish("interrupted", "interrupted");
        signal.addEventListener("abort", this.onAbort, { once: true });
      }
      this.lastProgressUs = this.clock.nowUs();
      this.watchdog = setInterval(() => this.watch(), WATCHDOG_MS);
      setImmediate(() => {
        if (this.outcome !== null) return;
        this.frozenUs = this.clock.nowUs();
        try {
          this.agent.start(this.frozenUs);
          this.executeCommands();
        } catch (e) {
          this.finish("failed", `the agent failed: ${(e as Error).message}`);
          return;
        }
        this.afterStep();
      });
    });
  }

  /** Bytes verified so far and by mirror (for progress bars). */
  progress(): { verifiedBytes: number; byMirror: number[] } {
    return { verifiedBytes: this.opts.mirrors.reduce((s, m) => s + m.goodBytes, 0), byMirror: this.opts.mirrors.map((m) => m.goodBytes) };
  }

  private push(q: Queued): void {
    if (this.outcome !== null) return;
    if (this.queue.length - this.head >= MAX_QUEUE) {
      this.finish("failed", `more than ${MAX_QUEUE} events waiting (a runaway loop)`);
      return;
    }
    this.queue.push(q);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.drain());
    }
  }

  private drain(): void {
    this.scheduled = false;
    for (let n = 0; n < MAX_DRAIN && this.head < this.queue.length && this.outcome === null; n++) {
      const q = this.queue[this.head++];
      if (!this.live(q)) continue;
      this.frozenUs = this.clock.nowUs();
      this.recorder.events++;
      try {
        this.agent.handle(this.frozenUs, q.event);
        this.executeCommands();
      } catch (e) {
        this.finish("failed", `the agent failed: ${(e as Error).message}`);
        return;
      }
      this.afterStep();
    }
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.outcome === null && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.drain());
    }
  }

  /** Whether a queued event still means something (its sub-block not cancelled, its connection not closed). */
  private live(q: Queued): boolean {
    const e = q.event;
    if (e.type === "timer") {
      if (!this.timers.has(e.timerId)) return false;
      this.timers.delete(e.timerId);
      return true;
    }
    if (q.conn !== undefined && this.conns.get(q.conn.id) !== q.conn) return false;
    if (q.rec !== undefined) {
      if (q.rec.outcome !== "pending") return false;
      q.conn.delivered(q.rec);
      this.recorder.arrived(q.rec, (e as { checksumOk: boolean }).checksumOk);
    }
    return true;
  }

  private afterStep(): void {
    if (this.agent.finished) this.finish("done", null);
  }

  private watch(): void {
    if (this.outcome !== null) return;
    const now = this.clock.nowUs();
    if (now - this.lastProgressUs > this.opts.stallTimeoutMs * 1000) {
      this.finish("failed", `no sub-block arrived for ${(this.opts.stallTimeoutMs / 1000).toFixed(1)} s${this.mirrorSummary()}`);
      return;
    }
    const anyOpen = [...this.conns.values()].some((c) => c.state === "open" || c.state === "connecting");
    if (!anyOpen && this.opts.mirrors.every((m) => !m.usable)) {
      this.finish("failed", `every mirror is out${this.mirrorSummary()}`);
    }
  }

  private mirrorSummary(): string {
    const out = this.opts.mirrors.filter((m) => !m.usable).map((m) => `${m.url.host}: ${m.standing} (${m.reason})`);
    return out.length === 0 ? "" : `; ${out.join("; ")}`;
  }

  private finish(status: DriverStatus, error: string | null): void {
    if (this.outcome !== null) return;
    const endUs = this.clock.nowUs();
    if (this.watchdog !== null) clearInterval(this.watchdog);
    for (const t of this.timers.values()) if (t !== null) clearTimeout(t);
    this.timers.clear();
    for (const t of this.trackerTimers) clearTimeout(t);
    this.trackerTimers.clear();
    for (const conn of this.conns.values()) conn.close(endUs);
    this.conns.clear();
    if (this.onAbort !== null) this.opts.signal?.removeEventListener("abort", this.onAbort);
    this.outcome = { status, error, recorder: this.recorder, stats: this.agent.stats(), endUs };
    this.resolve?.(this.outcome);
  }

  // ---- the agent's commands -------------------------------------------------------------------------------

  /** Executes every command the agent queued during its last input, in order. */
  private executeCommands(): void {
    for (let c = this.agent.poll(); c !== undefined; c = this.agent.poll()) this.execute(c);
  }

  private execute(c: AgentCommand): void {
    switch (c.type) {
      case "set-timer":
        return this.setTimer(c.timerId, c.atUs);
      case "cancel-timer": {
        const t = this.timers.get(c.timerId);
        if (t !== undefined && t !== null) clearTimeout(t);
        this.timers.delete(c.timerId);
        return;
      }
      case "connect":
        return this.connect(c.connId, c.nodeId);
      case "request":
        return this.request(c.connId, c.subBlockIds);
      case "cancel":
        this.conns.get(c.connId)?.cancel(c.subBlockIds, this.frozenUs);
        return;
      case "close": {
        const conn = this.conns.get(c.connId);
        if (conn === undefined) return;
        this.conns.delete(c.connId);
        conn.close(this.frozenUs);
        return;
      }
      case "ask-tracker":
        return this.requestNodes(c.maxNodes);
      case "announce":
        return;
      case "deliver-block":
        return this.recorder.blockDelivered(c.blockIndex, c.sizeBytes, this.frozenUs);
      case "note":
        if (c.note === "rebalance") {
          this.recorder.collector.rebalances.push({ timeUs: this.frozenUs, fromConn: c.fromConn, toConn: c.toConn, movedCount: c.movedCount });
        } else if (c.note === "blacklisted") {
          this.recorder.collector.blacklisted++;
        }
        return;
    }
  }

  /** Arms timer id for atUs (the agent's time base: this clock's µs); late is at once. */
  private setTimer(id: TimerId, atUs: number): void {
    const t = setTimeout(() => {
      if (!this.timers.has(id)) return;
      this.timers.set(id, null);
      this.push({ event: { type: "timer", timerId: id } });
    }, Math.max(0, atUs - this.clock.nowUs()) / 1000);
    this.timers.set(id, t);
  }

  private requestNodes(maxNodes: number): void {
    const now = this.frozenUs;
    const list = this.opts.nodes.list(maxNodes, now).filter((n) => this.opts.mirrors[n.nodeId]?.usable === true);
    const t = setTimeout(() => {
      this.trackerTimers.delete(t);
      this.push({ event: { type: "tracker-nodes", nodes: list } });
    }, this.opts.nodes.delayMs);
    this.trackerTimers.add(t);
  }

  private connect(id: ConnId, nodeId: NodeId): void {
    const mirror = this.opts.mirrors[nodeId];
    const kind = this.opts.kinds[nodeId] ?? "server";
    const conn = new RealConn(id, nodeId, kind, mirror, this);
    this.conns.set(id, conn);
    if (mirror === undefined || !mirror.usable) {
      conn.state = "failed";
      this.push({ event: { type: "connect-failed", connId: id, reason: "refused" }, conn });
      return;
    }
    conn.probe = rangeGet(mirror, 0, 0, () => this.clock.nowUs(), {
      onVerdict: (v) => {
        if (conn.state !== "connecting") return;
        if (v.kind === "ok") {
          if (mirror.validator === null) mirror.validator = v.validator;
          conn.state = "open";
          this.lastProgressUs = this.clock.nowUs();
          this.push({ event: { type: "connected", connId: id }, conn });
          return;
        }
        conn.probe = null;
        conn.exclude(v);
        conn.state = "failed";
        this.push({ event: { type: "connect-failed", connId: id, reason: "refused" }, conn });
      },
      onData: () => {},
      onEnd: () => {
        conn.probe = null;
      },
      onError: (kind) => {
        conn.probe = null;
        if (conn.state === "open") {
          // the probe's one byte was cut after its headers: the connection stands, the next request will tell.
          return;
        }
        if (conn.state !== "connecting") return;
        conn.state = "failed";
        this.push({ event: { type: "connect-failed", connId: id, reason: kind === "reset" ? "refused" : kind }, conn });
      },
    });
  }

  private request(connId: ConnId, ids: readonly SubBlockId[]): void {
    const conn = this.conns.get(connId);
    const now = this.frozenUs;
    if (conn === undefined) {
      // Not a connection of ours any more: recorded as dropped, as the simulator does.
      for (const id of ids) this.recorder.end(this.recorder.request(id, -1, "peer", connId, now), "dropped", now);
      return;
    }
    const part = this.opts.part;
    for (const id of ids) {
      const rec = this.recorder.request(id, conn.nodeId, conn.kind, connId, now);
      if (conn.state !== "open") {
        this.recorder.end(rec, "dropped", now);
      } else if (part !== null && part.isVerified(id)) {
        // A resumed download: the part file holds it verified. Answered from disk, no request.
        rec.firstByteUs = now;
        rec.endUs = now;
        conn.holdDelivered(rec);
        this.push({
          event: { type: "sub-block", connId, subBlockId: id, sizeBytes: this.content.subBlockSize(id), firstByteUs: now, checksumOk: true },
          rec,
          conn,
        });
      } else {
        conn.enqueue(rec);
      }
    }
    conn.pump();
  }
}
