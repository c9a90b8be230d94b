// Worker-thread entry of the sweep pool: runs one spec on the resolved scenario of its point, which the main
// thread sends with the task (a worker never reads the scenario file: the file may have changed since the
// sweep planned its runs). A --strategy-module is code, which cannot be sent: the worker loads it by its path
// (once) and refuses it unless its hash is the one the main thread planned with. The worker checks that what
// it got hashes to the spec's run key, so a result is never stored under the key of another scenario or
// module. Each worker computes exactly what the main thread would: results do not depend on which worker ran.

import type { Strategy } from "../agent/strategy.ts";
import { assert } from "../assert.ts";
import type { LoadedScenario } from "../scenario/load.ts";
import { loadStrategyModule, strategyFactory } from "./strategy-module.ts";
import { executeRun, runKey, type SweepRunResult, type SweepRunSpec } from "./sweep.ts";

export interface WorkerTask {
  /** The resolved scenario of the spec's point (traces included). */
  readonly loaded: LoadedScenario;
  readonly spec: SweepRunSpec;
  /** Wall-clock budget of the run (seconds); default the scenario's `limits.wall_s`. */
  readonly wallS?: number;
  /** The --strategy-module file and the sha256 the sweep planned with (its strategies' keys include it). */
  readonly strategyModule?: { readonly file: string; readonly sha256: string };
}

interface LoadedModule {
  readonly names: readonly string[];
  readonly factory: (name: string) => Strategy;
}

const modules = new Map<string, Promise<LoadedModule>>();

function loadModule(file: string, sha256: string): Promise<LoadedModule> {
  let p = modules.get(file);
  if (p === undefined) {
    p = loadStrategyModule(file).then((m) => {
      // Results are stored under the hash the main thread read: a file edited since must not run under it.
      if (m.sha256 !== sha256) throw new Error(`${file} changed while the sweep ran`);
      return { names: m.entries.map((e) => e.name), factory: strategyFactory(m.entries) };
    });
    modules.set(file, p);
  }
  return p;
}

export default async function run(task: WorkerTask): Promise<SweepRunResult> {
  const { loaded, spec } = task;
  const module = task.strategyModule !== undefined ? await loadModule(task.strategyModule.file, task.strategyModule.sha256) : undefined;
  const moduleSha256 = module?.names.includes(spec.strategy) === true ? task.strategyModule?.sha256 : undefined;
  const key = runKey(loaded, spec.strategy, spec.seed, moduleSha256);
  assert(key === spec.key, "sweep worker: the scenario sent for run {0} hashes to {1}", spec.key, key);
  return executeRun(loaded, spec, module?.factory, task.wallS);
}
