// Sweep plans and outputs without running anything heavy: shards partition the plan, a manifest gives back
// the plan's layout, runs.csv rows are hand-checked, and the summary pairs strategies by seed.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { planSweep, shardRuns, type SweepRunResult, type SweepRunSpec } from "../../src/harness/sweep.ts";
import { loadScenario } from "../../src/scenario/load.ts";
import type { RunMetrics } from "../../src/sim/metrics/records.ts";
import type { SweepLayout } from "../../src/report/sweep/layout.ts";
import { layoutFromManifest, sweepManifest } from "../../src/report/sweep/manifest.ts";
import { sweepRunsCsv } from "../../src/report/sweep/runs-csv.ts";
import { buildSweepSummary } from "../../src/report/sweep/summary.ts";

const FILE = "scenarios/ci/small.yaml";

function metrics(completionS: number): RunMetrics {
  return {
    completionS,
    throughputBps: 1e6,
    tStarRatio: 1.5,
    tGRatio: 1.25,
    throughputBoundS: 1.6,
    throughputBoundRatio: completionS / 1.6,
    meanBlockS: 0.25,
    p95BlockS: 0.5,
    redundantBytes: 0,
    failedBytes: 0,
    originBytes: 0,
    rebalances: 0,
    blacklisted: 0,
    fallbacks: 0,
    requestTimeouts: 0,
    startupDelayS: -1,
    stallCount: 0,
    stallS: 0,
    rebufferRatio: 0,
    playbackLagS: -1,
    events: 10,
    viewers: -1,
    p2pShare: -1,
    originPeakBps: -1,
    meanStartupDelayS: -1,
    p95StartupDelayS: -1,
    meanRebufferRatio: -1,
    uploadFairness: -1,
    trackerPeakPerS: -1,
    peakQueueLength: 3,
    fingerprint: "f",
  };
}

describe("shards", () => {
  it("every run is in exactly one shard, in plan order", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 9 }), (n, count) => {
        const runs: SweepRunSpec[] = Array.from({ length: n }, (_, i) => ({ point: 0, strategy: "s", seed: i, key: String(i) }));
        const parts = Array.from({ length: count }, (_, i) => shardRuns(runs, { index: i + 1, count }));
        const all = parts.flat().map((r) => r.seed).sort((a, b) => a - b);
        expect(all).toEqual(runs.map((r) => r.seed));
        for (const p of parts) expect(p.map((r) => r.seed)).toEqual([...p.map((r) => r.seed)].sort((a, b) => a - b));
      }),
    );
  });
});

describe("sweep.json", () => {
  it("gives back the plan's runs, points and order", () => {
    const plan = planSweep(FILE, { params: [["agent.max_connections", [2, 4]], ["network.model", ["fluid", "tcp"]]], seeds: [5, 6] });
    const m = JSON.parse(JSON.stringify(sweepManifest(FILE, loadScenario(FILE).scenario, plan)));
    const layout = layoutFromManifest(m);
    expect(layout.runs).toEqual(plan.runs);
    expect(layout.points).toEqual(plan.points.map((p) => ({ index: p.index, values: p.values })));
    expect(plan.runs).toHaveLength(4 * 3 * 2);
    expect(layout.points[1].values).toEqual({ "agent.max_connections": 2, "network.model": "tcp" });
  });
});

describe("runs.csv and summary.json of a sweep", () => {
  const layout: SweepLayout = {
    name: "t",
    params: [["agent.max_connections", [2, 4]]],
    points: [
      { index: 0, values: { "agent.max_connections": 2 } },
      { index: 1, values: { "agent.max_connections": 4 } },
    ],
    strategies: ["static", "index"],
    seeds: [1, 2],
    runs: [],
  };
  const r = (point: number, strategy: string, seed: number, c: number, error: string | null = null): SweepRunResult => ({
    point,
    strategy,
    seed,
    error,
    metrics: metrics(c),
  });
  const results = [r(0, "static", 1, 2), r(0, "static", 2, 4), r(0, "index", 1, 1), r(0, "index", 2, 2), r(1, "index", 1, 3, "boom, late")];

  it("writes the parameter first, then the run columns, formatted as a run folder's runs.csv", () => {
    const lines = sweepRunsCsv(layout, results).split("\n");
    expect(lines[1]).toBe("2,static,1,2.000000,1000000,1.5000,1.2500,1.600000,1.2500,0.250000,0.500000,0,0,0,0,0,0,0,-1.000000,0,0.000000,0.0000,-1.000000,10,-1,-1.0000,-1,-1.000000,-1.000000,-1.0000,-1.0000,-1,f,");
    expect(lines[5]).toBe('4,index,1,3.000000,1000000,1.5000,1.2500,1.600000,1.8750,0.250000,0.500000,0,0,0,0,0,0,0,-1.000000,0,0.000000,0.0000,-1.000000,10,-1,-1.0000,-1,-1.000000,-1.000000,-1.0000,-1.0000,-1,f,"boom, late"');
  });

  it("aggregates per point and strategy and pairs index with static by seed", () => {
    const s = buildSweepSummary(loadScenario(FILE).scenario, layout, results);
    expect(s.reference).toBe("static");
    const [p0, p1] = s.points;
    expect(p0.strategies.map((x) => x.name)).toEqual(["static", "index"]);
    expect(p0.strategies[0].metrics.completion_s?.mean).toBe(3);
    // index − static: (1 − 2 + 2 − 4) / 2 = −1.5, relative to the static mean 3: −50 %.
    expect(p0.strategies[1].vs_reference?.completion_s).toMatchObject({ mean_diff: -1.5, relative_pct: -50, n: 2 });
    expect(p1.strategies).toHaveLength(1);
    expect(p1.strategies[0]).toMatchObject({ name: "index", runs: 1, failed: 1, errors: [{ seed: 1, error: "boom, late" }] });
    expect(p1.strategies[0].metrics.completion_s).toBeNull();
  });
});
