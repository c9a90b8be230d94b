// Calibration: the comparison's arithmetic on hand-made runs (errors computed here by hand), and a short
// calibrate of the fast scenario end to end, checking what it writes (both run folders, comparison.csv and
// .json, the chart) — not its figures, which depend on the machine's load (the benchmark prints them).

import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { calibrate, calibrationTable, compareRuns } from "../../src/real/calibrate.ts";
import type { BlockRecord } from "../../src/sim/metrics/records.ts";
import { fakeMetrics, fakeRunResult } from "../report/fixtures.ts";
import { fastScenario } from "./helpers.ts";

const TMP = mkdtempSync(join(tmpdir(), "sim-calibrate-"));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const blocks = (times: number[]): BlockRecord[] => {
  let t = 0;
  return times.map((d, block) => {
    const b = { block, startUs: t, endUs: t + d, bytes: 1000, tStarUs: 0, tGUs: 0 };
    t += d;
    return b;
  });
};

describe("compareRuns", () => {
  it("computes completion and per-block errors against the simulated run", () => {
    const sim = fakeRunResult({ strategy: "static", blocks: blocks([100_000, 200_000, 400_000, 100_000]), metrics: fakeMetrics({ completionS: 1 }) });
    const real = fakeRunResult({ strategy: "static", blocks: blocks([105_000, 190_000, 400_000, 150_000]), metrics: fakeMetrics({ completionS: 1.08 }) });
    const c = compareRuns(sim, real);
    expect(c.blocks.map((b) => b.error)).toEqual([0.05, -0.05, 0, 0.5].map((x) => expect.closeTo(x, 12)) as never);
    expect(c.completionError).toBeCloseTo(0.08, 12);
    // |errors| sorted: 0, 0.05, 0.05, 0.5 → type-7 median 0.05, p90 = 0.05 + 0.7 × 0.45 = 0.365.
    expect(c.medianBlockError).toBeCloseTo(0.05, 12);
    expect(c.p90BlockError).toBeCloseTo(0.365, 12);
    expect(c.meanBlockBias).toBeCloseTo(0.125, 12);
    expect(c.targetsMet).toBe(true);
    expect(compareRuns(sim, fakeRunResult({ blocks: blocks([100_000]), metrics: fakeMetrics({ completionS: 1.2 }) })).targetsMet).toBe(false);
  });
});

describe("calibrate", () => {
  it("writes both run folders, the comparison and its chart", async () => {
    const out = join(TMP, "cal");
    const loaded = fastScenario({ strategies: ["rebalance"] });
    const outcome = await calibrate(loaded, { strategies: ["rebalance"], seed: 3, outDir: out, noWarmUp: true });
    expect(outcome.comparisons.map((c) => c.strategy)).toEqual(["rebalance"]);
    for (const c of outcome.comparisons) {
      expect(c.error).toBeNull();
      expect(c.blocks.length).toBe(8);
    }
    for (const f of ["sim/runs.csv", "sim/blocks.csv", "real/runs.csv", "real/subblocks.csv", "real/index.html", "comparison.csv", "comparison.json", "charts/calibration.svg", "charts/calibration.png"]) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    const csv = readFileSync(join(out, "comparison.csv"), "utf8").trim().split("\n");
    expect(csv[0]).toBe("strategy,block,sim_s,real_s,error_ratio");
    expect(csv.length).toBe(1 + 8);
    const json = JSON.parse(readFileSync(join(out, "comparison.json"), "utf8"));
    expect(json.strategies.map((s: { strategy: string }) => s.strategy)).toEqual(["rebalance"]);
    expect(readFileSync(join(out, "real/runs.csv"), "utf8")).toMatch(/,real,/); // the fingerprint column
    expect(calibrationTable(outcome.comparisons)).toMatch(/^strategy\s+sim completion/);
  });
});
