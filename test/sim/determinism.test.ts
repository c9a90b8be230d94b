// Determinism and common random numbers on the full simulator: same seed ⇒ same fingerprint, different seed ⇒
// different; two strategies on one seed meet the same world (same nodes, same churn timeline).
import { describe, expect, it } from "vitest";
import { runOne } from "../../src/harness/run.ts";
import { loadScenario, resolveScenario } from "../../src/scenario/load.ts";
import { firstDifference } from "../../src/sim/kernel/kernel.ts";
import { worldOf } from "../../src/harness/run.ts";
import type { DynamicsHost } from "../../src/sim/world/dynamics.ts";

const churn = loadScenario("scenarios/churn.yaml");

describe("determinism", () => {
  it("gives the same fingerprint and event log for the same seed, and a different one for another seed", () => {
    const a = runOne(churn, { strategy: "rebalance", seed: 5, recordEvents: true });
    const b = runOne(churn, { strategy: "rebalance", seed: 5, recordEvents: true });
    const c = runOne(churn, { strategy: "rebalance", seed: 6 });
    expect(a.result.error).toBeNull();
    expect(b.result.metrics.fingerprint).toBe(a.result.metrics.fingerprint);
    expect(firstDifference(a.eventLog!, b.eventLog!)).toBe(-1);
    expect(JSON.stringify(b.result.subBlocks)).toBe(JSON.stringify(a.result.subBlocks));
    expect(c.result.metrics.fingerprint).not.toBe(a.result.metrics.fingerprint);
  });

  it("every strategy finishes the demo scenario and delivers every byte", () => {
    for (const strategy of ["static", "index", "rebalance", "oracle", "pull", "pipelined", "endgame"]) {
      const { result } = runOne(churn, { strategy, seed: 2 });
      expect(result.error, strategy).toBeNull();
      expect(result.blocks.reduce((n, b) => n + b.bytes, 0), strategy).toBe(churn.scenario.content.size_bytes);
    }
  });
});

/** Records each peer's online/offline transitions (time, node, online) as the world sees them. */
function churnTimeline(strategy: string, seed: number, untilUs: number): string[] {
  const w = worldOf(churn, { strategy, seed });
  const events: string[] = [];
  // Dynamics reaches the nodes only through this object (its DynamicsHost): record what passes through it.
  const host = (w as unknown as { nodeLife: DynamicsHost }).nodeLife;
  const leaves = host.nodeLeaves;
  const joins = host.nodeJoins;
  host.nodeLeaves = (node, graceful) => {
    if (node.online && w.kernel.nowUs <= untilUs) events.push(`${w.kernel.nowUs} ${node.id} off ${graceful}`);
    leaves(node, graceful);
  };
  host.nodeJoins = (node) => {
    if (!node.online && w.kernel.nowUs <= untilUs) events.push(`${w.kernel.nowUs} ${node.id} on`);
    joins(node);
  };
  w.run(() => 0);
  return events;
}

describe("common random numbers", () => {
  it("two strategies on one seed meet the same peers going up and down at the same times", () => {
    const a = churnTimeline("static", 3, 5_000_000);
    const b = churnTimeline("endgame", 3, 5_000_000);
    expect(a.length).toBeGreaterThan(0);
    expect(b).toEqual(a);
  });

  it("draws the same node capacities and RTTs whatever the strategy", () => {
    const caps = (strategy: string) =>
      worldOf(churn, { strategy, seed: 4 }).nodes.map((n) => `${n.label}:${n.nominalUplinkBps}:${n.rttUs}`);
    expect(caps("static")).toEqual(caps("oracle"));
  });

  it("adding a peer at the end of a group shifts no other node's draws", () => {
    const bigger = loadScenario("scenarios/churn.yaml");
    const input = JSON.parse(JSON.stringify(bigger.scenario));
    input.peers[0].count += 1;
    const more = resolveScenario(input, "inline", ".");
    const byLabel = (l: typeof churn) =>
      new Map(worldOf(l, { strategy: "static", seed: 1 }).nodes.map((n) => [n.label, `${n.nominalUplinkBps}:${n.rttUs}`]));
    const base = byLabel(churn);
    const plus = byLabel(more);
    for (const [label, v] of base) expect(plus.get(label), label).toBe(v);
    expect(plus.size).toBe(base.size + 1);
  });
});
