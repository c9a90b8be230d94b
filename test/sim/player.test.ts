// The player: start-up, stalls and rebuffering, computed by hand.
import { describe, expect, it } from "vitest";
import { Player } from "../../src/sim/player.ts";

// 1,000,000 bps: a 250,000-byte block is 2 s of content.
const BLOCK = 250_000;

describe("Player", () => {
  it("starts after the start-up threshold and plays without stalls when blocks come in time", () => {
    const p = new Player(1_000_000, 2_000_000, 3 * BLOCK);
    p.deliver(500_000, BLOCK); // 2 s buffered ≥ 2 s threshold: starts at 0.5 s
    p.deliver(1_500_000, BLOCK);
    p.deliver(3_000_000, BLOCK);
    const r = p.report();
    expect(r.startupDelayS).toBe(0.5);
    expect(r.stallCount).toBe(0);
    expect(r.stallS).toBe(0);
  });

  it("stalls when the playhead catches up and resumes when the next block arrives", () => {
    const p = new Player(1_000_000, 2_000_000, 3 * BLOCK);
    p.deliver(1_000_000, BLOCK); // starts at 1 s, plays until 3 s
    p.deliver(4_000_000, BLOCK); // stall 3 s → 4 s, plays until 6 s
    p.deliver(7_500_000, BLOCK); // stall 6 s → 7.5 s
    const r = p.report();
    expect(r.stallCount).toBe(2);
    expect(r.stallS).toBeCloseTo(2.5, 9);
    expect(r.stalls).toEqual([
      [3_000_000, 4_000_000],
      [6_000_000, 7_500_000],
    ]);
    // 2.5 s of stalls over 6 s of content.
    expect(r.rebufferRatio).toBeCloseTo(2.5 / 8.5, 9);
  });

  it("a block arriving at the very µs the buffer runs dry is not a stall", () => {
    const p = new Player(1_000_000, 2_000_000, 3 * BLOCK);
    p.deliver(1_000_000, BLOCK); // starts at 1 s, plays until 3 s
    p.deliver(3_000_000, BLOCK); // arrives as the buffer runs dry: playback goes on, until 5 s
    p.deliver(5_000_001, BLOCK); // 1 µs late: a stall of 1 µs
    const r = p.report();
    expect(r.stallCount).toBe(1);
    expect(r.stalls).toEqual([[5_000_000, 5_000_001]]);
  });

  it("is a plain download without a bitrate", () => {
    const p = new Player(0, 2_000_000, BLOCK);
    p.deliver(10, BLOCK);
    expect(p.report().startupDelayS).toBe(-1);
  });

  it("refuses more bytes than the content holds", () => {
    const p = new Player(1_000_000, 0, BLOCK);
    p.deliver(1, BLOCK);
    expect(() => p.deliver(2, 1)).toThrow(/more bytes/);
  });
});
