// The world's side of the agent's timers (agent-timers.ts): a timer fires once at its time unless it was
// cancelled before it fired. Cancellations live in a byte array indexed by timer id (grown as ids come); a
// cancellation of an id not set yet is still honoured if the id is set later. Driven on a bare kernel: only the
// timers' own behaviour is seen.
import { describe, expect, it } from "vitest";
import { Kernel } from "../../src/sim/kernel/kernel.ts";
import { AgentTimers } from "../../src/sim/world/agent-timers.ts";

/** Timers on a kernel of their own; returns them and the timer ids that would reach the agent, in order. */
function isolatedTimers(): { kernel: Kernel; timers: AgentTimers; fired: number[] } {
  const kernel = new Kernel({ endTimeUs: 1e12, maxEvents: 1e6, maxEventsPerTimestamp: 1e5 });
  const fired: number[] = [];
  const kind = kernel.registerKind("agent-timer", (id) => {
    if (timers.fired(id)) fired.push(id);
  });
  const timers = new AgentTimers(kernel, kind);
  return { kernel, timers, fired };
}

describe("the agent's timers in the world", () => {
  it("fires every timer not cancelled before it fired, in time order, across the id array's growth", () => {
    const { kernel, timers, fired } = isolatedTimers();
    const ids: number[] = [];
    for (let i = 0; i < 3000; i++) {
      ids.push(i + 1);
      timers.set(i + 1, 10 * (3000 - i)); // later ids fire earlier
    }
    for (const id of ids) if (id % 3 === 0) timers.cancel(id);
    timers.cancel(4); // twice: still cancelled once
    timers.cancel(4);
    for (const odd of [0, -3, 1.5, Number.NaN]) timers.cancel(odd); // never set: no effect
    kernel.run();
    const expected = ids.filter((id) => id % 3 !== 0 && id !== 4).reverse();
    expect(fired).toEqual(expected);
  });

  it("honours a cancellation made before the id was set, and ignores one made after it fired", () => {
    const { kernel, timers, fired } = isolatedTimers();
    timers.cancel(3); // not set yet
    timers.set(1, 100);
    timers.set(2, 200);
    timers.set(3, 300);
    kernel.run();
    expect(fired).toEqual([1, 2]);
    timers.cancel(1); // already fired
    timers.set(4, kernel.nowUs + 50);
    kernel.run();
    expect(fired).toEqual([1, 2, 4]);
  });
});
