// The shaper, ticked by hand with a chosen elapsed time: rates are max-min shares of the node's uplink and of
// the downlink, computed here by hand, and a blocked stream takes no share.

import { afterEach, describe, expect, it } from "vitest";
import { Shaper, type ShapedStream } from "../../src/real/shaper.ts";

class Fake implements ShapedStream {
  sent = 0;
  blocked = false;
  constructor(
    readonly node: number,
    private size: number,
  ) {}
  remaining(): number {
    return this.size - this.sent;
  }
  writable(): boolean {
    return !this.blocked;
  }
  send(n: number): void {
    this.sent += n;
  }
}

let shaper: Shaper;
afterEach(() => shaper.stop());

describe("Shaper", () => {
  it("gives one stream its node's rate: 8 Mb/s for 10 ms = 10,000 bytes", () => {
    shaper = new Shaper();
    shaper.setNodeRate(0, 8e6);
    const s = new Fake(0, 1e6);
    shaper.add(s);
    shaper.tick(10);
    expect(s.sent).toBe(10_000);
  });

  it("shares a node's uplink between its streams, and the downlink between nodes", () => {
    shaper = new Shaper(12e6);
    shaper.setNodeRate(0, 8e6); // two streams: 4 Mb/s each
    shaper.setNodeRate(1, 100e6); // alone, but the downlink leaves it 12 − 8 = 4 Mb/s
    const a = new Fake(0, 1e6);
    const b = new Fake(0, 1e6);
    const c = new Fake(1, 1e6);
    for (const s of [a, b, c]) shaper.add(s);
    shaper.tick(10);
    expect([a.sent, b.sent, c.sent]).toEqual([5000, 5000, 5000]);
  });

  it("gives a blocked stream no share, and caps a late tick's credit at 100 ms", () => {
    shaper = new Shaper();
    shaper.setNodeRate(0, 8e6);
    const a = new Fake(0, 1e6);
    const b = new Fake(0, 1e6);
    b.blocked = true;
    shaper.add(a);
    shaper.add(b);
    shaper.tick(10);
    expect([a.sent, b.sent]).toEqual([10_000, 0]);
    shaper.tick(1000); // a 1 s pause sends 100 ms worth, not a second's
    expect(a.sent).toBe(110_000);
  });

  it("never sends more than a stream has left", () => {
    shaper = new Shaper();
    shaper.setNodeRate(0, 8e6);
    const s = new Fake(0, 123);
    shaper.add(s);
    shaper.tick(10);
    expect(s.sent).toBe(123);
  });
});
