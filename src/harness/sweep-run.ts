// Executes a sweep plan: skips runs already in the store (resume), runs the rest in a worker pool (or in this
// thread with jobs = 1), stores each result atomically the moment it is done, and returns every result of the
// plan (or of its shard) in plan order, so outputs are identical whatever --jobs is.

import { createPool } from "./pool.ts";
import { type StrategyModule, strategyFactory } from "./strategy-module.ts";
import {
  executeRun,
  type PlanOptions,
  planSweep,
  readStored,
  type SweepPlan,
  type SweepRunResult,
  type SweepRunSpec,
  shardRuns,
  writeStored,
} from "./sweep.ts";

export interface SweepOptions {
  readonly file: string;
  readonly plan?: PlanOptions;
  readonly jobs: number;
  readonly outDir: string;
  readonly shard?: { readonly index: number; readonly count: number };
  readonly onProgress?: (done: number, failed: number, total: number) => void;
  /** A user's strategies (loadStrategyModule); worker threads load the same file by its path. */
  readonly strategyModule?: StrategyModule;
}

export interface SweepOutcome {
  readonly plan: SweepPlan;
  /** Results of the runs this invocation covers (the shard, or the whole grid), in plan order. */
  readonly results: readonly SweepRunResult[];
  /** How many came from the store of an earlier, interrupted invocation. */
  readonly reused: number;
  readonly failures: readonly string[];
}

export async function runSweep(opts: SweepOptions): Promise<SweepOutcome> {
  const module = opts.strategyModule;
  const planOptions: PlanOptions = {
    ...(opts.plan ?? {}),
    ...(module !== undefined ? { strategyModule: { names: module.entries.map((e) => e.name), sha256: module.sha256 } } : {}),
  };
  const plan = planSweep(opts.file, planOptions);
  const factory = module !== undefined ? strategyFactory(module.entries) : undefined;
  const specs = opts.shard !== undefined ? shardRuns(plan.runs, opts.shard) : [...plan.runs];
  const byKey = new Map<string, SweepRunResult>();
  const todo: SweepRunSpec[] = [];
  for (const spec of specs) {
    const stored = readStored(opts.outDir, spec.key);
    if (stored !== null) byKey.set(spec.key, stored);
    else todo.push(spec);
  }
  const reused = byKey.size;
  let done = reused;
  let failed = [...byKey.values()].filter((r) => r.error !== null).length;
  const finish = (spec: SweepRunSpec, r: SweepRunResult) => {
    writeStored(opts.outDir, spec.key, r);
    byKey.set(spec.key, r);
    if (r.error !== null) failed++;
    opts.onProgress?.(++done, failed, specs.length);
  };
  opts.onProgress?.(done, failed, specs.length);
  if (opts.jobs <= 1 || todo.length <= 1) {
    for (const spec of todo) finish(spec, executeRun(plan.points[spec.point].loaded, spec, factory));
  } else {
    const pool = createPool(Math.min(opts.jobs, todo.length));
    try {
      await Promise.all(
        todo.map((spec) =>
          pool
            .run({ file: opts.file, planOptions, spec, ...(module !== undefined ? { strategyModule: module.file } : {}) })
            .then((r) => finish(spec, r)),
        ),
      );
    } finally {
      await pool.destroy();
    }
  }
  const results = specs.map((s) => byKey.get(s.key)!);
  const failures = results
    .filter((r) => r.error !== null)
    .map((r) => `point ${r.point} ${r.strategy} seed ${r.seed}: ${r.error}`);
  return { plan, results, reused, failures };
}
