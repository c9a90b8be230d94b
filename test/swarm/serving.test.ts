// The agent's serving side: upload slots, the bounded block cache and its eviction orders, serve or
// "don't have", what it announces. Hand-computed expectations on a 4-block content of 1000-byte blocks.

import { describe, expect, it } from "vitest";
import { Content } from "../../src/agent/content.ts";
import { ServingSide } from "../../src/agent/serving.ts";

// 3500 bytes in 1000-byte blocks: blocks 0-2 of 1000 bytes, block 3 of 500.
const content = new Content({ sizeBytes: 3500, blockBytes: 1000, subBlockBytes: 250 });

describe("serving side", () => {
  it("accepts connections up to its upload slots, and again once one is released", () => {
    const s = new ServingSide({ uploadSlots: 2, cacheBytes: 10_000, cachePolicy: "lru" }, content);
    expect([s.accept(), s.accept(), s.accept()]).toEqual([true, true, false]);
    s.release();
    expect(s.accept()).toBe(true);
    expect(s.connections).toBe(2);
    expect(new ServingSide({ uploadSlots: 0, cacheBytes: 10_000, cachePolicy: "lru" }, content).accept()).toBe(false);
  });

  it("serves blocks it holds and answers don't-have for the others", () => {
    const s = new ServingSide({ uploadSlots: 1, cacheBytes: 10_000, cachePolicy: "lru" }, content);
    s.stored(0);
    s.stored(2);
    expect([0, 1, 2, 3].map((b) => s.serve(b))).toEqual([true, false, true, false]);
    expect(s.heldBlocks()).toEqual([0, 2]);
    expect(s.holdsAll()).toBe(false);
    s.stored(1);
    s.stored(3);
    expect(s.holdsAll()).toBe(true);
  });

  it("lru: a full cache evicts the block least recently stored or served", () => {
    // 2500 bytes hold two 1000-byte blocks and the 500-byte one.
    const s = new ServingSide({ uploadSlots: 1, cacheBytes: 2500, cachePolicy: "lru" }, content);
    expect(s.stored(0)).toEqual([]);
    expect(s.stored(1)).toEqual([]);
    expect(s.serve(0)).toBe(true); // 0 is now more recent than 1
    expect(s.stored(2)).toEqual([1]); // 1000 + 1000 + 1000 > 2500: the least recent goes
    expect(s.stored(3)).toEqual([]); // 2000 + 500 fits
    expect(s.heldBlocks()).toEqual([0, 2, 3]);
  });

  it("fifo: a full cache evicts the first block stored, whatever was served", () => {
    const s = new ServingSide({ uploadSlots: 1, cacheBytes: 2500, cachePolicy: "fifo" }, content);
    s.stored(0);
    s.stored(1);
    s.serve(0);
    expect(s.stored(2)).toEqual([0]);
    expect(s.heldBlocks()).toEqual([1, 2]);
  });

  it("never holds more bytes than its cache, and skips a block larger than the whole cache", () => {
    const s = new ServingSide({ uploadSlots: 1, cacheBytes: 900, cachePolicy: "lru" }, content);
    expect(s.stored(0)).toEqual([]);
    expect(s.blockCount).toBe(0);
    expect(s.stored(3)).toEqual([]);
    expect(s.heldBlocks()).toEqual([3]);
  });
});
