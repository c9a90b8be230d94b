// One testbed node: an HTTP server on 127.0.0.1 that serves the testbed file shaped like a simulated node. Its
// answers wait the node's RTT (plus U[0, jitter]) after the request arrived, then the body flows through the
// shared Shaper at the node's uplink; single byte ranges are honoured (206 with Content-Range, 416 when
// unsatisfiable, If-Range against the current ETag or Last-Modified; pipelined requests are answered in order,
// each from when it was due or when the one before it ended); the node's scenario failures and its
// configured misbehaviours (misbehaviour.ts) apply. Everything random is drawn from the node's own named
// streams (`<prefix>/connect`, `/corrupt`, `/drops`, `/stalls`, `/slowdowns`, `/jitter`), as in the simulator,
// though real time orders the draws differently.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { Content } from "../agent/content.ts";
import { assert } from "../assert.ts";
import type { ContentLayout } from "../agent/config.ts";
import type { NodeKind } from "../agent/ports.ts";
import type { NodeFailures } from "../sim/config.ts";
import type { Distribution } from "../sim/random/distributions.ts";
import { makeSampler, unitExponential } from "../sim/random/distributions.ts";
import type { Rng } from "../sim/random/streams.ts";
import type { CapacityProcess } from "../sim/traces/process.ts";
import type { Misbehaviour } from "./misbehaviour.ts";
import type { Shaper, ShapedStream } from "./shaper.ts";

/** The path every node serves the file at. */
export const FILE_PATH = "/file.bin";
/** Most served ranges a node keeps in its log. */
const MAX_LOG = 100_000;
/** Most connections a node holds open at once (beyond, new ones are dropped by Node). */
const MAX_CONNECTIONS = 1024;

export interface NodeServerSpec {
  readonly id: number;
  readonly label: string;
  readonly kind: NodeKind;
  readonly rttUs: number;
  readonly jitterUs: number;
  /** What the node gives before stalls, slow-downs and traces: uplink × (1 − load) / (1 + users), bits/s. */
  readonly baseUplinkBps: number;
  /** Multiplies the traced uplink like baseUplinkBps multiplies the nominal one. */
  readonly uplinkShare: number;
  readonly failures: NodeFailures;
  readonly misbehaviour: Misbehaviour;
  /** The node's named random stream for a purpose. */
  readonly rng: (purpose: string) => Rng;
  /** Capacity over time (a trace or a Markov chain), or null. */
  readonly capacity: CapacityProcess | null;
}

export interface SharedFile {
  readonly layout: ContentLayout;
  /** The file's bytes for a version (0, or 1 after an ETag change). */
  bytes(version: number): Buffer;
  etag(version: number): string;
  lastModified(version: number): string;
}

/** One range a node answered (for tests and benchmarks). */
export interface ServedRange {
  readonly status: number;
  readonly start: number;
  /** Inclusive; -1 for answers without a body. */
  readonly end: number;
}

const exponentialMs = (rng: Rng, ratePerS: number) => Math.max(1, (unitExponential(rng) / ratePerS) * 1000);

/** Parses a single `bytes=` range against a size; null when absent or not a single range (served whole). */
export function parseRangeHeader(value: string | undefined, size: number): { start: number; end: number } | "unsatisfiable" | null {
  if (value === undefined) return null;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(value);
  if (m === null || (m[1] === "" && m[2] === "")) return null;
  if (m[1] === "") {
    const n = Number(m[2]);
    if (n === 0) return "unsatisfiable";
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size) return "unsatisfiable";
  if (end < start) return null;
  return { start, end };
}

export class NodeServer {
  readonly log: ServedRange[] = [];
  bytesSent = 0;
  requests = 0;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private readonly silent = new WeakSet<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly active = new Map<ShapedStream, ServerResponse>();
  private stallFactor = 1;
  private slowFactor = 1;
  private tracedUplinkBps: number | null = null;
  private dead = false;
  private closed = false;
  private port = 0;
  private readonly content: Content;

  constructor(
    readonly spec: NodeServerSpec,
    private readonly file: SharedFile,
    private readonly shaper: Shaper,
  ) {
    this.content = new Content(file.layout);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}${FILE_PATH}`;
  }

  get isDead(): boolean {
    return this.dead;
  }

  async listen(): Promise<void> {
    const server = createServer({ keepAliveTimeout: 60_000, requestTimeout: 0 }, (req, res) => this.onRequest(req, res));
    server.maxConnections = MAX_CONNECTIONS;
    server.on("connection", (socket: Socket) => this.onConnection(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    const addr = server.address();
    assert(addr !== null && typeof addr !== "string", "testbed: no TCP address");
    this.port = addr.port;
    this.refreshRate();
    this.startProcesses();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const s of this.active.keys()) this.shaper.remove(s);
    this.active.clear();
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    if (server !== null && server.listening) await new Promise<void>((r) => server.close(() => r()));
  }

  // ---- rate and processes ----------------------------------------------------------------------------------

  private refreshRate(): void {
    const base = this.tracedUplinkBps !== null ? this.tracedUplinkBps * this.spec.uplinkShare : this.spec.baseUplinkBps;
    this.shaper.setNodeRate(this.spec.id, this.dead ? 0 : base * this.stallFactor * this.slowFactor);
  }

  private later(ms: number, fn: () => void): void {
    if (this.closed) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.closed) fn();
    }, ms);
    this.timers.add(t);
  }

  /** Stalls, slow-downs, drops and the capacity trace, each from the node's own stream, on real timers. */
  private startProcesses(): void {
    const f = this.spec.failures;
    const episode = (stream: string, ratePerS: number, duration: Distribution, apply: (on: boolean) => void) => {
      if (!(ratePerS > 0)) return;
      const rng = this.spec.rng(stream);
      const sample = makeSampler(duration);
      const start = () => {
        apply(true);
        this.refreshRate();
        this.later(Math.max(0.001, sample(rng)) * 1000, end);
      };
      const end = () => {
        apply(false);
        this.refreshRate();
        this.later(exponentialMs(rng, ratePerS), start);
      };
      this.later(exponentialMs(rng, ratePerS), start);
    };
    episode("stalls", f.stallPerS, f.stallS, (on) => {
      this.stallFactor = on ? 0 : 1;
    });
    episode("slowdowns", f.slowdownPerS, f.slowdownS, (on) => {
      this.slowFactor = on ? f.slowdownFactor : 1;
    });
    if (f.dropPerS > 0) {
      const rng = this.spec.rng("drops");
      const drop = () => {
        const first = this.active.values().next();
        if (!first.done) first.value.socket?.destroy(); // a mid-transfer reset of one sending connection
        this.later(exponentialMs(rng, f.dropPerS), drop);
      };
      this.later(exponentialMs(rng, f.dropPerS), drop);
    }
    const cap = this.spec.capacity;
    if (cap !== null) {
      const step = () => {
        const seg = cap.next();
        this.tracedUplinkBps = seg.bps;
        this.refreshRate();
        this.later(seg.durationUs / 1000, step);
      };
      step();
    }
  }

  /** Resets every connection and stops listening: new connections are refused. */
  private die(): void {
    if (this.dead) return;
    this.dead = true;
    this.refreshRate();
    for (const s of this.active.keys()) this.shaper.remove(s);
    this.active.clear();
    for (const s of this.sockets) s.destroy();
    this.server?.close();
  }

  // ---- connections and requests ----------------------------------------------------------------------------

  private onConnection(socket: Socket): void {
    if (this.dead) {
      socket.destroy();
      return;
    }
    const f = this.spec.failures;
    if (f.connectRefusedP > 0 || f.connectTimeoutP > 0) {
      const u = this.spec.rng("connect").next();
      if (u < f.connectRefusedP) {
        socket.destroy();
        return;
      }
      if (u < f.connectRefusedP + f.connectTimeoutP) this.silent.add(socket);
    }
    this.sockets.add(socket);
    socket.on("close", () => this.sockets.delete(socket));
  }

  private version(): number {
    const after = this.spec.misbehaviour.etagChangeAfter;
    return after !== null && this.requests > after ? 1 : 0;
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    if (this.silent.has(req.socket)) return; // never answers
    const arrivedMs = performance.now();
    const size = this.file.layout.sizeBytes;
    if (req.url !== FILE_PATH || (req.method !== "GET" && req.method !== "HEAD")) {
      res.writeHead(req.url !== FILE_PATH ? 404 : 405, { "content-length": 0 });
      res.end();
      return;
    }
    this.requests++;
    const version = this.version();
    const etag = this.file.etag(version);
    const lastModified = this.file.lastModified(version);
    const mb = this.spec.misbehaviour;
    let range = parseRangeHeader(req.headers.range, size);
    const ifRange = req.headers["if-range"];
    if (range !== null && ifRange !== undefined && ifRange !== etag && ifRange !== lastModified) range = null;
    if (mb.ignoreRange) range = null;
    const headers: Record<string, string | number> = {
      etag,
      "last-modified": lastModified,
      "accept-ranges": mb.ignoreRange ? "none" : "bytes",
      "content-type": "application/octet-stream",
    };
    let status = 200;
    let start = 0;
    let end = size - 1;
    if (range === "unsatisfiable") {
      status = 416;
      headers["content-range"] = `bytes */${size}`;
      end = -1;
    } else if (range !== null) {
      status = 206;
      start = range.start;
      end = range.end;
      if (mb.short206 && end > start) end = start + Math.floor((end - start + 1) / 2) - 1;
      const shift = mb.wrongRange ? 1 : 0;
      headers["content-range"] = `bytes ${start + shift}-${Math.min(size - 1, end + shift)}/${size}`;
    }
    headers["content-length"] = end >= start ? end - start + 1 : 0;
    if (this.log.length < MAX_LOG) this.log.push({ status, start, end });
    const jitterMs = this.spec.jitterUs > 0 ? this.spec.rng("jitter").next() * (this.spec.jitterUs / 1000) : 0;
    const dueMs = arrivedMs + this.spec.rttUs / 1000 + jitterMs;
    // A pipelined request is answered once the answers before it on its socket are over (Node gives its
    // response the socket then): its bytes follow theirs back to back, never interleaved.
    const answer = (sinceMs: number) => {
      if (res.destroyed || this.dead || this.closed) return;
      res.writeHead(status, headers);
      if (req.method === "HEAD" || end < start) {
        res.end();
        return;
      }
      res.flushHeaders();
      this.stream(res, this.file.bytes(version), start, end, sinceMs);
    };
    this.later(Math.max(0, dueMs - performance.now()), () => {
      if (res.socket !== null) answer(dueMs);
      else res.once("socket", () => answer(performance.now()));
    });
  }

  /**
   * Sends bytes [start, end] of `body` through the shaper from sinceMs on (bytes a late timer held back leave
   * at once), corrupting sub-blocks as the node's draws say.
   */
  private stream(res: ServerResponse, body: Buffer, start: number, end: number, sinceMs: number): void {
    const corruptAt = this.corruptOffsets(start, end);
    let pos = start;
    const stream: ShapedStream = {
      node: this.spec.id,
      remaining: () => end + 1 - pos,
      writable: () => !res.writableNeedDrain && !res.destroyed,
      send: (want) => {
        const die = this.spec.misbehaviour.dieAfterBytes;
        const n = die === null ? want : Math.min(want, die - this.bytesSent);
        if (n <= 0) {
          this.die();
          return;
        }
        let chunk = body.subarray(pos, pos + n);
        for (const at of corruptAt) {
          if (at >= pos && at < pos + n) {
            if (chunk.buffer === body.buffer) chunk = Buffer.from(chunk);
            chunk[at - pos] ^= 0xff;
          }
        }
        pos += n;
        this.bytesSent += n;
        res.write(chunk);
        if (pos > end) {
          this.shaper.remove(stream);
          this.active.delete(stream);
          res.end();
        }
        if (die !== null && this.bytesSent >= die) this.die();
      },
    };
    res.on("close", () => {
      this.shaper.remove(stream);
      this.active.delete(stream);
    });
    this.active.set(stream, res);
    this.shaper.add(stream, sinceMs);
  }

  /** One byte offset per sub-block of [start, end] that this answer corrupts (its first byte in the range). */
  private corruptOffsets(start: number, end: number): number[] {
    const p1 = this.spec.failures.corruptP;
    const p2 = this.spec.misbehaviour.corruptP;
    if (!(p1 > 0) && !(p2 > 0)) return [];
    const c = this.content;
    const out: number[] = [];
    const rng = this.spec.rng("corrupt");
    for (let off = start; off <= end; ) {
      const block = Math.floor(off / c.blockBytes);
      const inBlock = off - block * c.blockBytes;
      const sbEnd = Math.min(block * c.blockBytes + (Math.floor(inBlock / c.subBlockBytes) + 1) * c.subBlockBytes, (block + 1) * c.blockBytes, c.sizeBytes);
      const u = rng.next();
      if (u < p1 + p2 - p1 * p2) out.push(off);
      off = sbEnd;
    }
    return out;
  }
}
