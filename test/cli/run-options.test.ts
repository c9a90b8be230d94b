// `sim run` flags: seeds and strategies override the scenario's, every bad value is a UsageError.

import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/cli/exit.ts";
import {
  checkIntegerFlagTexts,
  jobsFlag,
  maxJobs,
  parseStrategyFlag,
  resolveRun,
} from "../../src/cli/run-options.ts";
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
      new UsageError("--seed expects an integer from 0 to 9007199254740991, found -1"),
    );
    expect(() => resolveRun({ seed: Number.NaN }, scenario, KNOWN)).toThrow(
      "--seed expects an integer from 0 to 9007199254740991, found not a number",
    );
    expect(() => resolveRun({ seeds: 1.5 }, scenario, KNOWN)).toThrow(
      "--seeds expects an integer from 1 to 9007199254740991, found 1.5",
    );
    expect(() => resolveRun({ seed: 2 ** 53 }, scenario, KNOWN)).toThrow(UsageError);
    // 2^53 - 1 + 2 - 1 rounds back to 2^53 - 1 in doubles: the range is checked without that sum.
    expect(() => resolveRun({ seed: Number.MAX_SAFE_INTEGER, seeds: 2 }, scenario, KNOWN)).toThrow(
      "--seed 9007199254740991 with 2 seeds goes past 9007199254740991",
    );
    expect(resolveRun({ seed: Number.MAX_SAFE_INTEGER, seeds: 1 }, scenario, KNOWN).seeds).toEqual([
      Number.MAX_SAFE_INTEGER,
    ]);
    expect(() => resolveRun({ seed: Number.MAX_SAFE_INTEGER - 1 }, scenario, KNOWN)).toThrow(
      "3 seeds from 9007199254740990 go past 9007199254740991",
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

describe("checkIntegerFlagTexts", () => {
  const refused = (...args: string[]) => {
    try {
      checkIntegerFlagTexts(args);
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      return (error as Error).message;
    }
    throw new Error(`expected ${JSON.stringify(args)} to be refused`);
  };

  it("accepts plain decimal integers in range, in both flag forms", () => {
    expect(() => checkIntegerFlagTexts(["run", "x.yaml", "--seed", "0", "--seeds=10000", "--jobs", "2"])).not.toThrow();
    expect(() => checkIntegerFlagTexts(["run", "x.yaml", "--seed", "9007199254740991"])).not.toThrow();
    // After `--` nothing is a flag.
    expect(() => checkIntegerFlagTexts(["run", "--", "--seed", "x"])).not.toThrow();
  });

  it("refuses what yargs would silently turn into another number", () => {
    const expected = "--seed expects an integer from 0 to 9007199254740991, found";
    expect(refused("--seed", "")).toBe(`${expected} an empty value`);
    expect(refused("--seed=")).toBe(`${expected} an empty value`);
    expect(refused("--seed")).toBe(`${expected} nothing`);
    expect(refused("--seed", "--no-report")).toBe(`${expected} nothing`);
    expect(refused("--seed", "1.5")).toBe(`${expected} "1.5"`);
    expect(refused("--seed", "1e3")).toBe(`${expected} "1e3"`);
    expect(refused("--seed", "0x10")).toBe(`${expected} "0x10"`);
    expect(refused("--seed", " 7")).toBe(`${expected} " 7"`);
    expect(refused("--seed", "-1")).toBe(`${expected} "-1"`);
    expect(refused("--seed", "9007199254740992")).toBe(`${expected} "9007199254740992"`);
    expect(refused("--seed", "\u001b[31m")).toBe(`${expected} "\\u001b[31m"`);
    expect(refused("--seeds", "0")).toBe('--seeds expects an integer from 1 to 9007199254740991, found "0"');
    expect(refused("--jobs", "0")).toBe('--jobs expects an integer from 1 to 9007199254740991, found "0"');
    expect(refused("--seed", "1", "--seed", "2")).toBe("--seed is given twice; give it once");
  });
});

describe("jobsFlag", () => {
  it("allows 1 to 4 jobs per core and defaults to the fallback", () => {
    expect(maxJobs(2)).toBe(8);
    expect(jobsFlag(undefined, () => 3, 2)).toBe(3);
    expect(jobsFlag(8, () => 3, 2)).toBe(8);
    expect(() => jobsFlag(9, () => 3, 2)).toThrow("--jobs expects an integer from 1 to 8 (4 per core), found 9");
    expect(() => jobsFlag(0, () => 3, 2)).toThrow(UsageError);
    expect(() => jobsFlag(1.5, () => 3, 2)).toThrow(UsageError);
  });
});
