// Strategies given as objects from code to runExperiment and runSweep: a StrategyEntry in `strategies` runs,
// and gets the same runs.csv rows, summaries and charts, as a shipped strategy. The independent expectation: an
// entry that builds the shipped `static` under another name meets the same world, so its every metric but the
// name equals static's (its fingerprint included: the fingerprint hashes what the run did, not the name).

import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createStrategy, loadScenario, runExperiment, runSweep, type StrategyEntry, StrategyModuleError } from "../../src/index.ts";

const TMP = mkdtempSync(join(tmpdir(), "sim-objects-"));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const copy: StrategyEntry = { name: "static-copy", description: "static under another name", create: () => createStrategy("static") };

/** runs.csv as rows of { column: value }. */
function csvRows(file: string): Record<string, string>[] {
  const [head, ...lines] = readFileSync(file, "utf8").trim().split("\n");
  const cols = head.split(",");
  return lines.map((l) => Object.fromEntries(l.split(",").map((v, i) => [cols[i], v])));
}

describe("strategy objects", () => {
  it("runExperiment runs an entry beside a built-in one, with the same CSV, summary and charts", async () => {
    const out = join(TMP, "exp");
    const outcome = await runExperiment(loadScenario("scenarios/ci/small.yaml"), {
      strategies: ["static", copy],
      seeds: [1, 2],
      outDir: out,
      trace: false,
      checkDeterminism: false,
      report: true,
    });
    expect(outcome.failures).toEqual([]);
    const byName = (n: string) => outcome.results.filter((r) => r.strategy === n);
    expect(byName("static-copy").map((r) => r.seed)).toEqual([1, 2]);
    for (const i of [0, 1]) {
      expect(byName("static-copy")[i].metrics).toEqual(byName("static")[i].metrics);
    }
    const rows = csvRows(join(out, "runs.csv"));
    expect(rows.map((r) => r.strategy).sort()).toEqual(["static", "static", "static-copy", "static-copy"]);
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as { scenario: { strategies: string[] } };
    expect(summary.scenario.strategies).toEqual(["static", "static-copy"]);
    expect(readFileSync(join(out, "index.html"), "utf8")).toContain("static-copy");
    expect(readFileSync(join(out, "summary.md"), "utf8")).toContain("static-copy");
  });

  it("runSweep runs an entry in this thread, stores it, and runs it again on resume (code has no hash)", async () => {
    const out = join(TMP, "sweep");
    const opts = {
      file: "scenarios/ci/small.yaml",
      plan: { strategies: ["static", copy], seeds: [1], params: [["agent.max_connections", [2, 3]] as const] },
      jobs: 1,
      outDir: out,
    };
    const first = await runSweep(opts);
    expect(first.failures).toEqual([]);
    expect(first.results.map((r) => `${r.point} ${r.strategy}`)).toEqual(["0 static", "0 static-copy", "1 static", "1 static-copy"]);
    for (const p of [0, 1]) {
      const at = first.results.filter((r) => r.point === p);
      expect(at[1].metrics).toEqual(at[0].metrics);
    }
    expect(readFileSync(join(out, "runs.csv"), "utf8")).toContain("static-copy");
    const again = await runSweep(opts);
    expect(again.reused).toBe(2); // static's two runs; the entry's are run again
    expect(again.results.map((r) => r.metrics)).toEqual(first.results.map((r) => r.metrics));
  });

  it("refuses a malformed entry, a built-in strategy's name and two entries of one name before writing anything", async () => {
    const loaded = loadScenario("scenarios/ci/small.yaml");
    const refusal = async (strategies: readonly (string | StrategyEntry)[]) => {
      const out = join(TMP, "refused");
      const error = await runExperiment(loaded, { strategies, seeds: [1], outDir: out, trace: false, checkDeterminism: false, report: false }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(StrategyModuleError);
      expect(existsSync(out)).toBe(false);
      return (error as Error).message;
    };
    expect(await refusal([{ ...copy, name: "static" }])).toBe(
      'strategies: strategy "static" has the name of a built-in strategy; give it another name',
    );
    expect(await refusal([copy, { ...copy }])).toBe('strategies: two strategies are named "static-copy"');
    expect(await refusal([{ name: "x y", description: "", create: copy.create }])).toMatch(/strategy object \[0\] has name "x y"/);
    expect(await refusal([{ name: "nothing" } as unknown as StrategyEntry])).toMatch(/is not a StrategyEntry/);
  });
});
