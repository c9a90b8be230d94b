// Worker-thread entry of the sweep pool: runs one spec on the resolved scenario of its point, which the main
// thread sends with the task (a worker never reads the scenario file: the file may have changed since the
// sweep planned its runs). The worker checks that the scenario it got hashes to the spec's run key, so a result
// is never stored under the key of another scenario. Each worker computes exactly what the main thread would.

import type { LoadedScenario } from "../scenario/load.ts";
import { executeRun, runKey, type SweepRunResult, type SweepRunSpec } from "./sweep.ts";

export interface WorkerTask {
  /** The resolved scenario of the spec's point (traces included). */
  readonly loaded: LoadedScenario;
  readonly spec: SweepRunSpec;
  /** Wall-clock budget of the run (seconds); default the scenario's `limits.wall_s`. */
  readonly wallS?: number;
}

export default function run(task: WorkerTask): SweepRunResult {
  const key = runKey(task.loaded, task.spec.strategy, task.spec.seed);
  if (key !== task.spec.key) {
    throw new Error(`sweep worker: the scenario sent for run ${task.spec.key} hashes to ${key}`);
  }
  return executeRun(task.loaded, task.spec, task.wallS);
}
