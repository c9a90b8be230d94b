// Shrinking: ddmin finds exactly the elements a monotone test needs and a 1-minimal subset for any test
// (property tests); `shrink` reduces a one-peer world with six scheduled events to the one stall that makes
// the download slower than 1.5 s, each figure computed by hand (8 Mb at 8 Mb/s takes 1 s; a stall of d seconds
// while it transfers makes it 1 + d); it refuses a predicate that does not hold, and stops at its budget with
// the smallest failing world found so far.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ddmin } from "../../src/harness/ddmin.ts";
import { parsePredicate } from "../../src/harness/predicate.ts";
import { runOne } from "../../src/harness/run.ts";
import { scenarioYaml } from "../../src/harness/schedule-file.ts";
import { NotFailingError, shrink } from "../../src/harness/shrink.ts";
import { parseScenarioText } from "../../src/scenario/load.ts";
import { parse } from "yaml";

describe("ddmin", () => {
  it("keeps exactly the two elements a test needs, in order", () => {
    const asked: number[][] = [];
    const out = ddmin([1, 2, 3, 4, 5, 6, 7, 8], (s) => (asked.push([...s]), s.includes(3) && s.includes(6)));
    expect(out).toEqual([3, 6]);
    // The first tries, by hand: the empty set, then the halves [1-4] and [5-8], then quarters [1,2] [3,4] [5,6]
    // [7,8], then their complements: without [1,2] holds.
    expect(asked.slice(0, 7)).toEqual([[], [1, 2, 3, 4], [5, 6, 7, 8], [1, 2], [3, 4], [5, 6], [7, 8]]);
    expect(asked[7]).toEqual([3, 4, 5, 6, 7, 8]);
  });

  it("returns the needed set of a monotone test, and a 1-minimal subset that holds for any test", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 200 }), { maxLength: 40 }), fc.array(fc.boolean(), { maxLength: 40 }), (items, pick) => {
        const need = items.filter((_, i) => pick[i] === true);
        expect(ddmin(items, (s) => need.every((x) => s.includes(x)))).toEqual(need);
      }),
    );
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 30 }), fc.integer({ min: 2, max: 5 }), (items, m) => {
        // Holds for the whole list and for subsets whose sum is a multiple of m: not monotone.
        const holds = (s: readonly number[]) => s.length === items.length || s.reduce((a, b) => a + b, 0) % m === 0;
        const out = ddmin(items, holds);
        expect(holds(out)).toBe(true);
        for (let i = 0; i < out.length; i++) expect(holds(out.filter((_, j) => j !== i))).toBe(false);
      }),
    );
  });
});

/** One peer at 8 Mb/s, no delays, 8 Mb in one sub-block: 1 s without events. */
const WORLD = `
name: one-peer
strategies: [static]
content: { size_bytes: 1000000, block_bytes: 1000000, sub_block_bytes: 1000000 }
agent: { downlink_bps: 100000000, max_connections: 1, blacklist_ms: 100 }
tracker: { rtt_ms: 0 }
peers:
  - { count: 1, uplink_bps: 8000000, rtt_ms: 0 }
schedule:
  - { at_s: 0.1, event: stall, node: "peers[0]#0", for_s: 0.1 }
  - { at_s: 0.5, event: stall, node: "peers[0]#0", for_s: 1 }
  - { at_s: 1, event: tracker-down, for_s: 0.5 }
  - { at_s: 1.7, event: slowdown, node: "peers[0]#0", factor: 0.5, for_s: 0.1 }
  - { at_s: 1.9, event: capacity, node: "peers[0]#0", uplink_bps: 4000000 }
  - { at_s: 9, event: leave, node: "peers[0]#0" }
`;

function input(until: string, budget = 300) {
  return { raw: parse(WORLD) as unknown, file: "one-peer.yaml", dir: ".", seed: 1, strategy: "static", predicate: parsePredicate(until, ["static"]), budget };
}

const completion = (text: string) => runOne(parseScenarioText(text, "shrunk.yaml", "."), { strategy: "static", seed: 1 }).result.metrics.completionS;

describe("shrink", () => {
  it("reduces the schedule to the one stall that makes the download slower than 1.5 s", () => {
    // By hand, in seconds of transfer done: 0.1 by 0.1 s, stalled to 0.2, 0.4 by 0.5, stalled to 1.5, 0.6 by
    // 1.7, at half speed 0.65 by 1.8, 0.75 by 1.9, then at half capacity 0.25 more take 0.5 s: 2.4 s. The
    // tracker is not needed once connected; the leave at 9 s comes after the end, so the run never meets it.
    expect(completion(WORLD)).toBeCloseTo(2.4, 9);
    const r = shrink(input("completion_s > 1.5"));
    expect(r.original).toEqual({ events: 5, nodes: 1, blocks: 1 });
    expect(r.shrunk).toEqual({ events: 1, nodes: 1, blocks: 1 });
    expect(r.budgetSpent).toBe(false);
    expect(r.runs).toBeLessThan(60);
    const schedule = r.scenario.schedule as { at_s: number; event: string; node: string; for_s: number }[];
    expect(schedule).toHaveLength(1);
    const stall = schedule[0];
    expect(stall).toMatchObject({ event: "stall", node: "peers[0]#0" });
    // Halving it to 0.5 s would give 1.5 s, not more: it stays 1 s; it may move later while it still falls in
    // the transfer (before 1 s).
    expect(stall.for_s).toBe(1);
    expect(stall.at_s).toBeGreaterThanOrEqual(0.5);
    expect(stall.at_s).toBeLessThan(1);
    // The file it writes replays the failure: 1 s of transfer + 1 s of stall.
    const text = scenarioYaml(r.scenario, ["test"]);
    expect(completion(text)).toBeCloseTo(2, 9);
    expect(r.originalValues).toBe("completion_s=2.4");
    expect(r.shrunkValues).toBe("completion_s=2");
    // Deterministic: the same search again finds the same world in as many runs.
    const again = shrink(input("completion_s > 1.5"));
    expect(again.runs).toBe(r.runs);
    expect(scenarioYaml(again.scenario, ["test"])).toBe(text);
  });

  it("refuses a predicate that does not hold, and stops at its budget with the smallest failing world so far", () => {
    expect(() => shrink(input("completion_s > 3"))).toThrow(NotFailingError);
    expect(() => shrink(input("completion_s > 3"))).toThrow(/does not hold on static seed 1 \(completion_s=2.4\)/);
    // 2 runs: the original, then the recorded schedule (its 5 events), which still fails: nothing smaller found.
    const r = shrink(input("completion_s > 1.5", 2));
    expect(r).toMatchObject({ runs: 2, budgetSpent: true, shrunkValues: "" });
    expect(r.shrunk).toEqual(r.original);
    expect(completion(scenarioYaml(r.scenario, ["test"]))).toBeCloseTo(2.4, 9);
  });
});
