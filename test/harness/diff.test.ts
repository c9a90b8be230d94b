// Comparing runs: `sim diff`'s text for a run against itself (nothing differs) and for two strategies on one
// world (the first differing decision, found here by the test's own walk over the two traces), and the
// --check-determinism message for two runs whose traces differ at a record placed by hand.

import { describe, expect, it } from "vitest";
import { diffRuns } from "../../src/harness/diff.ts";
import { describeDivergence } from "../../src/harness/experiment.ts";
import type { RunView } from "../../src/harness/explain.ts";
import { runOne } from "../../src/harness/run.ts";
import { recordLine } from "../../src/harness/trace-text.ts";
import { loadScenario } from "../../src/scenario/load.ts";
import type { TraceRecord } from "../../src/sim/world/trace.ts";

const loaded = loadScenario("scenarios/ci/small.yaml");
const view = (strategy: string): RunView => {
  const out = runOne(loaded, { strategy, seed: 1, trace: true, recordEvents: true });
  return { scenarioName: "small", result: out.result, trace: out.trace!, source: "test" };
};

describe("sim diff", () => {
  it("finds nothing between a run and itself", () => {
    const a = view("static");
    const text = diffRuns(a, a, "A", "B");
    expect(text.startsWith("A: A\nB: B\n\n")).toBe(true);
    expect(text).toMatch(new RegExp(`fingerprint +${a.result.metrics.fingerprint} +${a.result.metrics.fingerprint} +same`));
    expect(text).toMatch(/\ncompletion_s +(\d+\.\d{6}) +\1 +0\.000000\n/);
    expect(text).toContain("Every block took the same time in both runs.");
    expect(text).toContain("The runs made the same decisions and met the same world events.");
  });

  it("names the first decision two strategies make differently, after those they share", () => {
    const a = view("static");
    const b = view("pull");
    const decisions = (t: readonly TraceRecord[]) => t.filter((r) => r.type === "decision");
    const da = decisions(a.trace);
    const db = decisions(b.trace);
    let k = 0;
    while (k < da.length && k < db.length && JSON.stringify(da[k]) === JSON.stringify(db[k])) k++;
    expect(k).toBeLessThan(Math.min(da.length, db.length));
    const text = diffRuns(a, b, "static", "pull");
    expect(text).toContain(`The first decision that differs (after ${k} identical decisions):`);
    expect(text).toContain(`  → ${recordLine(da[k])}\n`);
    expect(text).toContain(`  → ${recordLine(db[k])}\n`);
    if (k > 0) expect(text).toContain(`    ${recordLine(da[k - 1])}\n`);
    expect(text).toContain(`fingerprint  `);
    expect(text).toContain(" differ");
  });
});

describe("--check-determinism", () => {
  const out = runOne(loaded, { strategy: "static", seed: 1, trace: true, recordEvents: true });

  it("says nothing when the two runs agree", () => {
    expect(describeDivergence(out, { ...out })).toBeNull();
  });

  it("names the first differing trace record in words, and the last one the runs share", () => {
    const trace = out.trace!;
    const k = trace.findIndex((r, i) => i > 10 && r.type === "decision");
    const changed: TraceRecord = { ...trace[k], timeUs: trace[k].timeUs + 1 };
    const other = { ...out, trace: [...trace.slice(0, k), changed, ...trace.slice(k + 1)] };
    expect(describeDivergence(out, other)).toBe(
      `strategy static seed 1: the runs diverge after ${k} identical trace records; the last record they share: ${recordLine(trace[k - 1])}\n` +
        `  first run:  ${recordLine(trace[k])}\n  second run: ${recordLine(changed)}`,
    );
    expect(describeDivergence(out, { ...out, trace: trace.slice(0, k) })).toContain(`  first run:  ${recordLine(trace[k])}\n  second run: the end of the run`);
  });
});
