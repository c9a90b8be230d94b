// The one order every output lists runs in: strategies in the scenario's order (strategies the scenario
// does not name follow, in order of first appearance), then seeds ascending. CSVs, summary.json and the
// comparison table all use it, so they agree row for row.

import type { RunResult } from "../sim/metrics/records.ts";

/** Strategy names: the scenario's list first, then any other strategy met in `results`, each once. */
export function strategyOrder(
  scenarioStrategies: readonly string[],
  results: readonly RunResult[],
): string[] {
  const order = new Set<string>();
  for (const s of scenarioStrategies) if (results.some((r) => r.strategy === s)) order.add(s);
  for (const r of results) order.add(r.strategy);
  return [...order];
}

/** `results` sorted by strategy order, then seed; a stable sort, so duplicates keep their given order. */
export function orderResults(
  scenarioStrategies: readonly string[],
  results: readonly RunResult[],
): RunResult[] {
  const rank = new Map(strategyOrder(scenarioStrategies, results).map((s, i) => [s, i]));
  return [...results].sort(
    (a, b) => (rank.get(a.strategy) as number) - (rank.get(b.strategy) as number) || a.seed - b.seed,
  );
}
