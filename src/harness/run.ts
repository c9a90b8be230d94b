// Runs one (scenario, strategy, seed): builds the simulated world, plugs the real agent into it, returns the
// RunResult. STUB: the signature is the contract; the body lands with the world.

import type { LoadedScenario } from "../scenario/load.ts";
import type { EventLog } from "../sim/kernel/kernel.ts";
import type { RunResult } from "../sim/metrics/records.ts";

export interface RunOptions {
  readonly strategy: string;
  readonly seed: number;
  /** Keep the processed-event log (for --check-determinism and --trace). */
  readonly recordEvents?: boolean;
}

export interface RunOutput {
  readonly result: RunResult;
  /** Present with recordEvents: the processed events and a name for each kind id. */
  readonly eventLog?: EventLog;
  readonly kindNames?: readonly string[];
}

export function runOne(_loaded: LoadedScenario, _opts: RunOptions): RunOutput {
  throw new Error("runOne: not implemented yet");
}
