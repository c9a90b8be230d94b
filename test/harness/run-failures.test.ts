// One bad run never takes the others down: generated misbehaving strategies (a factory, a `name` or any hook
// that throws any value, an Error whose `message` getter throws, a Proxy that throws on every access, a hook
// that never returns, a move ping-pong that livelocks the agent) always give a failed run with a short, escaped
// reason, through runOne, runScenario, runExperiment and check; the other runs of an experiment are unaffected.
// The strategies and the property are in hostile-strategies.ts; run-failures.long.test.ts tries many more.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createStrategy } from "../../src/agent/index.ts";
import { check, DEFAULT_CONFIG } from "../../src/harness/check.ts";
import { loadBaseline } from "../../src/harness/check-baseline.ts";
import { runExperiment } from "../../src/harness/experiment.ts";
import { checkMisbehavingStrategies, expectSafeReason, hostile, loaded } from "./hostile-strategies.ts";

const tmp = mkdtempSync(join(tmpdir(), "sim-run-failures-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("a misbehaving strategy", () => {
  it("is a failed run with its reason, never an exception or a hang (runOne, runScenario)", () => {
    // 24 generated cases here (a loop or a ping-pong costs the 0.25 s budget, twice); 300 in the long run.
    checkMisbehavingStrategies(24);
  }, 120_000);

  it("fails only its own runs of an experiment, which still writes every output", async () => {
    const out = join(tmp, "experiment");
    const bad = hostile("onConnectionIdle", 0, { kind: "loop" });
    const outcome = await runExperiment(loaded, {
      strategies: ["static", "hostile", "pull"],
      seeds: [1, 2],
      outDir: out,
      trace: false,
      checkDeterminism: true,
      report: false,
      extraStrategies: [{ name: "hostile", description: "loops in onConnectionIdle", create: bad }],
    });
    expect(outcome.failures).toHaveLength(2);
    for (const f of outcome.failures) expect(f).toMatch(/^hostile seed \d: wall-limit: .*0\.25 s/);
    expect(outcome.results.filter((r) => r.error === null).map((r) => r.strategy)).toEqual(["static", "static", "pull", "pull"]);
    expect(outcome.determinismFailure).toBeNull();
    const runs = readFileSync(join(out, "runs.csv"), "utf8").trim().split("\n");
    expect(runs).toHaveLength(1 + 6);
    expect(runs.filter((r) => r.includes("wall-limit"))).toHaveLength(2);
  });

  it("fails its group of the CI gate instead of throwing", () => {
    const throwing = hostile("onBlockStart", 0, { kind: "throw", value: () => ({ get message() { throw new Error("x"); } }) });
    const r = check({
      suite: ["scenarios/ci/small.yaml"],
      // Three seeds are enough to show the other group unaffected (the baseline holds the first 48).
      config: { ...DEFAULT_CONFIG, min_seeds: 3, max_seeds: 3 },
      baseline: loadBaseline("reports/baseline.json"),
      strategies: ["static", "rebalance"],
      strategyFactory: (name) => (name === "rebalance" ? throwing() : createStrategy(name)),
    });
    expect(r.passed).toBe(false);
    const failed = r.groups.filter((g) => g.verdict === "failed");
    expect(failed.map((g) => g.strategy)).toEqual(["rebalance"]);
    for (const g of failed) expectSafeReason(g.detail);
  });
});
