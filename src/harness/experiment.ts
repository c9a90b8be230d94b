// Runs every (strategy, seed) of a scenario, checks determinism on request, writes the outputs, and returns
// what the CLI prints. STUB: the signature is the contract; the body lands with the world.

import type { LoadedScenario } from "../scenario/load.ts";
import type { RunResult } from "../sim/metrics/records.ts";

export interface ExperimentOptions {
  readonly strategies: readonly string[];
  readonly seeds: readonly number[];
  /** Output folder; created (atomically per file) only after every run finished. */
  readonly outDir: string;
  /** Write events.jsonl. */
  readonly trace: boolean;
  /** Run everything twice and compare event logs. */
  readonly checkDeterminism: boolean;
  /** Render charts, index.html and summary.md after the CSVs. */
  readonly report: boolean;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface ExperimentOutcome {
  readonly results: readonly RunResult[];
  /** The comparison table (one row per strategy), ready to print. */
  readonly table: string;
  /** Set when --check-determinism found a difference: names the run and the first differing event. */
  readonly determinismFailure: string | null;
  /** Runs that ended with an error, as "strategy seed: reason". */
  readonly failures: readonly string[];
}

export async function runExperiment(_loaded: LoadedScenario, _opts: ExperimentOptions): Promise<ExperimentOutcome> {
  throw new Error("runExperiment: not implemented yet");
}
