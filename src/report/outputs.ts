// The files of a run folder, built in memory: name → text, for writeOutputDir to write atomically once
// every run finished. Runs are listed in the scenario's strategy order, then seed, in every file.

import type { LoadedScenario } from "../scenario/load.ts";
import type { RunResult } from "../sim/metrics/records.ts";
import { blocksCsv, runsCsv, seriesCsv, subBlocksCsv } from "./csv.ts";
import type { StrategyModuleInfo } from "./provenance.ts";
import { orderResults } from "./order.ts";
import { buildSummary, summaryJson } from "./summary.ts";
import { agentsCsv, swarmSeriesPoints } from "./swarm-csv.ts";

/** File names of a run folder. */
export const OUTPUT_FILES = {
  runs: "runs.csv",
  blocks: "blocks.csv",
  subBlocks: "subblocks.csv",
  series: "series.csv",
  agents: "agents.csv",
  summary: "summary.json",
  events: "events.jsonl",
} as const;

export interface RunOutputsOptions {
  /** Text of events.jsonl (one JSON object per line); the file is written only when given. */
  readonly events?: string;
  /** Reference strategy of the paired differences in summary.json; default "static". */
  readonly reference?: string;
  /** The user's strategy module that provided strategies, recorded in summary.json. */
  readonly strategyModule?: StrategyModuleInfo;
}

export function buildRunOutputs(
  loaded: LoadedScenario,
  results: readonly RunResult[],
  options: RunOutputsOptions = {},
): Map<string, string> {
  const sorted = orderResults(loaded.scenario.strategies, results);
  const files = new Map<string, string>([
    [OUTPUT_FILES.runs, runsCsv(sorted)],
    [OUTPUT_FILES.blocks, blocksCsv(sorted)],
    [OUTPUT_FILES.subBlocks, subBlocksCsv(sorted)],
    [OUTPUT_FILES.series, seriesCsv(sorted, swarmSeriesPoints)],
    [
      OUTPUT_FILES.summary,
      summaryJson(
        buildSummary(loaded.scenario, sorted, { reference: options.reference, strategyModule: options.strategyModule }),
      ),
    ],
  ]);
  const agents = agentsCsv(sorted);
  if (agents !== null) files.set(OUTPUT_FILES.agents, agents);
  if (options.events !== undefined) files.set(OUTPUT_FILES.events, options.events);
  return files;
}
