// The layer rules of `npm run lint` (.dependency-cruiser.cjs) catch backwards imports: run on a fixture tree
// (test/fixtures/layers/src/) where each file breaks one rule or keeps them all, they report exactly the
// expected violations (a cycle once, at the first import that closes it). The real tree's check is
// `npm run lint` itself.

import { createRequire } from "node:module";
import { cruise, type ICruiseResult, type IConfiguration } from "dependency-cruiser";
import { describe, expect, it } from "vitest";

const config = createRequire(import.meta.url)("../../.dependency-cruiser.cjs") as IConfiguration;

/** The violations as "rule: from → to", sorted. */
async function violations(): Promise<string[]> {
  const { output } = await cruise(["src"], {
    baseDir: "test/fixtures/layers",
    ruleSet: { forbidden: config.forbidden },
    validate: true,
    tsPreCompilationDeps: true,
    doNotFollow: { path: "node_modules" },
  });
  return (output as ICruiseResult).summary.violations
    .map((v) => `${v.rule.name}: ${v.from} → ${v.to}`)
    .sort();
}

describe("layer rules", () => {
  it("report each backwards import, every cycle, and nothing that keeps the rules", async () => {
    expect(await violations()).toEqual(
      [
        "agent-sans-io: src/agent/uses-node.ts → fs",
        "agent-sans-io: src/agent/uses-sim.ts → src/sim/kernel.ts",
        "cli-only-from-bin: src/harness/uses-cli.ts → src/cli/main.ts",
        "harness-below-commands: src/harness/uses-api.ts → src/index.ts",
        "harness-below-commands: src/harness/uses-cli.ts → src/cli/main.ts",
        "index-is-an-entry: src/cli/main.ts → src/index.ts",
        "index-is-an-entry: src/harness/uses-api.ts → src/index.ts",
        "metrics-below-report: src/metrics/registry.ts → src/report/table.ts",
        "no-circular: src/harness/run.ts → src/report/table.ts",
        "real-driver-like-sim: src/real/driver.ts → src/harness/run.ts",
        "report-only-renders: src/report/table.ts → src/harness/run.ts",
        "scenario-below-harness: src/scenario/load.ts → src/sim/kernel.ts",
        "shared-helpers-stand-alone: src/input/quote.ts → src/agent/uses-node.ts",
        "sim-below-scenario: src/sim/reads-scenario.ts → src/scenario/load.ts",
      ].sort(),
    );
  });
});
