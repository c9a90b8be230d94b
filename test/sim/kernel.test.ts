// The kernel: total event order, limits, livelock guard and fingerprints.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EventHeap } from "../../src/sim/kernel/event-heap.ts";
import { firstDifference, Kernel, SimError } from "../../src/sim/kernel/kernel.ts";

const limits = { endTimeUs: 1e12, maxEvents: 1e7, maxEventsPerTimestamp: 1000 };

describe("EventHeap", () => {
  it("pops in (time, insertion) order, like a stable sort", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 300 }), (times) => {
        const h = new EventHeap(2);
        times.forEach((t, i) => h.push(t, 0, i, 0));
        const popped: [number, number][] = [];
        while (h.length > 0) {
          h.pop();
          popped.push([h.poppedTimeUs, h.poppedA]);
        }
        const expected = times.map((t, i) => [t, i] as [number, number]).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
        expect(popped).toEqual(expected);
      }),
    );
  });

  it("tracks its peak length", () => {
    const h = new EventHeap(1);
    for (let i = 0; i < 10; i++) h.push(i, 0, 0, 0);
    h.pop();
    h.push(3, 0, 0, 0);
    expect(h.peakLength).toBe(10);
  });
});

describe("Kernel", () => {
  it("runs same-time events in scheduling order and never goes back in time", () => {
    const k = new Kernel(limits);
    const seen: string[] = [];
    const kind = k.registerKind("x", (a) => seen.push(`${k.nowUs}:${a}`));
    k.schedule(5, kind, 1);
    k.schedule(3, kind, 2);
    k.schedule(5, kind, 3);
    k.schedule(3, kind, 4);
    k.run();
    expect(seen).toEqual(["3:2", "3:4", "5:1", "5:3"]);
    expect(() => k.schedule(4, kind)).toThrow(SimError);
  });

  it("names the busiest kind when the livelock guard trips", () => {
    const k = new Kernel({ ...limits, maxEventsPerTimestamp: 100 });
    const spin: number = k.registerKind("spin", () => k.after(0, spin));
    k.schedule(7, spin);
    expect(() => k.run()).toThrow(/livelock guard.*t=7 µs.*'spin'/);
  });

  it("names the looping kind even when another kind is busy at the same timestamp first", () => {
    const k = new Kernel({ ...limits, maxEventsPerTimestamp: 100 });
    const burst = k.registerKind("burst", () => {});
    const spin: number = k.registerKind("spin", () => k.after(0, spin));
    for (let i = 0; i < 40; i++) k.schedule(7, burst);
    k.schedule(7, spin);
    expect(() => k.run()).toThrow(/mostly 'spin': 51 of the last 51/);
  });

  it("stops at the simulated-time and event limits", () => {
    const k = new Kernel({ ...limits, endTimeUs: 1000 });
    const tick: number = k.registerKind("tick", () => k.after(400, tick));
    k.schedule(0, tick);
    expect(() => k.run()).toThrow(/simulated time limit/);
    const k2 = new Kernel({ ...limits, maxEvents: 10 });
    const t2: number = k2.registerKind("tick", () => k2.after(1, t2));
    k2.schedule(0, t2);
    expect(() => k2.run()).toThrow(/event limit of 10/);
  });

  it("gives equal fingerprints for equal event sequences and names the first difference", () => {
    const make = (change: boolean) => {
      const k = new Kernel(limits, true);
      const kind = k.registerKind("e", () => {});
      for (let i = 0; i < 50; i++) k.schedule(i * 10, kind, i, change && i === 31 ? 1 : 0);
      k.run();
      return k;
    };
    const a = make(false);
    const b = make(false);
    const c = make(true);
    expect(a.fingerprint()).toBe(b.fingerprint());
    expect(a.fingerprint()).not.toBe(c.fingerprint());
    expect(a.fingerprint()).toMatch(/^[0-9a-f]{16}$/);
    expect(firstDifference(a.log!, b.log!)).toBe(-1);
    expect(firstDifference(a.log!, c.log!)).toBe(31);
  });
});
