// `sim run` end to end: exit 0, the expected files, byte-identical outputs for two runs of churn.yaml, and
// --check-determinism passing; all through the CLI's main() in this process.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";

const dir = mkdtempSync(join(tmpdir(), "sim-run-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const files = (d: string) => readdirSync(d).filter((f) => !f.startsWith(".")).sort();

describe("sim run", () => {
  it("writes byte-identical files for two runs of churn.yaml", async () => {
    const a = join(dir, "a");
    const b = join(dir, "b");
    expect(await main(["run", "scenarios/churn.yaml", "--no-report", "--trace", "--out", a])).toBe(0);
    expect(await main(["run", "scenarios/churn.yaml", "--no-report", "--trace", "--out", b])).toBe(0);
    expect(files(a)).toEqual(["blocks.csv", "events.jsonl", "runs.csv", "series.csv", "subblocks.csv", "summary.json"]);
    for (const f of files(a)) expect(readFileSync(join(b, f)), f).toEqual(readFileSync(join(a, f)));
    const runs = readFileSync(join(a, "runs.csv"), "utf8").trim().split("\n");
    expect(runs[0]).toMatch(/^strategy,seed,completion_s,throughput_bps,t_star_ratio,t_g_ratio,throughput_bound_s,throughput_bound_ratio,mean_block_s,p95_block_s,/);
    expect(runs).toHaveLength(1 + 3 * 3); // static, index, rebalance × 3 seeds
    expect(readFileSync(join(a, "summary.json"), "utf8")).not.toContain(process.cwd());
  });

  it("passes --check-determinism", async () => {
    expect(await main(["run", "scenarios/ci/small.yaml", "--check-determinism", "--no-report", "--out", join(dir, "c")])).toBe(0);
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
