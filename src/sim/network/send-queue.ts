// One connection's FIFO of sub-blocks: what the node will send on it, strictly in order. Each entry has the
// sub-block id, its size and the time its request reaches the node (readyAt, µs). Entries [head, tail) are
// queued; the arrays keep their storage when the queue empties (most queues empty and refill once per block).

import { fail } from "../../assert.ts";

/** Safety bound on the sub-blocks one connection may have queued. */
export const MAX_QUEUE = 1 << 20;

export class SendQueue {
  readonly ids: number[] = [];
  readonly sizes: number[] = [];
  readonly readyUs: number[] = [];
  head = 0;
  tail = 0;

  get length(): number {
    return this.tail - this.head;
  }

  push(id: number, sizeBytes: number, readyAtUs: number): void {
    if (!(this.length < MAX_QUEUE)) fail("more than {0} sub-blocks queued on one connection", MAX_QUEUE);
    const t = this.tail++;
    this.ids[t] = id;
    this.sizes[t] = sizeBytes;
    this.readyUs[t] = readyAtUs;
  }

  /** Index of sub-block id in [head, tail), or -1. */
  indexOf(id: number): number {
    for (let i = this.head; i < this.tail; i++) if (this.ids[i] === id) return i;
    return -1;
  }

  /** Removes the entry at index i (head < i < tail). */
  removeAt(i: number): void {
    this.ids.splice(i, 1);
    this.sizes.splice(i, 1);
    this.readyUs.splice(i, 1);
    this.tail--;
  }

  /** Drops the head entry. */
  shift(): void {
    this.head++;
    if (this.head === this.tail) {
      this.head = 0;
      this.tail = 0;
    } else this.compact();
  }

  /** Drops the entries before head once they are many, so the arrays do not grow without bound. */
  private compact(): void {
    if (this.head < 64 || this.head * 2 < this.tail) return;
    this.ids.splice(0, this.head);
    this.sizes.splice(0, this.head);
    this.readyUs.splice(0, this.head);
    this.tail -= this.head;
    this.head = 0;
  }
}
