// `sim run` end to end: exit 0, the expected files, byte-identical outputs for two runs of a scenario with churn,
// failures and an origin, and --check-determinism passing; all through the CLI's main() in this process. (The
// simulator's determinism on the larger shipped scenarios is test/sim/determinism.test.ts's, and CI runs
// `sim run --check-determinism` on churn.yaml and heterogeneous.yaml.)
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.ts";

const dir = mkdtempSync(join(tmpdir(), "sim-run-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const files = (d: string) => readdirSync(d).filter((f) => !f.startsWith(".")).sort();

describe("sim run", () => {
  it("writes byte-identical files for two runs of a scenario with churn and failures", async () => {
    const a = join(dir, "a");
    const b = join(dir, "b");
    const args = ["run", "scenarios/ci/churn-failures.yaml", "--seeds", "2", "--no-report", "--trace"];
    expect(await main([...args, "--out", a])).toBe(0);
    expect(await main([...args, "--out", b])).toBe(0);
    expect(files(a)).toEqual(["blocks.csv", "events.jsonl", "runs.csv", "series.csv", "subblocks.csv", "summary.json"]);
    for (const f of files(a)) expect(readFileSync(join(b, f)), f).toEqual(readFileSync(join(a, f)));
    const runs = readFileSync(join(a, "runs.csv"), "utf8").trim().split("\n");
    expect(runs[0]).toMatch(/^strategy,seed,completion_s,throughput_bps,t_star_ratio,t_g_ratio,throughput_bound_s,throughput_bound_ratio,mean_block_s,p95_block_s,/);
    expect(runs).toHaveLength(1 + 3 * 2); // static, index, rebalance × 2 seeds
    expect(readFileSync(join(a, "summary.json"), "utf8")).not.toContain(process.cwd());
  });

  it("records what really ran: --strategy, --seed and --seeds in summary.json's scenario, summary.md and index.html", async () => {
    const d = join(dir, "provenance");
    expect(await main(["run", "scenarios/ci/small.yaml", "--strategy", "rebalance,static", "--seed", "4", "--seeds", "2", "--out", d])).toBe(0);
    const summary = JSON.parse(readFileSync(join(d, "summary.json"), "utf8"));
    // The file says strategies [static, index, rebalance], seed 1, seeds 6.
    expect(summary.scenario.strategies).toEqual(["rebalance", "static"]);
    expect(summary.scenario.seed).toBe(4);
    expect(summary.scenario.seeds).toBe(2);
    expect(summary.strategies.map((s: { name: string; seeds: number[] }) => [s.name, s.seeds])).toEqual([
      ["rebalance", [4, 5]],
      ["static", [4, 5]],
    ]);
    const line = "Strategies: rebalance, static; seeds: 4–5 (2 per strategy).";
    expect(readFileSync(join(d, "summary.md"), "utf8")).toContain(`\n${line}\n`);
    expect(readFileSync(join(d, "index.html"), "utf8")).toContain(`<p>${line}</p>`);
    expect(readFileSync(join(d, "runs.csv"), "utf8").split("\n")[1]).toMatch(/^rebalance,4,/);
  });

  it("passes --check-determinism, printing the verdict first, then the comparison table", async () => {
    const printed: string[] = [];
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      printed.push(String(chunk));
      return true;
    });
    try {
      expect(await main(["run", "scenarios/ci/small.yaml", "--check-determinism", "--no-report", "--out", join(dir, "c")])).toBe(0);
    } finally {
      spy.mockRestore();
    }
    const out = printed.join("");
    expect(out).toMatch(/^Verdict \(against static, \d+ seeds; 95% intervals of paired differences\):\n/);
    expect(out).toMatch(/^ {2}- completion time \(lower is better\): /m);
    expect(out.indexOf("Verdict")).toBeLessThan(out.search(/^strategy +runs +failed/m));
  });

  it("leaves no file of an earlier run into the same folder that this run did not write", async () => {
    const d = join(dir, "reuse");
    expect(await main(["run", "scenarios/ci/small.yaml", "--seeds", "1", "--trace", "--out", d])).toBe(0);
    expect(files(d)).toContain("events.jsonl");
    expect(files(d)).toContain("charts");
    expect(await main(["run", "scenarios/ci/small.yaml", "--seeds", "1", "--no-report", "--out", d])).toBe(0);
    expect(files(d)).toEqual(["blocks.csv", "runs.csv", "series.csv", "subblocks.csv", "summary.json"]);
  });
});
