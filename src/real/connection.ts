// One of the agent's connections on the real network: the sub-blocks it was asked for, in request order, fetched
// with Range GETs on its mirror's pool (the longest run of consecutive sub-block ids not yet asked for shares
// one range: consecutive ids are adjacent bytes). Ranges are asked for as soon as the agent asks; the mirror's
// socket pipelines them (mirror.ts), so they come back in order, back to back, as in the simulator. Body bytes
// are cut into sub-blocks as they arrive; a complete sub-block is checked against the manifest (when there is
// one), written to the part file when intact, and handed to the driver. A short 206 leaves the rest of its
// range to be asked for again, from the first missing byte (bytes already received of a sub-block are kept).
// Cancelled sub-blocks leave the queue at once; bytes still flowing for them are dropped. A range that only
// carries cancelled bytes is aborted when it is the one being answered; one still waiting behind it on the
// socket is aborted when its turn comes (its headers arrive), since aborting it earlier would make undici send
// the answered range again (range-get.ts).

import type { NodeKind } from "../agent/ports.ts";
import type { Content } from "../agent/content.ts";
import type { LiveSubBlock } from "./run-record.ts";
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
/** Most ranges asked for and not yet over on one connection (a bound on the socket's pipeline). */
export const MAX_FLIGHTS = 16;

interface Flight {
  readonly get: RangeGet;
  /** Nothing it carries is wanted any more: aborted when its answer starts. */
  unwanted: boolean;
  /** Next byte expected, and the last byte asked (inclusive). */
  pos: number;
  readonly end: number;
  /** The records the range was asked for, in byte order (some may have been cancelled since). */
  readonly recs: readonly LiveSubBlock[];
}

/** Bytes received so far of a sub-block, kept across ranges (a short 206 cuts one in the middle). */
interface Partial {
  readonly chunks: Buffer[];
  got: number;
  readonly firstByteUs: number;
}

export class RealConn {
  state: "connecting" | "open" | "failed" | "closed" = "connecting";
  probe: RangeGet | null = null;
  /** Wanted sub-blocks in request order, with their live records. */
  private readonly queue: LiveSubBlock[] = [];
  /** The range each wanted record is being fetched by; absent: not asked for yet. */
  private readonly flightOf = new Map<LiveSubBlock, Flight>();
  private readonly partials = new Map<LiveSubBlock, Partial>();
  /** Complete sub-blocks whose event is queued but not yet handled, by id. */
  private readonly pendingEvents = new Map<number, LiveSubBlock>();
  /** Ranges asked for and not over, oldest first (the socket answers them in this order). */
  private readonly flights: Flight[] = [];

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
        const r = this.queue[i];
        rec.end(r, "cancelled", nowUs);
        this.forget(r, i);
        continue;
      }
      const done = this.pendingEvents.get(id);
      if (done !== undefined) {
        this.pendingEvents.delete(id);
        rec.end(done, "cancelled", nowUs);
      }
    }
    for (const f of [...this.flights]) if (!f.unwanted && !this.wanted(f)) this.dropFlight(f);
    this.pump();
  }

  close(nowUs: number): void {
    if (this.state === "closed") return;
    this.state = "closed";
    this.probe?.abort();
    this.probe = null;
    for (const f of this.flights) f.get.abort(); // oldest first: the one being answered goes first
    this.flights.length = 0;
    this.flightOf.clear();
    this.partials.clear();
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

  /** Asks for queued sub-blocks not yet asked for, while fewer than MAX_FLIGHTS ranges are in flight. */
  pump(): void {
    if (this.state !== "open") return;
    const c = this.host.content;
    for (let i = 0; i < this.queue.length && this.flights.length < MAX_FLIGHTS; i++) {
      if (this.flightOf.has(this.queue[i])) continue;
      const run = [this.queue[i]];
      for (let j = i + 1; j < this.queue.length && run.length < MAX_RANGE_SUB_BLOCKS; j++) {
        const r = this.queue[j];
        if (this.flightOf.has(r) || r.subBlockId !== run[run.length - 1].subBlockId + 1) break;
        run.push(r);
      }
      const first = subBlockRange(c, run[0].subBlockId);
      const start = first.start + (this.partials.get(run[0])?.got ?? 0);
      const end = subBlockRange(c, run[run.length - 1].subBlockId).end - 1;
      this.startFlight(run, start, end);
      i += run.length - 1;
    }
  }

  private startFlight(recs: LiveSubBlock[], start: number, end: number): void {
    const live = () => this.flights.includes(flight);
    const flight: Flight = {
      pos: start,
      end,
      recs,
      unwanted: false,
      get: rangeGet(this.mirror, start, end, () => this.host.realNowUs(), {
        onVerdict: (v) => {
          if (!live()) return;
          if (flight.unwanted) {
            // Its answer has started, so it is the one being answered: aborting it is safe now.
            flight.get.abort();
            this.endFlight(flight);
            this.pump();
          } else if (v.kind !== "ok") this.fail(v);
        },
        onData: (chunk, atUs) => {
          if (live() && !flight.unwanted) this.onData(flight, chunk, atUs);
        },
        onEnd: () => {
          if (!live()) return;
          this.endFlight(flight);
          this.pump(); // a short 206 left work unasked: the rest is asked for now
        },
        onError: () => {
          if (!live()) return;
          if (flight.unwanted) this.endFlight(flight);
          else this.fail(null);
        },
      }),
    };
    this.flights.push(flight);
    for (const r of recs) this.flightOf.set(r, flight);
  }

  /** The flight is over: its records not received are asked for again by the next pump. */
  private endFlight(f: Flight): void {
    const i = this.flights.indexOf(f);
    if (i >= 0) this.flights.splice(i, 1);
    for (const r of f.recs) if (this.flightOf.get(r) === f) this.flightOf.delete(r);
  }

  /** Nothing of f is wanted: abort it if it is being answered, else when its turn comes. */
  private dropFlight(f: Flight): void {
    if (f.pos > f.end) {
      // Every byte is in: let the answer end by itself. Aborting it now would close the socket and make undici
      // send every range pipelined behind it again, one round trip late.
      this.endFlight(f);
      return;
    }
    // The oldest range is the one being answered, unless the connection's probe still is.
    if (this.flights[0] === f && this.probe === null) {
      f.get.abort();
      this.endFlight(f);
      return;
    }
    f.unwanted = true;
    for (const r of f.recs) if (this.flightOf.get(r) === f) this.flightOf.delete(r);
  }

  /** Removes a wanted record (queue index i) from every structure. */
  private forget(r: LiveSubBlock, i = this.queue.indexOf(r)): void {
    if (i >= 0) this.queue.splice(i, 1);
    this.flightOf.delete(r);
    this.partials.delete(r);
  }

  /** The connection failed (a reset, a timeout, or an answer that failed validation). */
  private fail(v: ResponseVerdict | null): void {
    if (v !== null) this.exclude(v);
    if (this.state !== "open") return;
    this.state = "failed";
    for (const f of this.flights) f.get.abort();
    this.flights.length = 0;
    this.flightOf.clear();
    this.partials.clear();
    const now = this.host.realNowUs();
    for (const r of this.queue) this.host.recorder.end(r, "dropped", now);
    this.queue.length = 0;
    this.host.connectionFailed(this);
  }

  /** Whether a record the flight carries is still wanted from it, at or after its next byte. */
  private wanted(f: Flight): boolean {
    const c = this.host.content;
    for (const r of f.recs) {
      if (this.flightOf.get(r) !== f) continue;
      if (subBlockRange(c, r.subBlockId).end > f.pos) return true;
    }
    return false;
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
      const range = subBlockRange(c, id);
      const take = Math.min(chunk.length - off, range.end - flight.pos);
      const rec = flight.recs.find((r) => r.subBlockId === id && this.flightOf.get(r) === flight);
      if (rec !== undefined) {
        let p = this.partials.get(rec);
        if (p === undefined || range.start + p.got !== flight.pos) {
          p = { chunks: [], got: flight.pos - range.start, firstByteUs: atUs };
          this.partials.set(rec, p);
        }
        if (rec.firstByteUs < 0) rec.firstByteUs = p.firstByteUs;
        rec.bytes += take;
        p.chunks.push(chunk.subarray(off, off + take));
        p.got += take;
      } else {
        this.mirror.otherBytes += take;
      }
      flight.pos += take;
      off += take;
      if (rec !== undefined && flight.pos === range.end) {
        const p = this.partials.get(rec)!;
        const bytes = Buffer.concat(p.chunks);
        if (bytes.length === range.end - range.start) this.complete(rec, bytes, atUs);
        else {
          // Its first bytes came on a range that is gone: ask for the whole sub-block again.
          this.partials.delete(rec);
          this.flightOf.delete(rec);
          this.mirror.otherBytes += bytes.length;
        }
        if (!this.flights.includes(flight)) return; // completing it failed the connection
        if (!this.wanted(flight)) {
          this.dropFlight(flight);
          this.pump();
          return;
        }
      }
    }
  }

  private complete(rec: LiveSubBlock, bytes: Buffer, atUs: number): void {
    const id = rec.subBlockId;
    this.forget(rec);
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
