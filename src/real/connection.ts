// One of the agent's connections on the real network: the sub-blocks it was asked for, in request order, fetched
// with one Range GET at a time on its mirror's pool (the longest run of consecutive sub-block ids at the head of
// the queue shares one range: consecutive ids are adjacent bytes). Body bytes are cut into sub-blocks as they
// arrive; a complete sub-block is checked against the manifest (when there is one), written to the part file
// when intact, and handed to the driver. A short 206 leaves the rest queued: the next range starts at the first
// missing byte (the partly received sub-block is kept). Cancelled sub-blocks leave the queue at once; bytes of
// an answer still flowing for them are dropped, and an answer that only carries cancelled bytes is aborted.
//
// Requests are sequential: a request made while another is in flight starts after it, one round trip later
// (the simulator sends it back to back). The strategies that add work to busy connections (pipelined,
// endgame) pay for that here; static, index and rebalance give work to idle connections only.

import type { NodeKind } from "../agent/ports.ts";
import type { Content } from "../agent/content.ts";
import type { LiveSubBlock } from "../sim/metrics/collector.ts";
import { type Manifest, sha256Hex, subBlockRange } from "./manifest.ts";
import type { Mirror } from "./mirror.ts";
import type { PartFile } from "./part-file.ts";
import { rangeGet, type RangeGet } from "./range-get.ts";
import type { ResponseVerdict } from "./response-check.ts";
import type { RunRecorder } from "./run-record.ts";

/** What a connection needs from the driver. */
export interface ConnHost {
  readonly content: Content;
  readonly recorder: RunRecorder;
  readonly manifest: Manifest | null;
  readonly part: PartFile | null;
  realNowUs(): number;
  subBlockArrived(conn: RealConn, rec: LiveSubBlock, checksumOk: boolean): void;
  connectionFailed(conn: RealConn): void;
}

/** Most sub-blocks one range carries. */
export const MAX_RANGE_SUB_BLOCKS = 4096;

interface Flight {
  readonly get: RangeGet;
  /** Next byte expected, and the last byte asked (inclusive). */
  pos: number;
  readonly end: number;
}

/** The sub-block being assembled from the body. */
interface Partial {
  readonly id: number;
  readonly start: number;
  readonly end: number;
  readonly chunks: Buffer[];
  got: number;
  readonly firstByteUs: number;
}

export class RealConn {
  state: "connecting" | "open" | "failed" | "closed" = "connecting";
  probe: RangeGet | null = null;
  /** Wanted sub-blocks in request order, with their live records. */
  private readonly queue: LiveSubBlock[] = [];
  /** Complete sub-blocks whose event is queued but not yet handled, by id. */
  private readonly pendingEvents = new Map<number, LiveSubBlock>();
  private flight: Flight | null = null;
  private partial: Partial | null = null;

  constructor(
    readonly id: number,
    readonly nodeId: number,
    readonly kind: NodeKind,
    readonly mirror: Mirror,
    private readonly host: ConnHost,
  ) {}

  enqueue(rec: LiveSubBlock): void {
    this.queue.push(rec);
  }

  /** A sub-block answered without the network (resume): its event is queued, cancellable until handled. */
  holdDelivered(rec: LiveSubBlock): void {
    this.pendingEvents.set(rec.subBlockId, rec);
  }

  /** The driver hands the event of rec to the agent now. */
  delivered(rec: LiveSubBlock): void {
    if (this.pendingEvents.get(rec.subBlockId) === rec) this.pendingEvents.delete(rec.subBlockId);
  }

  cancel(ids: readonly number[], nowUs: number): void {
    const rec = this.host.recorder;
    for (const id of ids) {
      const i = this.queue.findIndex((r) => r.subBlockId === id);
      if (i >= 0) {
        rec.end(this.queue[i], "cancelled", nowUs);
        this.queue.splice(i, 1);
        continue;
      }
      const done = this.pendingEvents.get(id);
      if (done !== undefined) {
        this.pendingEvents.delete(id);
        rec.end(done, "cancelled", nowUs);
      }
    }
    if (this.flight !== null && !this.flightWanted()) {
      this.flight.get.abort();
      this.flight = null;
      this.dropPartialIfUnwanted();
    }
    this.pump();
  }

  close(nowUs: number): void {
    if (this.state === "closed") return;
    this.state = "closed";
    this.probe?.abort();
    this.probe = null;
    this.flight?.get.abort();
    this.flight = null;
    this.partial = null;
    for (const r of this.queue) this.host.recorder.end(r, "cancelled", nowUs);
    this.queue.length = 0;
    for (const r of this.pendingEvents.values()) this.host.recorder.end(r, "cancelled", nowUs);
    this.pendingEvents.clear();
  }

  /** Takes the mirror out when a verdict says so. */
  exclude(v: ResponseVerdict): void {
    if (v.kind === "no-ranges") this.mirror.exclude("no-ranges", "answered a ranged GET with 200 and the whole file");
    else if (v.kind === "unusable") this.mirror.exclude("unusable", v.detail);
    else if (v.kind === "version-changed") this.mirror.exclude("quarantined", `another version: ${v.detail}`);
  }

  /** Starts the next range when the connection is open, idle and has work. */
  pump(): void {
    if (this.state !== "open" || this.flight !== null || this.queue.length === 0) return;
    const c = this.host.content;
    let n = 1;
    while (n < this.queue.length && n < MAX_RANGE_SUB_BLOCKS && this.queue[n].subBlockId === this.queue[n - 1].subBlockId + 1) n++;
    const first = subBlockRange(c, this.queue[0].subBlockId);
    const last = subBlockRange(c, this.queue[n - 1].subBlockId);
    const p = this.partial;
    const start = p !== null && p.id === this.queue[0].subBlockId ? p.start + p.got : first.start;
    if (p !== null && p.id !== this.queue[0].subBlockId) this.partial = null;
    const end = last.end - 1;
    const flight: Flight = {
      pos: start,
      end,
      get: rangeGet(this.mirror, start, end, () => this.host.realNowUs(), {
        onVerdict: (v) => {
          if (this.flight !== flight) return;
          if (v.kind !== "ok") this.fail(v);
        },
        onData: (chunk, atUs) => {
          if (this.flight === flight) this.onData(flight, chunk, atUs);
        },
        onEnd: () => {
          if (this.flight !== flight) return;
          this.flight = null;
          this.pump(); // a short 206 left work queued: the rest is asked for now
        },
        onError: () => {
          if (this.flight === flight) this.fail(null);
        },
      }),
    };
    this.flight = flight;
  }

  /** The connection failed (a reset, a timeout, or an answer that failed validation). */
  private fail(v: ResponseVerdict | null): void {
    if (v !== null) this.exclude(v);
    if (this.state !== "open") return;
    this.state = "failed";
    this.flight?.get.abort();
    this.flight = null;
    this.partial = null;
    const now = this.host.realNowUs();
    for (const r of this.queue) this.host.recorder.end(r, "dropped", now);
    this.queue.length = 0;
    this.host.connectionFailed(this);
  }

  private flightWanted(): boolean {
    const f = this.flight;
    if (f === null) return false;
    const c = this.host.content;
    for (const r of this.queue) {
      const { start, end } = subBlockRange(c, r.subBlockId);
      if (start <= f.end && end > f.pos) return true;
    }
    return false;
  }

  private dropPartialIfUnwanted(): void {
    const p = this.partial;
    if (p !== null && !this.queue.some((r) => r.subBlockId === p.id)) this.partial = null;
  }

  private onData(flight: Flight, chunk: Buffer, atUs: number): void {
    const c = this.host.content;
    let off = 0;
    for (let guard = 0; off < chunk.length; guard++) {
      if (guard > chunk.length || flight.pos > flight.end) {
        this.fail({ kind: "unusable", detail: "more body bytes than the range asked" });
        return;
      }
      const id = subBlockAt(c, flight.pos);
      let p = this.partial;
      if (p === null || p.id !== id) {
        const r = subBlockRange(c, id);
        p = { id, start: r.start, end: r.end, chunks: [], got: flight.pos - r.start, firstByteUs: atUs };
        this.partial = p;
      }
      const take = Math.min(chunk.length - off, p.end - flight.pos);
      const rec = this.queue.find((r) => r.subBlockId === id);
      if (rec !== undefined) {
        if (rec.firstByteUs < 0) rec.firstByteUs = p.firstByteUs;
        rec.bytes += take;
        p.chunks.push(chunk.subarray(off, off + take));
      }
      p.got += take;
      flight.pos += take;
      off += take;
      if (flight.pos === p.end) {
        this.partial = null;
        if (rec !== undefined && p.chunks.reduce((s, b) => s + b.length, 0) === p.end - p.start) {
          this.complete(rec, Buffer.concat(p.chunks), atUs);
        } else {
          this.mirror.otherBytes += p.end - p.start;
        }
        if (this.flight !== flight) return; // completion cancelled or failed it
        if (!this.flightWanted()) {
          flight.get.abort();
          this.flight = null;
          this.pump();
          return;
        }
      }
    }
  }

  private complete(rec: LiveSubBlock, bytes: Buffer, atUs: number): void {
    const id = rec.subBlockId;
    this.queue.splice(this.queue.indexOf(rec), 1);
    const m = this.host.manifest;
    const ok = m === null || sha256Hex(bytes) === m.subBlocks[id];
    if (ok) {
      this.mirror.goodBytes += bytes.length;
      const part = this.host.part;
      if (part !== null) part.writeVerified(id, subBlockRange(this.host.content, id).start, bytes);
    } else {
      this.mirror.otherBytes += bytes.length;
    }
    rec.endUs = atUs;
    rec.bytes = bytes.length;
    this.pendingEvents.set(id, rec);
    this.host.subBlockArrived(this, rec, ok);
  }
}

/** The sub-block holding byte `pos` of the content. */
export function subBlockAt(c: Content, pos: number): number {
  const block = Math.floor(pos / c.blockBytes);
  return block * c.subBlocksPerBlock + Math.floor((pos - block * c.blockBytes) / c.subBlockBytes);
}
