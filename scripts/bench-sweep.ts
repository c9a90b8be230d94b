// Sweep parallelism benchmark: the same sweep (≥ 40 runs) with --jobs 1 and --jobs 2, each into a fresh folder
// (no resume), wall time of runSweep including worker start-up; prints the speed-up (target ≥ 1.8× on a machine
// with at least 2 cores) and the start-up cost of an idle pool (tsx registration + module loading per worker),
// the part that does not shrink with more jobs. Figures are printed, never asserted.
// Usage: npx tsx scripts/bench-sweep.ts [scenario.yaml] [--seeds N]

import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { createPool } from "../src/harness/pool.ts";
import { runSweep } from "../src/harness/sweep-run.ts";

const args = process.argv.slice(2);
const file = args.find((a) => a.endsWith(".yaml")) ?? "scripts/bench/a.yaml";
const seedsAt = args.indexOf("--seeds");
const seedCount = seedsAt >= 0 ? Number(args[seedsAt + 1]) : 12;
/**
 * Benchmark A's scenario (50 peers, static) cut to 500 blocks so a run costs ~0.2 s: 4 points × 12 seeds = 48
 * runs. Runs must cost far more than a worker's start-up for the pool to pay off.
 */
const plan = {
  params: [
    ["agent.max_connections", [20, 30, 40, 50]],
    ["content.size_bytes", [1_638_400_000]],
  ] as const,
  seeds: Array.from({ length: seedCount }, (_, i) => 1 + i),
};

async function timeSweep(jobs: number): Promise<{ ms: number; runs: number; failed: number }> {
  const out = mkdtempSync(join(tmpdir(), `bench-sweep-j${jobs}-`));
  try {
    const t0 = performance.now();
    const r = await runSweep({ file, plan: { params: plan.params.map(([k, v]) => [k, [...v]]), seeds: plan.seeds }, jobs, outDir: out });
    return { ms: performance.now() - t0, runs: r.results.length, failed: r.failures.length };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** Time until `jobs` workers have each loaded the worker module (one trivial task per worker). */
async function poolStartMs(jobs: number): Promise<number> {
  const t0 = performance.now();
  const pool = createPool(jobs);
  // A task with an unknown point fails inside the worker after the module loaded; that is all we wait for.
  const bad = { file, planOptions: { params: [], seeds: [1] }, spec: { point: 99, strategy: "static", seed: 1, key: "x" } };
  await Promise.all(Array.from({ length: jobs }, () => pool.run(bad).catch(() => undefined)));
  const ms = performance.now() - t0;
  await pool.destroy();
  return ms;
}

console.log(`scenario ${file}, ${availableParallelism()} cores`);
// Warm-up: module loading of the main thread must not count against --jobs 1.
await timeSweep(1);
const one = await timeSweep(1);
const two = await timeSweep(2);
const start = await poolStartMs(2);
console.log(`jobs 1: ${one.runs} runs (${one.failed} failed) in ${(one.ms / 1000).toFixed(2)} s (${(one.ms / one.runs).toFixed(1)} ms/run)`);
console.log(`jobs 2: ${two.runs} runs (${two.failed} failed) in ${(two.ms / 1000).toFixed(2)} s`);
console.log(`pool start-up (2 workers, tsx + modules): ${start.toFixed(0)} ms`);
const speedUp = one.ms / two.ms;
const ideal = one.ms / (one.ms / 2 + start);
console.log(`speed-up ${speedUp.toFixed(2)}× (target ≥ 1.8×; with this start-up the best possible is ≈ ${ideal.toFixed(2)}×)`);
