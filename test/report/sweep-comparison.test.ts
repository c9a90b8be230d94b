// The table `sim sweep` prints (src/report/sweep/comparison.ts), from hand-made results: a row per point and
// strategy with the means over seeds, the completion time's relative paired difference to the reference marked
// "?" when its interval includes 0, the small-sample warning, and a cap on the printed rows.

import { describe, expect, it } from "vitest";
import { loadScenario } from "../../src/scenario/load.ts";
import type { SweepLayout, SweepRunResult } from "../../src/report/sweep/layout.ts";
import { MAX_PRINTED_ROWS, sweepComparison } from "../../src/report/sweep/comparison.ts";
import { fakeMetrics } from "./fixtures.ts";

const scenario = loadScenario("scenarios/ci/small.yaml").scenario;

function layout(values: readonly number[], seeds: readonly number[]): SweepLayout {
  const strategies = ["static", "rebalance"];
  const points = values.map((v, index) => ({ index, values: { "agent.max_connections": v } }));
  return {
    name: "t",
    params: [["agent.max_connections", values]],
    points,
    strategies,
    seeds,
    runs: points.flatMap((p) =>
      strategies.flatMap((strategy) => seeds.map((seed) => ({ point: p.index, strategy, seed, key: `${p.index}-${strategy}-${seed}` }))),
    ),
  };
}

function result(point: number, strategy: string, seed: number, completionS: number): SweepRunResult {
  return { point, strategy, seed, error: null, metrics: fakeMetrics({ completionS }) };
}

describe("sweepComparison", () => {
  it("prints means per point and strategy and the relative difference to the reference", () => {
    // Point 0: static 10, 12; rebalance 8, 9 → -2.5 / 11 = -22.7%, interval [-3, -2].
    // Point 1: static 10, 12; rebalance 8, 13 → -0.5 / 11 = -4.5%, interval [-2, +1] holds 0: "?".
    const results = [
      result(0, "static", 1, 10),
      result(0, "static", 2, 12),
      result(0, "rebalance", 1, 8),
      result(0, "rebalance", 2, 9),
      result(1, "static", 1, 10),
      result(1, "static", 2, 12),
      result(1, "rebalance", 1, 8),
      result(1, "rebalance", 2, 13),
    ];
    const text = sweepComparison(scenario, layout([2, 4], [1, 2]), results);
    const lines = text.split("\n");
    expect(lines[0]).toMatch(/^WARNING: only 2 seeds per point/);
    const rows = lines.filter((l) => /^[24] /.test(l)).map((l) => l.split(/\s{2,}/));
    expect(rows.map((r) => [r[0], r[1], r[4], r[r.length - 1]])).toEqual([
      ["2", "static", "11.000", "(reference)"],
      ["2", "rebalance", "8.500", "-22.7%"],
      ["4", "static", "11.000", "(reference)"],
      ["4", "rebalance", "10.500", "-4.5% ?"],
    ]);
  });

  it(`prints at most ${MAX_PRINTED_ROWS} rows and says how many more there are`, () => {
    const values = Array.from({ length: MAX_PRINTED_ROWS / 2 + 1 }, (_, i) => i + 1);
    const seeds = [1];
    const l = layout(values, seeds);
    const results = l.runs.map((r) => result(r.point, r.strategy, r.seed, 10 + r.seed));
    const text = sweepComparison(scenario, l, results);
    expect(text).toMatch(/^WARNING: only 1 seed per point/);
    expect(text).toContain("… 2 more rows in summary.md");
    expect(text.split("\n").filter((line) => /^\d+ +(static|rebalance) /.test(line))).toHaveLength(MAX_PRINTED_ROWS);
  });
});
