// `sim sweep`, `sim merge` and `sim report` of a sweep, in process: outputs are byte-identical whatever --jobs
// is, an interrupted sweep resumes to the same bytes, two shards merged equal the unsharded sweep (charts
// included), a sweep written with --no-report gets the same report back from `sim report`, incomplete or
// mismatched shards are reported, failed runs are recorded and exit 1, and bad flags exit 2.

import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseParamFlag, parseParamValue } from "../../src/cli/commands/sweep.ts";
import { cli, readTree, treeDiff } from "./sweep-helpers.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const TMP = mkdtempSync(join(tmpdir(), "sim-sweep-"));
const SCENARIO = "scenarios/ci/small.yaml";
/** 2 points × 3 strategies × 2 seeds = 12 runs of ~5 ms. */
const GRID = [SCENARIO, "--param", "agent.max_connections=2,4", "--seeds", "2"];
const OUTPUTS = ["sweep.json", "runs.csv", "summary.json", "summary.md"];

afterAll(() => rmSync(TMP, { recursive: true, force: true }));

/** The sweep of GRID with --jobs 1 and --no-report, which most tests below compare with or start from. */
const one = join(TMP, "jobs1");
beforeAll(async () => {
  expect((await cli("sweep", ...GRID, "--jobs", "1", "--no-report", "--out", one)).code).toBe(0);
}, 60_000); // sweeps run in worker threads, which load the TypeScript sources through tsx here

describe("sim sweep", () => {
  const two = join(TMP, "jobs2");

  it("writes the manifest, 12 runs with the parameter column first, and the summaries", () => {
    const manifest = JSON.parse(readFileSync(join(one, "sweep.json"), "utf8"));
    expect(manifest.file).toBe(SCENARIO);
    expect(manifest.params).toEqual([["agent.max_connections", [2, 4]]]);
    expect(manifest.strategies).toEqual(["static", "index", "rebalance"]);
    expect(manifest.seeds).toEqual([1, 2]);
    expect(manifest.runs).toHaveLength(12);
    expect(manifest.shard).toBeUndefined();
    const rows = readFileSync(join(one, "runs.csv"), "utf8").trimEnd().split("\n");
    expect(rows[0]).toMatch(/^agent\.max_connections,strategy,seed,completion_s,/);
    expect(rows[0]).toMatch(/,fingerprint,error$/);
    expect(rows.slice(1).map((r) => r.split(",").slice(0, 3).join(","))).toEqual([
      "2,static,1", "2,static,2", "2,index,1", "2,index,2", "2,rebalance,1", "2,rebalance,2",
      "4,static,1", "4,static,2", "4,index,1", "4,index,2", "4,rebalance,1", "4,rebalance,2",
    ]);
    const summary = JSON.parse(readFileSync(join(one, "summary.json"), "utf8"));
    expect(summary.reference).toBe("static");
    expect(summary.points.map((p: { values: object }) => p.values)).toEqual([
      { "agent.max_connections": 2 },
      { "agent.max_connections": 4 },
    ]);
    const index = summary.points[0].strategies[1];
    expect(index.name).toBe("index");
    expect(index.metrics.completion_s.n).toBe(2);
    expect(index.vs_reference.completion_s.n).toBe(2);
    const md = readFileSync(join(one, "summary.md"), "utf8");
    for (const m of ["completion_s", "mean_block_s", "t_star_ratio", "stall_s", "redundant_MB", "origin_MB"]) {
      expect(md).toContain(`## ${m}\n`);
    }
    expect(md).toContain("| agent.max_connections | static | index | rebalance | index − static | rebalance − static |");
    expect(existsSync(join(one, "index.html"))).toBe(false);
  });

  it("writes byte-identical files with --jobs 2", async () => {
    expect((await cli("sweep", ...GRID, "--jobs", "2", "--no-report", "--out", two)).code).toBe(0);
    expect(treeDiff(readTree(one), readTree(two))).toEqual([]);
  });

  it("resumes: deleted store entries are rerun, the rest reused, and the outputs come out the same", async () => {
    const dir = join(TMP, "resume");
    cpSync(one, dir, { recursive: true });
    const keys: string[] = JSON.parse(readFileSync(join(dir, "sweep.json"), "utf8")).runs;
    for (const k of [keys[0], keys[5], keys[11]]) unlinkSync(join(dir, "runs", `${k}.json`));
    for (const f of OUTPUTS) unlinkSync(join(dir, f));
    const r = await cli("sweep", ...GRID, "--jobs", "1", "--no-report", "--out", dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("12 run(s) of 12: 3 run, 9 reused");
    expect(treeDiff(readTree(one), readTree(dir))).toEqual([]);
  });

  it("records a failed run with its reason, finishes the others, and exits 1", async () => {
    const dir = join(TMP, "failing");
    // 1 s of simulated time is too short for this download (~3 s): every run at that point fails.
    const r = await cli("sweep", SCENARIO, "--param", "limits.sim_time_s=1,100", "--seeds", "1", "--strategy", "static", "--jobs", "1", "--no-report", "--out", dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/run failed: point 0 static seed 1: /);
    const rows = readFileSync(join(dir, "runs.csv"), "utf8").trimEnd().split("\n");
    expect(rows).toHaveLength(3);
    expect(rows[1]).toMatch(/^1,static,1,.*,.+$/);
    expect(rows[1].endsWith(",")).toBe(false);
    expect(rows[2]).toMatch(/^100,static,1,.*,$/);
  });

  it("rejects a --param key the scenario does not have, with a suggestion, before running anything", async () => {
    const dir = join(TMP, "bad-key");
    const r = await cli("sweep", SCENARIO, "--param", "agent.max_conections=2,4", "--out", dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('did you mean "agent.max_connections"?');
    expect(existsSync(dir)).toBe(false);
  });

  it("rejects bad --shard and --jobs values", async () => {
    expect((await cli("sweep", SCENARIO, "--shard", "3/2")).code).toBe(2);
    expect((await cli("sweep", SCENARIO, "--jobs", "0")).code).toBe(2);
    expect((await cli("sweep", SCENARIO, "--param", "agent.max_connections")).code).toBe(2);
  });
});

describe("--param values", () => {
  it("parses numbers, booleans and strings", () => {
    expect(parseParamValue("4")).toBe(4);
    expect(parseParamValue("2.5e6")).toBe(2_500_000);
    expect(parseParamValue("-1")).toBe(-1);
    expect(parseParamValue("true")).toBe(true);
    expect(parseParamValue("false")).toBe(false);
    expect(parseParamValue("tcp")).toBe("tcp");
    expect(parseParamValue("0x")).toBe("0x");
    expect(parseParamFlag("network.model=tcp,fluid")).toEqual(["network.model", ["tcp", "fluid"]]);
    expect(() => parseParamFlag("a=1,1")).toThrow(/listed twice/);
    expect(() => parseParamFlag("a=1,,2")).toThrow(/empty value/);
  });
});

describe("sim sweep --shard and sim merge", () => {
  const whole = join(TMP, "whole");
  const s1 = join(TMP, "shard1");
  const s2 = join(TMP, "shard2");
  beforeAll(async () => {
    expect((await cli("sweep", ...GRID, "--jobs", "1", "--out", whole)).code).toBe(0);
    expect((await cli("sweep", ...GRID, "--jobs", "1", "--shard", "1/2", "--out", s1)).code).toBe(0);
    expect((await cli("sweep", ...GRID, "--jobs", "1", "--shard", "2/2", "--out", s2)).code).toBe(0);
  }, 120_000); // three sweeps, each starting a worker thread that loads the TypeScript sources through tsx

  it("a shard holds every second run and says which shard it is", () => {
    const m = JSON.parse(readFileSync(join(s2, "sweep.json"), "utf8"));
    expect(m.shard).toEqual({ index: 2, count: 2 });
    expect(readTree(join(s2, "runs")).size).toBe(6);
    expect(readFileSync(join(s2, "runs.csv"), "utf8").trimEnd().split("\n")).toHaveLength(7);
  });

  it("merging two shards gives the unsharded folder byte for byte, charts included", async () => {
    const merged = join(TMP, "merged");
    const r = await cli("merge", s1, s2, "--out", merged);
    expect(r.code).toBe(0);
    const tree = readTree(whole);
    expect([...tree.keys()].filter((n) => n.startsWith("charts/sweep-completion_s"))).toHaveLength(3);
    expect(tree.has("index.html")).toBe(true);
    expect(treeDiff(tree, readTree(merged))).toEqual([]);
  });

  it("names the incomplete shard when runs are missing, and exits 1", async () => {
    const r = await cli("merge", s1, "--out", join(TMP, "half"));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("6 of 12 runs are missing; incomplete shard(s): 2/2");
  });

  it("sim report rebuilds a sweep folder's charts, index.html and summary.md from sweep.json and the run store", async () => {
    // The sweep written with --no-report (the first group's) gets exactly the report of the one written with it.
    const bare = join(TMP, "report-bare");
    cpSync(one, bare, { recursive: true });
    expect(treeDiff(readTree(whole), readTree(bare)).sort()).toContain("index.html");
    const r = await cli("report", bare);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("from 12 stored run(s)");
    expect(treeDiff(readTree(whole), readTree(bare))).toEqual([]);
  });

  it("refuses folders of different sweeps (exit 2)", async () => {
    const r = await cli("merge", s1, join(TMP, "failing"), "--out", join(TMP, "mixed"));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("describes another sweep");
    const sameSweepUnsharded = await cli("merge", s1, join(TMP, "jobs1"), "--out", join(TMP, "mixed"));
    expect(sameSweepUnsharded.code).toBe(2);
    expect(sameSweepUnsharded.stderr).toContain("sharded differently");
  });
});

describe("the sim command (spawned)", () => {
  it("runs a sweep with a worker pool and writes its folder", async () => {
    const dir = join(TMP, "spawned");
    const r = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(
        process.execPath,
        [join(ROOT, "bin/sim.mjs"), "sweep", ...GRID, "--jobs", "2", "--no-report", "--out", dir],
        { cwd: ROOT, env: { ...process.env, CI: "1" } },
        (error, stdout) => resolve({ code: error === null ? 0 : Number(error.code), stdout }),
      );
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`wrote ${dir}`);
    expect(treeDiff(readTree(one), readTree(dir))).toEqual([]);
  });
});
