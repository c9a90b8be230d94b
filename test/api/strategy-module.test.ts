// A team's own strategies from a file: loadStrategyModule reads a TypeScript default export and JavaScript named
// exports, refuses every malformed module with a clear message, and the entries run through the API
// (runScenario, runExperiment, runSweep with worker threads) as built-in strategies do; summary.json records
// the file and its hash; the CLI's --strategy-module does the same for `sim run` and refuses a bad module (exit 2).

import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli } from "../cli/sweep-helpers.ts";
import { loadScenario, loadStrategyModule, runExperiment, runScenario, runSweep, StrategyModuleError } from "../../src/index.ts";

const TMP = mkdtempSync(join(tmpdir(), "sim-module-"));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const TS = "test/fixtures/strategies/round-robin.ts";
const JS = "test/fixtures/strategies/named.mjs";

describe("loadStrategyModule", () => {
  it("reads a TypeScript default export and JavaScript named exports (ignoring exports that are not entries)", async () => {
    const ts = await loadStrategyModule(TS);
    expect(ts.entries.map((e) => e.name)).toEqual(["round-robin"]);
    expect(ts.sha256).toBe(createHash("sha256").update(readFileSync(TS)).digest("hex"));
    const js = await loadStrategyModule(JS);
    expect(js.entries.map((e) => [e.name, e.description])).toEqual([
      ["first-only", "every sub-block on the first ready connection"],
      ["last-only", "every sub-block on the last ready connection"],
    ]);
  });

  it("refuses a missing file, another extension, a module that throws, exports nothing, a class, a built-in's name", async () => {
    const refusal = async (file: string) => {
      const e = await loadStrategyModule(file).then(
        () => null,
        (error: unknown) => error,
      );
      expect(e).toBeInstanceOf(StrategyModuleError);
      return (e as Error).message;
    };
    expect(await refusal("test/fixtures/strategies/none.ts")).toBe("--strategy-module test/fixtures/strategies/none.ts: no such file");
    expect(await refusal("test/fixtures/strategies")).toMatch(/expected a file, found a folder/);
    expect(await refusal("scenarios/ci/small.yaml")).toMatch(/expected a TypeScript \(\.ts, \.mts, \.cts\) or JavaScript/);
    // The message of the error it threw, control characters escaped.
    expect(await refusal("test/fixtures/strategies/bad/throws.ts")).toBe(
      "--strategy-module test/fixtures/strategies/bad/throws.ts: could not load it: boom\\u001b[31m while loading",
    );
    expect(await refusal("test/fixtures/strategies/bad/empty.mjs")).toMatch(/exports no StrategyEntry: expected a default export/);
    expect(await refusal("test/fixtures/strategies/bad/default-class.mjs")).toMatch(
      /the default export is not a StrategyEntry: expected an object \{ name, description, create \}/,
    );
    expect(await refusal("test/fixtures/strategies/bad/clash.mjs")).toMatch(/strategy "static" has the name of a built-in strategy/);
  });
});

describe("a module's strategies through the API", () => {
  it("runScenario runs them by name, in a scenario that lists them", async () => {
    const { entries } = await loadStrategyModule(JS);
    const swarm = {
      name: "module-api",
      strategies: ["first-only"],
      content: { size_bytes: 2 * 1048576, block_bytes: 1048576, sub_block_bytes: 65536 },
      agent: { downlink_bps: 100_000_000, max_connections: 3 },
      peers: [{ count: 3, uplink_bps: 4_000_000, rtt_ms: 30 }],
    };
    const first = runScenario(swarm, { strategy: "first-only", strategies: entries, seed: 2 });
    const spread = runScenario(swarm, { strategy: "static", strategies: entries, seed: 2 });
    expect(first.error).toBeNull();
    expect(first.strategy).toBe("first-only");
    // One 4 Mb/s source at a time against three: each 1 MiB block takes ≥ 8·1048576 / 4e6 ≈ 2.1 s alone.
    expect(first.metrics.meanBlockS).toBeGreaterThan(2.09);
    expect(spread.metrics.meanBlockS).toBeLessThan(first.metrics.meanBlockS / 2);
  });

  it("runExperiment records the module in summary.json; runSweep gives the same runs with worker threads", async () => {
    const module = await loadStrategyModule(TS);
    const loaded = loadScenario("scenarios/ci/small.yaml");
    const out = join(TMP, "exp");
    const outcome = await runExperiment(loaded, {
      strategies: ["static", "round-robin"],
      seeds: [1, 2],
      outDir: out,
      trace: false,
      checkDeterminism: false,
      report: false,
      strategyModule: module,
    });
    expect(outcome.failures).toEqual([]);
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    expect(summary.strategy_module).toEqual({ file: TS, sha256: module.sha256, strategies: ["round-robin"] });
    expect(summary.scenario.strategies).toEqual(["static", "round-robin"]);
    const sweep = (jobs: number) =>
      runSweep({
        file: "scenarios/ci/small.yaml",
        plan: { params: [["agent.max_connections", [2, 4]]], strategies: ["round-robin"], seeds: [1, 2] },
        jobs,
        outDir: join(TMP, `sweep-${jobs}`),
        strategyModule: module,
      });
    const one = await sweep(1);
    const two = await sweep(2);
    expect(one.failures).toEqual([]);
    expect(two.results.map((r) => r.metrics.fingerprint)).toEqual(one.results.map((r) => r.metrics.fingerprint));
    // The module's hash is in the run keys: a sweep of the same runs without it would not reuse them.
    expect(one.plan.runs[0].key).not.toBe((await runSweep({ file: "scenarios/ci/small.yaml", plan: { strategies: ["static"], seeds: [1] }, jobs: 1, outDir: join(TMP, "plain") })).plan.runs[0].key);
  });
});

describe("sim run --strategy-module", () => {
  it("runs the module's strategies beside the built-in ones and says so in summary.md", async () => {
    const out = join(TMP, "cli");
    const r = await cli("run", "scenarios/ci/small.yaml", "--strategy-module", JS, "--strategy", "static,last-only", "--seeds", "1", "--out", out);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^last-only +1 +0 /m);
    expect(readFileSync(join(out, "summary.md"), "utf8")).toContain(`- first-only, last-only: from --strategy-module ${JS} (sha256 `);
  });

  it("sim strategies lists the module's strategies after the built-in ones", async () => {
    const r = await cli("strategies", "--strategy-module", JS);
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split("\n").slice(-2)).toEqual([
      `first-only  every sub-block on the first ready connection (${JS})`,
      `last-only   every sub-block on the last ready connection (${JS})`,
    ]);
  });

  it("refuses a bad module with exit 2 and writes nothing", async () => {
    const out = join(TMP, "bad");
    const r = await cli("run", "scenarios/ci/small.yaml", "--strategy-module", "test/fixtures/strategies/bad/empty.mjs", "--out", out);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("exports no StrategyEntry");
    expect(r.stderr).not.toContain("internal error");
    const unknown = await cli("run", "scenarios/ci/small.yaml", "--strategy-module", JS, "--strategy", "middle-only", "--out", out);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown strategy "middle-only"');
    expect(unknown.stderr).toContain("first-only, last-only");
  });
});
