// An ordered set of small non-negative integers (slots 0 … capacity − 1) as a hierarchical bitset: level 0 has
// one bit per slot, each bit of level k + 1 says whether a 32-bit word of level k is non-zero. add, delete and
// has cost O(levels); next(from), the smallest member ≥ from, costs O(levels) word operations; levels =
// ⌈log32 capacity⌉ (4 for a million slots). Iterating the members in order costs O(levels) each. The agent keeps
// the pool of a block's unassigned sub-blocks in one (sub-block-manager.ts), so taking the lowest sub-block,
// returning one to the pool in order, and listing the pool never scan the whole block.

import { assert } from "../assert.ts";

/** Lowest set bit's index of a non-zero 32-bit word. */
const lowBit = (w: number): number => 31 - Math.clz32(w & -w);

export class SlotSet {
  /** levels[0] holds one bit per slot; levels[k + 1] one bit per word of levels[k]. */
  private readonly levels: Uint32Array[] = [];
  private count = 0;

  constructor(readonly capacity: number) {
    assert(Number.isSafeInteger(capacity) && capacity >= 0, "slot set capacity must be a count, got {0}", capacity);
    let words = Math.max(1, Math.ceil(capacity / 32));
    for (;;) {
      this.levels.push(new Uint32Array(words));
      if (words === 1) break;
      words = Math.ceil(words / 32);
    }
  }

  get size(): number {
    return this.count;
  }

  has(slot: number): boolean {
    return slot >= 0 && slot < this.capacity && (this.levels[0][slot >>> 5] & (1 << (slot & 31))) !== 0;
  }

  /** Adds slot; false if it was already there. */
  add(slot: number): boolean {
    assert(slot >= 0 && slot < this.capacity, "slot {0} is outside 0..{1}", slot, this.capacity - 1);
    if (this.has(slot)) return false;
    this.count++;
    let i = slot;
    for (const level of this.levels) {
      const w = level[i >>> 5];
      level[i >>> 5] = w | (1 << (i & 31));
      if (w !== 0) break; // the levels above already mark this word
      i >>>= 5;
    }
    return true;
  }

  /** Removes slot; false if it was not there. */
  delete(slot: number): boolean {
    if (!this.has(slot)) return false;
    this.count--;
    let i = slot;
    for (const level of this.levels) {
      const w = level[i >>> 5] & ~(1 << (i & 31));
      level[i >>> 5] = w;
      if (w !== 0) break; // the word still has members: the levels above stay marked
      i >>>= 5;
    }
    return true;
  }

  /** The smallest member ≥ from, or -1. */
  next(from: number): number {
    if (from < 0) from = 0;
    if (from >= this.capacity || this.count === 0) return -1;
    // Climb while the rest of the current word (from the position on) is empty, then descend to the lowest bit.
    let k = 0;
    let i = from;
    for (;;) {
      const level = this.levels[k];
      const wordIndex = i >>> 5;
      const w = wordIndex < level.length ? level[wordIndex] & (~0 << (i & 31)) : 0;
      if (w !== 0) {
        i = (wordIndex << 5) | lowBit(w);
        break;
      }
      if (k + 1 === this.levels.length) return -1;
      k++;
      i = wordIndex + 1; // the next word of this level is the next bit of the level above
      if (i >>> 5 >= this.levels[k].length) return -1;
    }
    for (; k > 0; k--) i = (i << 5) | lowBit(this.levels[k - 1][i]);
    return i;
  }

  /** Removes every member: O(capacity / 32). */
  clear(): void {
    for (const level of this.levels) level.fill(0);
    this.count = 0;
  }
}
