// The world's side of the agent's timers: a timer fires once at its time unless it was cancelled before it
// fired. The world keeps cancellations in a byte array indexed by timer id (grown as ids come); a cancellation
// of an id not set yet is still honoured if the id is set later. The agent is left out: its event entry point
// is replaced by a recorder, so only the timers' own behaviour is seen.
import { describe, expect, it } from "vitest";
import type { AgentEvent } from "../../src/agent/ports.ts";
import { resolveScenario } from "../../src/scenario/load.ts";
import { worldOf } from "../../src/harness/run.ts";
import type { World } from "../../src/sim/world/world.ts";

const loaded = resolveScenario(
  {
    name: "timers",
    content: { size_bytes: 1048576, block_bytes: 1048576, sub_block_bytes: 262144 },
    agent: { downlink_bps: 100_000_000 },
    network: { model: "fluid" },
    peers: [{ count: 1, uplink_bps: 8_000_000, rtt_ms: 20 }],
  },
  "inline",
  ".",
);

interface Clock {
  setTimer(id: number, atUs: number): void;
  cancelTimer(id: number): void;
}

/** A world whose agent never runs: returns its timer commands and the timer ids that reached the agent, in order. */
function isolatedClock(): { world: World; clock: Clock; fired: number[] } {
  const world = worldOf(loaded, { strategy: "static", seed: 1 });
  const fired: number[] = [];
  const hooks = world as unknown as Clock & { toAgent: (e: AgentEvent | null) => void };
  hooks.toAgent = (e) => {
    if (e !== null && e.type === "timer") fired.push(e.timerId);
  };
  const clock: Clock = { setTimer: (id, atUs) => hooks.setTimer(id, atUs), cancelTimer: (id) => hooks.cancelTimer(id) };
  return { world, clock, fired };
}

describe("world clock", () => {
  it("fires every timer not cancelled before it fired, in time order, across the id array's growth", () => {
    const { world, clock, fired } = isolatedClock();
    const ids: number[] = [];
    for (let i = 0; i < 3000; i++) {
      ids.push(i + 1);
      clock.setTimer(i + 1, 10 * (3000 - i)); // later ids fire earlier
    }
    for (const id of ids) if (id % 3 === 0) clock.cancelTimer(id);
    clock.cancelTimer(4); // twice: still cancelled once
    clock.cancelTimer(4);
    for (const odd of [0, -3, 1.5, Number.NaN]) clock.cancelTimer(odd); // never handed out: no effect
    world.kernel.run();
    const expected = ids.filter((id) => id % 3 !== 0 && id !== 4).reverse();
    expect(fired).toEqual(expected);
  });

  it("honours a cancellation made before the id was handed out, and ignores one made after it fired", () => {
    const { world, clock, fired } = isolatedClock();
    clock.cancelTimer(3); // not set yet
    clock.setTimer(1, 100);
    clock.setTimer(2, 200);
    clock.setTimer(3, 300);
    world.kernel.run();
    expect(fired).toEqual([1, 2]);
    clock.cancelTimer(1); // already fired
    clock.setTimer(4, world.kernel.nowUs + 50);
    world.kernel.run();
    expect(fired).toEqual([1, 2, 4]);
  });
});
