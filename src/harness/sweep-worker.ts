// Worker-thread entry of the sweep pool: loads (and caches) the scenario of a sweep point and runs one spec.
// Each worker computes exactly what the main thread would: results do not depend on which worker ran them.

import { planSweep, type PlanOptions, type SweepRunResult, type SweepRunSpec, executeRun } from "./sweep.ts";

export interface WorkerTask {
  readonly file: string;
  readonly planOptions: PlanOptions;
  readonly spec: SweepRunSpec;
}

const plans = new Map<string, ReturnType<typeof planSweep>>();

export default function run(task: WorkerTask): SweepRunResult {
  const cacheKey = JSON.stringify([task.file, task.planOptions]);
  let plan = plans.get(cacheKey);
  if (plan === undefined) {
    plan = planSweep(task.file, task.planOptions);
    plans.set(cacheKey, plan);
  }
  return executeRun(plan.points[task.spec.point].loaded, task.spec);
}
