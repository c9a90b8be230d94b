// `sim run` flags: seeds and strategies override the scenario's, every bad value is a UsageError.

import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/cli/exit.ts";
import { parseStrategyFlag, resolveRun } from "../../src/cli/run-options.ts";
import { parseScenarioText } from "../../src/scenario/load.ts";

const scenario = parseScenarioText(
  `name: demo
seed: 5
seeds: 3
strategies: [static, index]
content: { size_bytes: 4194304, block_bytes: 524288, sub_block_bytes: 65536 }
agent: { downlink_bps: 50000000 }
origin: { uplink_bps: 10000000, rtt_ms: 50 }
`,
  "demo.yaml",
  ".",
).scenario;
const KNOWN = ["static", "index", "rebalance"];

describe("resolveRun", () => {
  it("uses the scenario's seeds, strategies and reports/<name>/ by default", () => {
    expect(resolveRun({}, scenario, KNOWN)).toEqual({
      strategies: ["static", "index"],
      seeds: [5, 6, 7],
      outDir: "reports/demo",
    });
  });

  it("lets flags override: --seed N --seeds M gives N..N+M-1", () => {
    const run = resolveRun(
      { seed: 10, seeds: 2, strategy: "rebalance, index", out: "/tmp/x" },
      scenario,
      KNOWN,
    );
    expect(run).toEqual({ strategies: ["rebalance", "index"], seeds: [10, 11], outDir: "/tmp/x" });
    expect(resolveRun({ seeds: 1 }, scenario, KNOWN).seeds).toEqual([5]);
    expect(resolveRun({ seed: 0 }, scenario, KNOWN).seeds).toEqual([0, 1, 2]);
  });

  it("rejects bad numbers with the flag's name", () => {
    expect(() => resolveRun({ seed: -1 }, scenario, KNOWN)).toThrow(
      new UsageError("--seed expects an integer ≥ 0, found -1"),
    );
    expect(() => resolveRun({ seed: Number.NaN }, scenario, KNOWN)).toThrow(
      "--seed expects an integer ≥ 0, found not a number",
    );
    expect(() => resolveRun({ seeds: 1.5 }, scenario, KNOWN)).toThrow(
      "--seeds expects an integer ≥ 1, found 1.5",
    );
    expect(() => resolveRun({ seeds: 0 }, scenario, KNOWN)).toThrow(UsageError);
    expect(() => resolveRun({ out: " " }, scenario, KNOWN)).toThrow("--out expects a folder path");
  });
});

describe("parseStrategyFlag", () => {
  it("splits on commas, trims, drops duplicates", () => {
    expect(parseStrategyFlag("static, index,static", KNOWN)).toEqual(["static", "index"]);
  });

  it("names an unknown strategy, suggests the closest and lists the valid ones", () => {
    expect(() => parseStrategyFlag("static,rebalence", KNOWN)).toThrow(
      '--strategy: unknown strategy "rebalence" (did you mean "rebalance"?); valid: static, index, rebalance',
    );
    expect(() => parseStrategyFlag(" , ", KNOWN)).toThrow("--strategy expects names separated by commas");
  });
});
