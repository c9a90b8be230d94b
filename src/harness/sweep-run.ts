// Executes a sweep plan: claims the output folder (src/files/output-folder.ts), reuses the runs already in its
// store (resume; an entry that is corrupt, belongs to another run or was stopped by the wall-clock budget is run
// again), runs the rest in a pool of worker threads with a watchdog (pool.ts), stores each result atomically
// the moment it is done, then writes the folder's outputs (folders/sweep-folder.ts) and returns every result of
// the plan (or of its shard) in plan order, so outputs are identical whatever --jobs is. A run that fails in any
// way (strategy error, budget, a worker that died) is a failed result with its reason; it never ends the sweep.

import { checkOutputFolder, claimOutputFolder, FileStager, folderError } from "../files/output-folder.ts";
import { writeSweepFolder } from "./folders/sweep-folder.ts";
import { createPool } from "./pool.ts";
import type { StrategyEntry } from "../agent/strategy.ts";
import { emptyMetrics, wallBudgetS } from "./run.ts";
import { type StrategyModule, strategyFactory, strategyList } from "./strategy-module.ts";
import {
  executeRun,
  type PlanOptions,
  planSweep,
  readStored,
  type ScenarioSource,
  stoppedByBudget,
  type SweepPlan,
  type SweepRunResult,
  type SweepRunSpec,
  shardRuns,
  writeStored,
} from "./sweep.ts";

export interface SweepOptions {
  /** The scenario file (read once), or the scenario as the caller already read it. */
  readonly file: string | ScenarioSource;
  /**
   * The grid; `strategies` may hold StrategyEntry objects beside names: they run, and appear in runs.csv, the
   * summaries and the charts, as a shipped strategy does (in this thread, after the pool's runs: code cannot be
   * sent to a worker; and never reused from the store on resume, since code cannot be hashed).
   */
  readonly plan?: Omit<PlanOptions, "strategies" | "strategyModule" | "codeStrategies"> & {
    readonly strategies?: readonly (string | StrategyEntry)[];
  };
  /** Strategies defined in code, runnable by name (in `plan.strategies` or the scenario's) beside the built-in ones. */
  readonly extraStrategies?: readonly StrategyEntry[];
  readonly jobs: number;
  readonly outDir: string;
  readonly shard?: { readonly index: number; readonly count: number };
  /**
   * Render the sweep charts and index.html beside sweep.json, runs.csv, summary.json and summary.md; default
   * false (`sim sweep` renders them unless --no-report, never for a shard).
   */
  readonly report?: boolean;
  /** Wall-clock budget per run (seconds); default each scenario's `limits.wall_s`. */
  readonly wallS?: number;
  /** Write into a folder that is not a sim output folder (--force-into). */
  readonly forceInto?: boolean;
  /** Pool settings (tests). */
  readonly pool?: { readonly filename?: string; readonly graceMs?: number };
  readonly onProgress?: (done: number, failed: number, total: number) => void;
  /** A user's strategies (loadStrategyModule); worker threads load the same file by its path, checking its hash. */
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
  const moduleNames = module?.entries.map((e) => e.name) ?? [];
  const { strategies: listed, ...grid } = opts.plan ?? {};
  const code = strategyList(listed ?? [], opts.extraStrategies, moduleNames);
  const planOptions: PlanOptions = {
    ...grid,
    ...(listed !== undefined ? { strategies: code.names } : {}),
    ...(module !== undefined ? { strategyModule: { names: moduleNames, sha256: module.sha256 } } : {}),
    ...(code.entries.length > 0 ? { codeStrategies: code.entries.map((e) => e.name) } : {}),
  };
  const plan = planSweep(opts.file, planOptions);
  const specs = opts.shard !== undefined ? shardRuns(plan.runs, opts.shard) : [...plan.runs];
  const inCode = new Set(code.entries.map((e) => e.name));
  checkOutputFolder(opts.outDir, { forceInto: opts.forceInto });
  claimOutputFolder(opts.outDir, { kind: "sweep", forceInto: opts.forceInto });
  const byKey = new Map<string, SweepRunResult>();
  const todo: SweepRunSpec[] = [];
  for (const spec of specs) {
    const stored = inCode.has(spec.strategy) ? null : readStored(opts.outDir, spec);
    if (stored !== null && !stoppedByBudget(stored)) byKey.set(spec.key, stored);
    else todo.push(spec);
  }
  const reused = byKey.size;
  let done = reused;
  let failed = [...byKey.values()].filter((r) => r.error !== null).length;
  const stager = new FileStager(opts.outDir);
  const finish = (spec: SweepRunSpec, r: SweepRunResult) => {
    try {
      writeStored(stager, spec.key, r);
    } catch (error) {
      throw folderError(opts.outDir, error);
    }
    byKey.set(spec.key, r);
    if (r.error !== null) failed++;
    opts.onProgress?.(++done, failed, specs.length);
  };
  opts.onProgress?.(done, failed, specs.length);
  try {
    const pooled = todo.filter((spec) => !inCode.has(spec.strategy));
    if (pooled.length > 0) await runInPool(plan, pooled, opts, finish);
    const factory = strategyFactory(code.entries);
    for (const spec of todo) {
      if (inCode.has(spec.strategy)) finish(spec, executeRun(plan.points[spec.point].loaded, spec, factory, opts.wallS));
    }
  } finally {
    stager.close();
  }
  const results = specs.map((s) => byKey.get(s.key)!);
  await writeSweepFolder({
    outDir: opts.outDir,
    file: plan.file,
    scenario: plan.base.scenario,
    layout: plan,
    results,
    shard: opts.shard,
    report: opts.report ?? false,
    forceInto: opts.forceInto,
  });
  const failures = results
    .filter((r) => r.error !== null)
    .map((r) => `point ${r.point} ${r.strategy} seed ${r.seed}: ${r.error}`);
  return { plan, results, reused, failures };
}

/**
 * Runs `todo` with at most `jobs` tasks in flight, each started the moment a worker is free (so the watchdog's
 * clock measures the run, not its wait in a queue).
 */
async function runInPool(
  plan: SweepPlan,
  todo: readonly SweepRunSpec[],
  opts: SweepOptions,
  finish: (spec: SweepRunSpec, r: SweepRunResult) => void,
): Promise<void> {
  const jobs = Math.max(1, Math.min(opts.jobs, todo.length));
  const pool = createPool(jobs, opts.pool);
  let next = 0;
  const lane = async () => {
    while (next < todo.length) {
      const spec = todo[next++];
      const loaded = plan.points[spec.point].loaded;
      const budgetS = wallBudgetS(loaded, opts.wallS);
      const module = opts.strategyModule;
      const task = {
        loaded,
        spec,
        wallS: opts.wallS,
        ...(module !== undefined ? { strategyModule: { file: module.file, sha256: module.sha256 } } : {}),
      };
      const outcome = await pool.run(task, budgetS);
      finish(
        spec,
        outcome.ok
          ? outcome.result
          : { point: spec.point, strategy: spec.strategy, seed: spec.seed, error: outcome.reason, metrics: emptyMetrics() },
      );
    }
  };
  try {
    await Promise.all(Array.from({ length: jobs }, lane));
  } finally {
    await pool.destroy();
  }
}
