// Runs one (scenario, strategy, seed): builds the simulated world, plugs the real agent into it, returns the
// RunResult. A run that fails inside the simulation (strategy error, livelock guard, time limit, broken
// invariant) returns a result with `error` set; only bugs of the tool itself throw.

import type { Strategy } from "../agent/strategy.ts";
import type { LoadedScenario } from "../scenario/load.ts";
import type { EventLog } from "../sim/kernel/kernel.ts";
import type { RunResult } from "../sim/metrics/records.ts";
import { World } from "../sim/world/world.ts";

export interface RunOptions {
  readonly strategy: string;
  readonly seed: number;
  /** Keep the processed-event log (for --check-determinism and --trace). */
  readonly recordEvents?: boolean;
  /** Builds the strategy; defaults to the agent's registry (for strategies defined in users' own code). */
  readonly strategyFactory?: (name: string) => Strategy;
}

export interface RunOutput {
  readonly result: RunResult;
  /** Present with recordEvents: the processed events and a name for each kind id. */
  readonly eventLog?: EventLog;
  readonly kindNames?: readonly string[];
}

export function runOne(loaded: LoadedScenario, opts: RunOptions): RunOutput {
  const world = new World(loaded, opts);
  const result = world.run(() => performance.now());
  const log = world.kernel.log;
  if (log === null) return { result };
  const kindNames: string[] = [];
  for (let k = 0; ; k++) {
    const name = world.kernel.kindName(k);
    if (name.startsWith("kind#")) break;
    kindNames.push(name);
  }
  return { result, eventLog: log, kindNames };
}
