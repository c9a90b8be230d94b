// Tests of the comparison table `sim run` prints: one row per strategy in scenario order, hand-computed
// cells, the headline columns first (valid for every strategy), then block_rule and the per-block columns, a
// pipelining strategy detected from its overlapping blocks, aligned plain text and the markdown variant.

import { describe, expect, it } from "vitest";
import { blocksOverlap, comparisonRows, comparisonTable, comparisonTableMarkdown } from "../../src/report/table.ts";
import { fakeLoaded, fakeRunResult } from "./fixtures.ts";

const { scenario } = fakeLoaded({ strategies: ["static", "index", "rebalance", "endgame"] });

/** endgame's blocks overlap: block 1 starts at 3 s, before block 0 ends at 4 s; completion 7 s. */
const overlapping = [
  { block: 0, startUs: 0, endUs: 4_000_000, bytes: 1_000_000, tStarUs: 3_333_333, tGUs: 3_500_000 },
  { block: 1, startUs: 3_000_000, endUs: 7_000_000, bytes: 1_000_000, tStarUs: 3_500_001, tGUs: 3_600_000 },
];

const results = [
  fakeRunResult({
    strategy: "index",
    seed: 1,
    metrics: { stallCount: 3, stallS: 1.5, redundantBytes: 1_500_000 },
  }),
  fakeRunResult({ strategy: "static", seed: 1 }),
  fakeRunResult({ strategy: "static", seed: 2, metrics: { stallCount: 0, stallS: 0, tStarRatio: 1, completionS: 9.25 } }),
  fakeRunResult({ strategy: "index", seed: 2, error: "time limit" }),
  fakeRunResult({ strategy: "rebalance", seed: 1, error: "strategy threw" }),
  fakeRunResult({ strategy: "endgame", seed: 1, blocks: overlapping, metrics: { completionS: 7, startupDelayS: -1, throughputBoundRatio: 1.02 } }),
];

describe("comparisonRows", () => {
  it("gives hand-computed cells over successful runs, in scenario strategy order", () => {
    // static: completion (8.25 + 9.25) / 2 = 8.75; start-up 2.5; stalls (1 + 0) / 2; stall_s (0.75 + 0) / 2;
    // redundant 0.25 MB; blocks of 4.0 s and 4.25 s in both runs → mean and median 4.125; T/T* (1.2345678 + 1) / 2.
    // endgame: blocks of 4 s and 4 s → per-block 4.000, though it completes first (bound ratio 1.02); no player →
    // start-up "-". bound_ratio 1.1 and t_g_ratio 1.1234567 from the fixture's metrics.
    expect(comparisonRows(scenario, results)).toEqual([
      ["static", "2", "0", "8.750", "1.100", "2.500", "0.5", "0.375", "0.25", "0.00", "kept", "4.125", "4.125", "1.117", "1.123"],
      ["index", "2", "1", "8.250", "1.100", "2.500", "3.0", "1.500", "1.50", "0.00", "kept", "4.125", "4.125", "1.235", "1.123"],
      ["rebalance", "1", "1", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-"],
      ["endgame", "1", "0", "7.000", "1.020", "-", "1.0", "0.750", "0.25", "0.00", "overlap", "4.000", "4.000", "1.235", "1.123"],
    ]);
  });

  it("detects pipelining from blocks that overlap, ignoring blocks that never started", () => {
    expect(blocksOverlap([fakeRunResult()])).toBe(false);
    expect(blocksOverlap([fakeRunResult(), fakeRunResult({ blocks: overlapping })])).toBe(true);
    // Back to back (start = previous end) keeps the rule.
    const touching = [
      { block: 0, startUs: 0, endUs: 10, bytes: 1, tStarUs: 1, tGUs: 1 },
      { block: 1, startUs: -1, endUs: -1, bytes: 1, tStarUs: 1, tGUs: 1 },
      { block: 2, startUs: 10, endUs: 20, bytes: 1, tStarUs: 1, tGUs: 1 },
    ];
    expect(blocksOverlap([fakeRunResult({ blocks: touching })])).toBe(false);
  });
});

describe("comparisonTable", () => {
  it("aligns columns: names left, numbers right, a rule under the header, the reading note under the rows", () => {
    const text = comparisonTable(scenario, results);
    const lines = text.trimEnd().split("\n");
    expect(lines[0]).toBe(
      "strategy   runs  failed  completion_s  bound_ratio  startup_delay_s  stalls  stall_s  redundant_MB  origin_MB  block_rule  mean_block_s  median_block_s  t_star_ratio  t_g_ratio",
    );
    expect(lines[1]).toMatch(/^-{9} {2}-{4} {2}-{6} /);
    expect(lines[2]).toBe(
      "static        2       0         8.750        1.100            2.500     0.5    0.375          0.25       0.00        kept         4.125           4.125         1.117      1.123",
    );
    expect(lines[4].startsWith("rebalance     1       1")).toBe(true);
    expect(lines[5]).toContain("  overlap  ");
    expect(lines[6]).toBe("");
    expect(lines[7]).toMatch(/^Rank strategies by the columns before block_rule; bound_ratio is completion ÷ the run's/);
    expect(lines.slice(7).every((l) => l.length <= 110)).toBe(true);
    expect(text.endsWith("\n")).toBe(true);
  });

  it("has a markdown variant with right-aligned number columns", () => {
    const md = comparisonTableMarkdown(scenario, results).split("\n");
    expect(md[0]).toBe(
      "| strategy | runs | failed | completion_s | bound_ratio | startup_delay_s | stalls | stall_s | redundant_MB | origin_MB | block_rule | mean_block_s | median_block_s | t_star_ratio | t_g_ratio |",
    );
    expect(md[1]).toBe("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    expect(md[2]).toBe("| static | 2 | 0 | 8.750 | 1.100 | 2.500 | 0.5 | 0.375 | 0.25 | 0.00 | kept | 4.125 | 4.125 | 1.117 | 1.123 |");
  });
});
