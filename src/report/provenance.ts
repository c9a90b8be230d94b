// What really ran, for the outputs that describe a run folder: the scenario with the command line's overrides
// applied (--strategy, --seed, --seeds replace the file's strategies, seed and seeds), and the one-line summary
// of strategies and seeds that summary.md and index.html show under the title, and the user's strategy module
// they came from, if any.

import type { Scenario } from "../scenario/schema.ts";
import type { RunResult } from "../sim/metrics/records.ts";
import { strategyOrder } from "./order.ts";

/**
 * The scenario as run: strategies in run order, `seed` the first seed, `seeds` how many. Seeds that are not
 * consecutive cannot be written as seed + seeds: `seed` is then the smallest and `seeds` the count, and the
 * exact list is in summary.json's per-strategy `seeds` (and in the provenance line).
 */
export function scenarioAsRun(scenario: Scenario, strategies: readonly string[], seeds: readonly number[]): Scenario {
  if (strategies.length === 0 || seeds.length === 0) return scenario;
  return { ...scenario, strategies: [...strategies], seed: Math.min(...seeds), seeds: seeds.length };
}

/** "1–6" for consecutive seeds, "4" for one, else the list: "1, 5, 9". */
export function seedsText(seeds: readonly number[]): string {
  const xs = [...new Set(seeds)].sort((a, b) => a - b);
  if (xs.length === 0) return "none";
  if (xs.length === 1) return String(xs[0]);
  const consecutive = xs.every((x, i) => i === 0 || x === xs[i - 1] + 1);
  return consecutive ? `${xs[0]}–${xs[xs.length - 1]}` : xs.join(", ");
}

/** "Strategies: a, b; seeds: 1–6 (6 per strategy)." from the runs themselves (the scenario's when none ran). */
export function provenanceLine(scenario: Scenario, results: readonly RunResult[]): string {
  if (results.length === 0) {
    return `Strategies: ${scenario.strategies.join(", ")}; seeds: ${scenario.seeds} (from ${scenario.seed}).`;
  }
  const seeds = [...new Set(results.map((r) => r.seed))];
  return `Strategies: ${strategyOrder(scenario.strategies, results).join(", ")}; seeds: ${seedsText(seeds)} (${seeds.length} per strategy).`;
}

/** What summary.json records of a user's strategy module (--strategy-module): the file, its sha256, its strategies. */
export interface StrategyModuleInfo {
  readonly file: string;
  readonly sha256: string;
  readonly strategies: readonly string[];
}

/** The note summary.md and index.html carry when strategies came from a user's file. */
export function strategyModuleNote(m: StrategyModuleInfo): string {
  return `${m.strategies.join(", ")}: from --strategy-module ${m.file} (sha256 ${m.sha256.slice(0, 12)}…)`;
}
