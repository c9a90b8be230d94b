// The world's transfers in progress: one per sub-block sent on a connection and neither ended nor handed to
// the agent yet. What a transfer knows while it goes on (its first byte, when the network delivered its last
// byte, its bytes) lives here, apart from the metric records, which the world writes once the transfer ends.
//
// Every operation is O(1) (finding a transfer walks the sub-block's own list: its copies on other
// connections, a handful at most): transfers sit in recycled slots of parallel typed arrays, linked in a list
// per sub-block (to find one by connection and sub-block) and in a doubly linked list per connection (to end a
// connection's transfers), and mapped from their record's index (the kernel's arrival events carry it).
// A transfer's record is the world's key for it (dense over every viewer's transfers); its entry is the index of
// its sub-block record in its viewer's collector, the same number for the scenario's agent in a single-agent
// world, -1 for a viewer that keeps no sub-block records.

import { assert } from "../../assert.ts";

const NONE = -1;

export class LiveTransfers {
  private capacity = 0;
  private conn = new Int32Array(0);
  private sb = new Int32Array(0);
  private record = new Int32Array(0);
  private entry = new Int32Array(0);
  private firstByte = new Float64Array(0);
  private delivered = new Float64Array(0);
  private byteCount = new Float64Array(0);
  /** Next slot of the same sub-block (or of the free list). */
  private nextOfSb = new Int32Array(0);
  private prevOfConn = new Int32Array(0);
  private nextOfConn = new Int32Array(0);
  /** First slot of each sub-block's list, by sub-block id. */
  private readonly sbHead: Int32Array;
  /** First slot of each connection's list, by connection id (grown as connections come). */
  private connHead = new Int32Array(0);
  /** Slot of each record's transfer, by record index (grown as records come). */
  private slotOfRecord = new Int32Array(0);
  private free = NONE;
  private live = 0;

  constructor(subBlockIdCount: number) {
    this.sbHead = new Int32Array(subBlockIdCount).fill(NONE);
    this.grow(64);
  }

  /** Transfers in progress. */
  get size(): number {
    return this.live;
  }

  /** A transfer of sub-block sb starts on conn, under record `record` (collector entry `entry`); returns its slot. */
  open(conn: number, sb: number, record: number, entry = record): number {
    if (this.free === NONE) this.grow(this.capacity * 2);
    const slot = this.free;
    this.free = this.nextOfSb[slot];
    this.conn[slot] = conn;
    this.sb[slot] = sb;
    this.record[slot] = record;
    this.entry[slot] = entry;
    this.firstByte[slot] = -1;
    this.delivered[slot] = -1;
    this.byteCount[slot] = 0;
    this.nextOfSb[slot] = this.sbHead[sb];
    this.sbHead[sb] = slot;
    if (conn >= this.connHead.length) this.connHead = grown(this.connHead, conn + 1);
    const head = this.connHead[conn];
    this.prevOfConn[slot] = NONE;
    this.nextOfConn[slot] = head;
    if (head !== NONE) this.prevOfConn[head] = slot;
    this.connHead[conn] = slot;
    if (record >= this.slotOfRecord.length) this.slotOfRecord = grown(this.slotOfRecord, record + 1);
    this.slotOfRecord[record] = slot;
    this.live++;
    return slot;
  }

  /** The slot of sub-block sb's transfer on conn, or -1. */
  find(conn: number, sb: number): number {
    for (let s = this.sbHead[sb]; s !== NONE; s = this.nextOfSb[s]) if (this.conn[s] === conn) return s;
    return NONE;
  }

  /** The slot of the transfer of record `record`, or -1 when it ended. */
  ofRecord(record: number): number {
    return record < this.slotOfRecord.length ? this.slotOfRecord[record] : NONE;
  }

  /** The first transfer of conn (then next()), or -1. */
  firstOn(conn: number): number {
    return conn < this.connHead.length ? this.connHead[conn] : NONE;
  }

  /** The transfer after slot on its connection, or -1. */
  next(slot: number): number {
    return this.nextOfConn[slot];
  }

  connOf(slot: number): number {
    return this.conn[slot];
  }

  subBlockOf(slot: number): number {
    return this.sb[slot];
  }

  recordOf(slot: number): number {
    return this.record[slot];
  }

  /** The index of the transfer's sub-block record in its viewer's collector (-1: none). */
  entryOf(slot: number): number {
    return this.entry[slot];
  }

  /** When its first byte arrived, µs (-1: not yet). */
  firstByteUs(slot: number): number {
    return this.firstByte[slot];
  }

  /** When the network delivered its last byte, µs (-1: not yet). */
  deliveredUs(slot: number): number {
    return this.delivered[slot];
  }

  /** Bytes it has delivered (set when the network delivered it whole). */
  bytes(slot: number): number {
    return this.byteCount[slot];
  }

  /** The network delivered its last byte at atUs. */
  setDelivered(slot: number, firstByteUs: number, atUs: number, bytes: number): void {
    this.firstByte[slot] = firstByteUs;
    this.delivered[slot] = atUs;
    this.byteCount[slot] = bytes;
  }

  /** The transfer is over (ended or handed over): its slot is free again. */
  end(slot: number): void {
    const sb = this.sb[slot];
    // Unlink from the sub-block's list (a handful of copies at most).
    if (this.sbHead[sb] === slot) {
      this.sbHead[sb] = this.nextOfSb[slot];
    } else {
      let s = this.sbHead[sb];
      while (s !== NONE && this.nextOfSb[s] !== slot) s = this.nextOfSb[s];
      assert(s !== NONE, "transfer {0} is not in the list of sub-block {1}", slot, sb);
      this.nextOfSb[s] = this.nextOfSb[slot];
    }
    const prev = this.prevOfConn[slot];
    const next = this.nextOfConn[slot];
    if (prev !== NONE) this.nextOfConn[prev] = next;
    else this.connHead[this.conn[slot]] = next;
    if (next !== NONE) this.prevOfConn[next] = prev;
    this.slotOfRecord[this.record[slot]] = NONE;
    this.nextOfSb[slot] = this.free;
    this.free = slot;
    this.live--;
  }

  /** Doubles the slots (amortised O(1) per transfer); new slots join the free list. */
  private grow(capacity: number): void {
    const old = this.capacity;
    this.conn = grown(this.conn, capacity);
    this.sb = grown(this.sb, capacity);
    this.record = grown(this.record, capacity);
    this.entry = grown(this.entry, capacity);
    this.firstByte = grownFloat(this.firstByte, capacity);
    this.delivered = grownFloat(this.delivered, capacity);
    this.byteCount = grownFloat(this.byteCount, capacity);
    this.nextOfSb = grown(this.nextOfSb, capacity);
    this.prevOfConn = grown(this.prevOfConn, capacity);
    this.nextOfConn = grown(this.nextOfConn, capacity);
    for (let s = capacity - 1; s >= old; s--) {
      this.nextOfSb[s] = this.free;
      this.free = s;
    }
    this.capacity = capacity;
  }
}

/** A copy of a at least `min` long (doubling), new entries -1. */
function grown(a: Int32Array<ArrayBuffer>, min: number): Int32Array<ArrayBuffer> {
  let n = Math.max(16, a.length);
  while (n < min) n *= 2;
  if (n === a.length) return a;
  const b = new Int32Array(n).fill(NONE);
  b.set(a);
  return b;
}

function grownFloat(a: Float64Array<ArrayBuffer>, min: number): Float64Array<ArrayBuffer> {
  let n = Math.max(16, a.length);
  while (n < min) n *= 2;
  if (n === a.length) return a;
  const b = new Float64Array(n);
  b.set(a);
  return b;
}
