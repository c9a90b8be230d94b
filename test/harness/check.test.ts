// The CI gate, programmatically: an unchanged tree reproduces its baseline exactly and passes; a deliberately
// worsened strategy (rebalance with its redistribution switched off, i.e. a plain index split) is caught.
import { describe, expect, it } from "vitest";
import { createStrategy } from "../../src/agent/index.ts";
import { check } from "../../src/harness/check.ts";

const suite = ["test/fixtures/check-suite/noisy-hints.yaml"];

describe("sim check", () => {
  const baseline = check({ suite, baseline: null }).current;

  it("passes an unchanged tree with every fingerprint matching", () => {
    const r = check({ suite, baseline });
    expect(r.passed).toBe(true);
    expect(r.groups.map((g) => g.verdict)).toEqual(["identical", "identical"]);
  });

  it("catches rebalance with redistribution switched off as a regression, and says how to replay it", () => {
    const worse = (name: string) => createStrategy(name === "rebalance" ? "index" : name);
    const r = check({ suite, baseline, strategyFactory: worse });
    expect(r.passed).toBe(false);
    const g = r.groups.find((x) => x.strategy === "rebalance")!;
    expect(g.verdict).toBe("regressed");
    expect(g.metrics.find((m) => m.metric === "mean_block_s")?.verdict).toBe("regressed");
    expect(g.replay).toMatch(/^npx sim run test\/fixtures\/check-suite\/noisy-hints\.yaml --strategy rebalance --seed \d+ --seeds 1 --trace/);
    expect(r.markdown).toContain("**regressed**");
    expect(r.junit).toMatch(/<failure message="regressed: regressed: .*mean_block_s/);
  });

  it("fails a group that has no baseline", () => {
    const r = check({ suite, baseline: { tool: baseline.tool, runs: baseline.runs.filter((x) => x.strategy !== "index") } });
    expect(r.passed).toBe(false);
    expect(r.groups.find((g) => g.strategy === "index")?.verdict).toBe("no-baseline");
  });
});
