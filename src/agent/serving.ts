// The agent's serving side (issue 12; claims 17, 25, 26), sans-IO like the rest: it accepts connections from
// other agents up to its upload slots, keeps the blocks it downloaded in a bounded cache (whole blocks, while
// their bytes fit; a full cache evicts the least recently stored or served block, or the first stored), serves
// a requested sub-block when its block is in the cache and answers "don't have" otherwise, and says what it
// holds for its announces to the connection control server. It decides; whoever runs the agent moves the bytes.

import { assert } from "../assert.ts";
import type { Content } from "./content.ts";

export interface ServingSettings {
  /** Connections from other agents accepted at once (0: serves nobody). */
  readonly uploadSlots: number;
  /** Bytes of whole blocks the cache keeps. */
  readonly cacheBytes: number;
  /** lru: evict the block least recently stored or served; fifo: the first stored. */
  readonly cachePolicy: "lru" | "fifo";
}

export class ServingSide {
  private slotsUsed = 0;
  /** Cached blocks in eviction order (first: evicted next); a Map keeps insertion order, deterministically. */
  private readonly cache = new Map<number, number>();
  private cachedBytes = 0;

  constructor(
    private readonly settings: ServingSettings,
    private readonly content: Content,
  ) {
    assert(Number.isInteger(settings.uploadSlots) && settings.uploadSlots >= 0, "bad upload slots {0}", settings.uploadSlots);
    assert(settings.cacheBytes >= 0, "bad cache size {0}", settings.cacheBytes);
  }

  /** Connections it accepts at once (0: it serves nobody). */
  get uploadSlots(): number {
    return this.settings.uploadSlots;
  }

  /** Connections accepted and not yet released. */
  get connections(): number {
    return this.slotsUsed;
  }

  /** Blocks in the cache. */
  get blockCount(): number {
    return this.cache.size;
  }

  /** Another agent asks to connect: accepted (a slot taken) while a slot is free. */
  accept(): boolean {
    if (this.slotsUsed >= this.settings.uploadSlots) return false;
    this.slotsUsed++;
    return true;
  }

  /** An accepted connection ended: its slot is free again. */
  release(): void {
    assert(this.slotsUsed > 0, "released a slot that was never taken");
    this.slotsUsed--;
  }

  /**
   * A whole block arrived: it is cached if it fits at all, evicting blocks in policy order until it does.
   * Returns the blocks evicted (in eviction order).
   */
  stored(block: number): number[] {
    const sizeBytes = this.content.blockSize(block);
    const evicted: number[] = [];
    if (this.cache.has(block) || sizeBytes > this.settings.cacheBytes) return evicted;
    // At most one eviction per cached block: the loop is bounded by the cache's size.
    while (this.cachedBytes + sizeBytes > this.settings.cacheBytes) {
      const first = this.cache.keys().next();
      assert(first.done !== true, "cache of {0} bytes cannot fit a block of {1}", this.settings.cacheBytes, sizeBytes);
      const victim = first.value as number;
      this.cachedBytes -= this.cache.get(victim)!;
      this.cache.delete(victim);
      evicted.push(victim);
    }
    this.cache.set(block, sizeBytes);
    this.cachedBytes += sizeBytes;
    return evicted;
  }

  /** Whether the block is in the cache (no effect on eviction order). */
  has(block: number): boolean {
    return this.cache.has(block);
  }

  /** A request for a sub-block of `block`: true to serve it (lru: the block becomes the most recent), false: "don't have". */
  serve(block: number): boolean {
    const size = this.cache.get(block);
    if (size === undefined) return false;
    if (this.settings.cachePolicy === "lru") {
      this.cache.delete(block);
      this.cache.set(block, size);
    }
    return true;
  }

  /** Every block of the content is in the cache (the agent can serve as a seed). */
  holdsAll(): boolean {
    return this.cache.size === this.content.blockCount;
  }

  /** The blocks held, ascending: what an announce reports. */
  heldBlocks(): number[] {
    return [...this.cache.keys()].sort((a, b) => a - b);
  }
}
