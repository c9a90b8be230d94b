// Explicit world schedules: a recorded stochastic world replays every strategy's run exactly (same
// fingerprint) through a scenario file; each kind of event does what it says, checked on a one-peer world whose
// completion time is computed by hand; a schedule that names nodes the scenario lacks, or fights its stochastic
// processes, is refused.
import { describe, expect, it } from "vitest";
import { STRATEGIES } from "../../src/agent/strategies/registry.ts";
import { runOne } from "../../src/harness/run.ts";
import { recordedScenario, scenarioYaml } from "../../src/harness/schedule-file.ts";
import { loadScenario, parseScenarioText, readScenarioInput, ScenarioError } from "../../src/scenario/load.ts";
import { worldOf } from "../../src/harness/run.ts";

const ALL = STRATEGIES.map((s) => s.name);

/** Records seed's world under every strategy and returns the recorded scenario file's text and the fingerprints. */
function record(file: string, seed: number): { text: string; fingerprints: Map<string, string>; events: number } {
  const loaded = loadScenario(file);
  const fingerprints = new Map<string, string>();
  let best: { reachedUs: number; events: NonNullable<ReturnType<typeof runOne>["schedule"]>["events"] } | null = null;
  for (const strategy of ALL) {
    const out = runOne(loaded, { strategy, seed, recordSchedule: true });
    fingerprints.set(strategy, out.result.metrics.fingerprint);
    if (best === null || out.schedule!.reachedUs > best.reachedUs) best = out.schedule!;
  }
  const scenario = recordedScenario(readScenarioInput(file).input, { seed, events: best!.events, strategies: ALL });
  return { text: scenarioYaml(scenario, ["a test"]), fingerprints, events: best!.events.length };
}

describe("a recorded schedule", () => {
  for (const [file, seeds] of [
    // One seed each keeps npm test short (each case runs all 9 strategies twice); the recorded world of
    // churn.yaml seed 7 holds 24 leaves, 9 joins and 7 drops, flaky.yaml seed 4's 9 slow-downs, 7 stalls, 23 drops.
    ["scenarios/churn.yaml", [7]],
    ["scenarios/flaky.yaml", [4]],
  ] as const) {
    for (const seed of seeds) {
      it(`replays every strategy's run of ${file} seed ${seed} exactly`, () => {
        const { text, fingerprints, events } = record(file, seed);
        expect(events).toBeGreaterThan(5);
        expect(text.startsWith("# Written by sim\n")).toBe(true);
        const replay = parseScenarioText(text, "recorded.yaml", ".");
        expect(replay.scenario.peers.every((g) => g.churn === undefined && g.failures.stall_per_s === 0)).toBe(true);
        for (const strategy of ALL) {
          const { result } = runOne(replay, { strategy, seed });
          expect(result.metrics.fingerprint, strategy).toBe(fingerprints.get(strategy));
        }
      });
    }
  }
});

/** One peer at 8 Mb/s, no delays: one 1 MB sub-block takes exactly 1 s. */
function onePeer(schedule: string, extra = ""): string {
  return `
name: one-peer
strategies: [static]
content: { size_bytes: 1000000, block_bytes: 1000000, sub_block_bytes: 1000000 }
agent: { downlink_bps: 100000000, max_connections: 1, blacklist_ms: 100${extra} }
tracker: { rtt_ms: 0 }
peers:
  - { count: 1, uplink_bps: 8000000, rtt_ms: 0 }
schedule:
${schedule}
`;
}

function completion(text: string): number {
  const { result } = runOne(parseScenarioText(text, "s.yaml", "."), { strategy: "static", seed: 1 });
  expect(result.error).toBeNull();
  return result.metrics.completionS;
}

describe("schedule events", () => {
  it("take the time a hand computation gives", () => {
    // Nothing happens: 8 Mb at 8 Mb/s.
    expect(completion(onePeer("  []"))).toBeCloseTo(1, 9);
    // A 0.25 s stall in the middle: 0.25 s later.
    expect(completion(onePeer('  - { at_s: 0.5, event: stall, node: "peers[0]#0", for_s: 0.25 }'))).toBeCloseTo(1.25, 9);
    // Half speed for 0.5 s from 0.25 s: 2 Mb + 2 Mb + 4 Mb at full speed = 1.25 s.
    expect(completion(onePeer('  - { at_s: 0.25, event: slowdown, node: "peers[0]#0", factor: 0.5, for_s: 0.5 }'))).toBeCloseTo(1.25, 9);
    // Capacity halved at 0.5 s for good: 4 Mb, then 4 Mb at 4 Mb/s = 1.5 s.
    expect(completion(onePeer('  - { at_s: 0.5, event: capacity, node: "peers[0]#0", uplink_bps: 4000000 }'))).toBeCloseTo(1.5, 9);
    // The downlink at 4 Mb/s from the start: 2 s.
    expect(completion(onePeer("  - { at_s: 0, event: downlink, downlink_bps: 4000000 }"))).toBeCloseTo(2, 9);
    // The tracker down for 2 s: the queries at 0 s and 1 s (tracker_min_interval_ms) are lost, 2 s is answered.
    expect(completion(onePeer("  - { at_s: 0, event: tracker-down, for_s: 2 }"))).toBeCloseTo(3, 9);
  });

  it("a peer offline from the start comes back when it joins; a corrupt sub-block is fetched again", () => {
    // Offline until 2 s: the tracker lists no node before; asked again every second, it lists the peer at 2 s.
    expect(completion(onePeer('  - { at_s: 0, event: leave, node: "peers[0]#0" }\n  - { at_s: 2, event: join, node: "peers[0]#0" }'))).toBeCloseTo(3, 9);
    // The first sub-block the peer delivers is corrupt: the node may not fetch it again, so a second peer does.
    const text = `
name: corrupt
strategies: [static]
content: { size_bytes: 1000000, block_bytes: 1000000, sub_block_bytes: 1000000 }
agent: { downlink_bps: 100000000, max_connections: 1 }
tracker: { rtt_ms: 0 }
peers:
  - { count: 2, uplink_bps: 8000000, rtt_ms: 0 }
schedule:
  - { at_s: 0, event: corrupt, node: ["peers[0]#0", "peers[0]#1"], nth: 1 }
  - { at_s: 1.5, event: corrupt, node: "peers[0]#0" }
`;
    const w = worldOf(parseScenarioText(text, "c.yaml", "."), { strategy: "static", seed: 1, trace: true });
    const result = w.run(() => 0);
    expect(result.error).toBeNull();
    const corrupt = w.trace!.records.filter((r) => r.type === "decision" && r.event === "corrupt");
    expect(corrupt.length).toBeGreaterThanOrEqual(1);
    expect(result.subBlocks.filter((s) => s.outcome === "corrupt").length).toBe(corrupt.length);
    expect(result.subBlocks.some((s) => s.outcome === "ok")).toBe(true);
  });

  it("refused and ignored connection windows keep a peer out for their length", () => {
    // Refused at 0, 0.1, ..., 0.4 s (each refusal blacklists it for 0.1 s); the attempt at 0.5 s connects.
    expect(completion(onePeer('  - { at_s: 0, event: refuse, node: "peers[0]#0", for_s: 0.5 }'))).toBeCloseTo(1.5, 9);
    // Ignored at 0 s: the attempt waits out its connect timeout (0.6 s), the node is blacklisted 0.1 s, then connects.
    expect(completion(onePeer('  - { at_s: 0, event: ignore, node: "peers[0]#0", for_s: 0.5 }', ", connect_timeout_ms: 600"))).toBeCloseTo(1.7, 9);
  });
});

describe("schedule checks", () => {
  const bad = (schedule: string, extra = "") => () => parseScenarioText(onePeer(schedule).replace("  - { count: 1,", `  - { count: 1,${extra}`), "bad.yaml", ".");

  it("refuses nodes the scenario does not have, naming the entry", () => {
    expect(bad('  - { at_s: 1, event: stall, node: "peers[0]#3", for_s: 1 }')).toThrow(/schedule\[0\]\.node.*peers\[0\] has 1 node/s);
    expect(bad('  - { at_s: 1, event: drop, node: "origin" }')).toThrow(/no origin/);
    expect(bad('  - { at_s: 1, event: drop, node: "somebody" }')).toThrow(ScenarioError);
    expect(bad('  - { at_s: 1, event: arrive, node: "peers[0]+0" }\n  - { at_s: 2, event: arrive, node: "peers[0]+0" }')).toThrow(/arrive at most once/);
  });

  it("refuses node events beside stochastic processes, but lets fault windows join them", () => {
    expect(bad('  - { at_s: 1, event: stall, node: "peers[0]#0", for_s: 1 }', " churn: { preset: oversim },")).toThrow(/replaces churn/);
    expect(bad('  - { at_s: 1, event: refuse, node: "peers[0]#0", for_s: 1 }', " churn: { preset: oversim },")).not.toThrow();
  });
});
