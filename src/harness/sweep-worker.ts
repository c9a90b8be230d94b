// Worker-thread entry of the sweep pool: loads (and caches) the scenario of a sweep point and runs one spec.
// Each worker computes exactly what the main thread would: results do not depend on which worker ran them.

import type { Strategy } from "../agent/strategy.ts";
import { loadStrategyModule, strategyFactory } from "./strategy-module.ts";
import { planSweep, type PlanOptions, type SweepRunResult, type SweepRunSpec, executeRun } from "./sweep.ts";

export interface WorkerTask {
  readonly file: string;
  readonly planOptions: PlanOptions;
  readonly spec: SweepRunSpec;
  /** Path of the --strategy-module file, loaded (once) in this worker too. */
  readonly strategyModule?: string;
}

const factories = new Map<string, Promise<(name: string) => Strategy>>();

const plans = new Map<string, ReturnType<typeof planSweep>>();

export default async function run(task: WorkerTask): Promise<SweepRunResult> {
  const cacheKey = JSON.stringify([task.file, task.planOptions]);
  let plan = plans.get(cacheKey);
  if (plan === undefined) {
    plan = planSweep(task.file, task.planOptions);
    plans.set(cacheKey, plan);
  }
  let factory: ((name: string) => Strategy) | undefined;
  if (task.strategyModule !== undefined) {
    let p = factories.get(task.strategyModule);
    if (p === undefined) {
      const expected = task.planOptions.strategyModule?.sha256;
      p = loadStrategyModule(task.strategyModule).then((m) => {
        // Results are stored under the hash the main thread read: a file edited since must not run under it.
        if (m.sha256 !== expected) throw new Error(`${task.strategyModule} changed while the sweep ran`);
        return strategyFactory(m.entries);
      });
      factories.set(task.strategyModule, p);
    }
    factory = await p;
  }
  return executeRun(plan.points[task.spec.point].loaded, task.spec, factory);
}
