// Tests of the comparison table `sim run` prints: one row per strategy in scenario order, hand-computed
// cells, aligned plain text and the markdown variant.

import { describe, expect, it } from "vitest";
import { comparisonRows, comparisonTable, comparisonTableMarkdown } from "../../src/report/table.ts";
import { fakeLoaded, fakeRunResult } from "./fixtures.ts";

const { scenario } = fakeLoaded();

const results = [
  fakeRunResult({
    strategy: "index",
    seed: 1,
    metrics: { stallCount: 3, stallS: 1.5, redundantBytes: 1_500_000 },
  }),
  fakeRunResult({ strategy: "static", seed: 1 }),
  fakeRunResult({ strategy: "static", seed: 2, metrics: { stallCount: 0, stallS: 0, tStarRatio: 1 } }),
  fakeRunResult({ strategy: "index", seed: 2, error: "time limit" }),
  fakeRunResult({ strategy: "rebalance", seed: 1, error: "strategy threw" }),
];

describe("comparisonRows", () => {
  it("gives hand-computed cells over successful runs, in scenario strategy order", () => {
    // static: blocks of 4.0 s and 4.25 s in both runs → mean 4.125, median 4.125; T/T* mean of 1.2345678 and 1.
    expect(comparisonRows(scenario, results)).toEqual([
      ["static", "2", "0", "4.125", "4.125", "1.117", "0.5", "0.375", "0.25", "0.00"],
      ["index", "2", "1", "4.125", "4.125", "1.235", "3.0", "1.500", "1.50", "0.00"],
      ["rebalance", "1", "1", "-", "-", "-", "-", "-", "-", "-"],
    ]);
  });
});

describe("comparisonTable", () => {
  it("aligns columns: names left, numbers right, a rule under the header", () => {
    const text = comparisonTable(scenario, results);
    const lines = text.trimEnd().split("\n");
    expect(lines[0]).toBe(
      "strategy   runs  failed  mean_block_s  median_block_s  t_star_ratio  stalls  stall_s  redundant_MB  origin_MB",
    );
    expect(lines[1]).toMatch(/^-{9} {2}-{4} {2}-{6} /);
    expect(lines[2]).toBe(
      "static        2       0         4.125           4.125         1.117     0.5    0.375          0.25       0.00",
    );
    expect(lines[4].startsWith("rebalance     1       1")).toBe(true);
    expect(text.endsWith("\n")).toBe(true);
  });

  it("has a markdown variant with right-aligned number columns", () => {
    const md = comparisonTableMarkdown(scenario, results).split("\n");
    expect(md[0]).toBe(
      "| strategy | runs | failed | mean_block_s | median_block_s | t_star_ratio | stalls | stall_s | redundant_MB | origin_MB |",
    );
    expect(md[1]).toBe("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    expect(md[2]).toBe("| static | 2 | 0 | 4.125 | 4.125 | 1.117 | 0.5 | 0.375 | 0.25 | 0.00 |");
  });
});
