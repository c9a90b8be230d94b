// `sim report DIR`, in process: a run folder written with --no-report gets exactly the charts, index.html and
// summary.md `sim run` writes, from its files alone (a swarm run's too, from agents.csv and the swarm series); a folder of neither kind is bad input. (A sweep folder
// getting its report back from the run store is tested in sweep.test.ts, on the sweeps written there.)

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli, readTree, treeDiff } from "./sweep-helpers.ts";

const TMP = mkdtempSync(join(tmpdir(), "sim-report-"));
const SCENARIO = "scenarios/ci/small.yaml";

afterAll(() => rmSync(TMP, { recursive: true, force: true }));

describe("sim report", () => {
  it("rebuilds a run folder's report from its CSVs and summary.json", async () => {
    const full = join(TMP, "run-full");
    const bare = join(TMP, "run-bare");
    const run = ["run", SCENARIO, "--seeds", "2", "--strategy", "static,rebalance"];
    expect((await cli(...run, "--out", full)).code).toBe(0);
    expect((await cli(...run, "--no-report", "--out", bare)).code).toBe(0);
    expect(readTree(bare).has("index.html")).toBe(false);
    const r = await cli("report", bare);
    expect(r.code).toBe(0);
    const tree = readTree(full);
    const rebuilt = readTree(bare);
    expect([...rebuilt.keys()]).toEqual([...tree.keys()]);
    // The runs' metrics come back unrounded from summary.json: the rebuilt report is the same, byte for byte.
    expect(treeDiff(tree, rebuilt)).toEqual([]);
  });

  it("rebuilds a swarm run folder's report, swarm charts included, from its CSVs (agents.csv, swarm series)", async () => {
    const full = join(TMP, "swarm-full");
    const bare = join(TMP, "swarm-bare");
    const run = ["run", "scenarios/ci/swarm.yaml", "--seeds", "2", "--strategy", "static,rebalance"];
    expect((await cli(...run, "--out", full)).code).toBe(0);
    expect((await cli(...run, "--no-report", "--out", bare)).code).toBe(0);
    expect((await cli("report", bare)).code).toBe(0);
    const tree = readTree(full);
    for (const chart of ["egress", "viewers-online", "viewer-startup-cdf", "viewer-rebuffer-cdf"]) {
      expect(tree.has(`charts/${chart}.svg`)).toBe(true);
    }
    const rebuilt = readTree(bare);
    expect([...rebuilt.keys()]).toEqual([...tree.keys()]);
    expect(treeDiff(tree, rebuilt)).toEqual([]);
  });

  it("rebuilds a folder written before summary.json held each run's metrics, from runs.csv", async () => {
    const old = join(TMP, "run-old");
    expect((await cli("run", SCENARIO, "--seeds", "2", "--no-report", "--out", old)).code).toBe(0);
    const file = join(old, "summary.json");
    const summary = JSON.parse(readFileSync(file, "utf8"));
    expect(summary.runs).toHaveLength(2 * summary.strategies.length);
    delete summary.runs;
    writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
    const r = await cli("report", old);
    expect(r.code).toBe(0);
    expect(readTree(old).has("charts/metrics.svg")).toBe(true);
  });

  it("exits 2 for a folder that is neither a run nor a sweep", async () => {
    const empty = join(TMP, "empty");
    mkdirSync(empty);
    const r = await cli("report", empty);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("neither a run folder");
    expect((await cli("report", join(TMP, "missing"))).code).toBe(2);
  });
});
