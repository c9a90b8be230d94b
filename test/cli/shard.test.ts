// `--shard auto`: the slice comes from the array-job engine's variables (hand-computed expectations for
// Kubernetes, Slurm and AWS Batch), every missing or contradictory setting is a clear usage error, and `sim sweep
// --shard auto` in process runs the slice the environment names.

import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { shardFlag } from "../../src/cli/shard.ts";
import { parseShard } from "../../src/harness/sweep.ts";
import { cli } from "./sweep-helpers.ts";

const TMP = mkdtempSync(join(tmpdir(), "sim-shard-"));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));
afterEach(() => vi.unstubAllEnvs());

const auto = (env: Record<string, string>, count?: number) => shardFlag("auto", count, parseShard, env);
const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected a refusal");
};

describe("--shard auto", () => {
  it("takes index and count from Kubernetes (with --shard-count), Slurm and AWS Batch", () => {
    expect(auto({ JOB_COMPLETION_INDEX: "0" }, 8)).toEqual({ index: 1, count: 8 });
    expect(auto({ JOB_COMPLETION_INDEX: "7" }, 8)).toEqual({ index: 8, count: 8 });
    // sbatch --array=1-4: ids 1..4.
    expect(auto({ SLURM_ARRAY_TASK_ID: "3", SLURM_ARRAY_TASK_MIN: "1", SLURM_ARRAY_TASK_MAX: "4", SLURM_ARRAY_TASK_COUNT: "4" })).toEqual({
      index: 3,
      count: 4,
    });
    // sbatch --array=0-12:4: ids 0, 4, 8, 12.
    const stepped = { SLURM_ARRAY_TASK_MIN: "0", SLURM_ARRAY_TASK_MAX: "12", SLURM_ARRAY_TASK_STEP: "4", SLURM_ARRAY_TASK_COUNT: "4" };
    expect(auto({ ...stepped, SLURM_ARRAY_TASK_ID: "8" })).toEqual({ index: 3, count: 4 });
    expect(auto({ AWS_BATCH_JOB_ARRAY_INDEX: "0", AWS_BATCH_JOB_ARRAY_SIZE: "10" })).toEqual({ index: 1, count: 10 });
    expect(auto({ AWS_BATCH_JOB_ARRAY_INDEX: "9" }, 10)).toEqual({ index: 10, count: 10 });
    // i/n as before; no --shard, no shard.
    expect(shardFlag("2/4", undefined, parseShard, {})).toEqual({ index: 2, count: 4 });
    expect(shardFlag(undefined, undefined, parseShard, { SLURM_ARRAY_TASK_ID: "1" })).toBeUndefined();
  });

  it("refuses a missing, malformed or contradictory environment with a message naming the variable", () => {
    expect(refusal(() => auto({}))).toMatch(
      /^--shard auto: no array-job index in the environment: expected JOB_COMPLETION_INDEX .*SLURM_ARRAY_TASK_ID .*AWS_BATCH_JOB_ARRAY_INDEX/,
    );
    expect(refusal(() => auto({ JOB_COMPLETION_INDEX: "1" }))).toMatch(/give --shard-count N/);
    expect(refusal(() => auto({ JOB_COMPLETION_INDEX: "8" }, 8))).toBe(
      "--shard auto: JOB_COMPLETION_INDEX gives task 8 (0-based), but the array has only 8 tasks",
    );
    expect(refusal(() => auto({ SLURM_ARRAY_TASK_ID: "two", SLURM_ARRAY_TASK_COUNT: "2" }))).toBe(
      '--shard auto: SLURM_ARRAY_TASK_ID is "two": expected an integer from 0 to 999999999',
    );
    expect(refusal(() => auto({ SLURM_ARRAY_TASK_ID: "5", SLURM_ARRAY_TASK_MIN: "1", SLURM_ARRAY_TASK_MAX: "5", SLURM_ARRAY_TASK_COUNT: "3" }))).toMatch(
      /ids are not contiguous \(3 tasks from 1 to 5 in steps of 1\)/,
    );
    expect(refusal(() => auto({ AWS_BATCH_JOB_ARRAY_INDEX: "1" }))).toMatch(/AWS_BATCH_JOB_ARRAY_INDEX is set but not how many tasks/);
    expect(refusal(() => auto({ AWS_BATCH_JOB_ARRAY_INDEX: "1", AWS_BATCH_JOB_ARRAY_SIZE: "4" }, 5))).toBe(
      "--shard auto: --shard-count 5 disagrees with the array job's 4 tasks",
    );
    expect(refusal(() => auto({ JOB_COMPLETION_INDEX: "1", SLURM_ARRAY_TASK_ID: "1" }, 2))).toMatch(/both JOB_COMPLETION_INDEX and SLURM_ARRAY_TASK_ID/);
    expect(refusal(() => shardFlag("2/4", 4, parseShard, {}))).toMatch(/--shard-count goes with --shard auto/);
    expect(refusal(() => shardFlag("half", undefined, parseShard, {}))).toBe('--shard expects i/n with 1 ≤ i ≤ n (e.g. 2/4) or auto, found "half"');
  });

  it("sim sweep --shard auto runs the slice a Slurm array task names", async () => {
    vi.stubEnv("SLURM_ARRAY_TASK_ID", "2");
    vi.stubEnv("SLURM_ARRAY_TASK_MIN", "1");
    vi.stubEnv("SLURM_ARRAY_TASK_MAX", "3");
    vi.stubEnv("SLURM_ARRAY_TASK_COUNT", "3");
    const out = join(TMP, "auto");
    const grid = ["scenarios/ci/small.yaml", "--param", "agent.max_connections=2,4", "--seeds", "2", "--strategy", "static,rebalance"];
    const r = await cli("sweep", ...grid, "--jobs", "1", "--shard", "auto", "--out", out);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("(shard 2/3)");
    expect(JSON.parse(readFileSync(join(out, "sweep.json"), "utf8")).shard).toEqual({ index: 2, count: 3 });
    // 8 runs; shard 2 of 3 holds runs 2, 5 and 8.
    expect(readdirSync(join(out, "runs"))).toHaveLength(3);
    vi.unstubAllEnvs();
    const none = await cli("sweep", ...grid, "--shard", "auto", "--out", join(TMP, "none"));
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^--shard auto: no array-job index in the environment/);
  }, 60_000);
});
