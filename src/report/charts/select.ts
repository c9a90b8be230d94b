// Choosing and thinning what a chart draws: the report's strategy order, the run drawn for per-run charts
// (one seed of each strategy), µs → s, and deterministic thinning of long series so specs stay small.

import { assert } from "../../assert.ts";
import type { RunResult, SeriesPoint } from "../../sim/metrics/records.ts";
import { orderResults, strategyOrder } from "../order.ts";

/** Runs in report order (scenario strategy order, then seed), and the strategy names in that order. */
export function ordered(
  scenarioStrategies: readonly string[],
  results: readonly RunResult[],
): { runs: RunResult[]; strategies: string[] } {
  return {
    runs: orderResults(scenarioStrategies, results),
    strategies: strategyOrder(scenarioStrategies, results),
  };
}

/** Per strategy, its run with the lowest seed (failed or not), in report order. */
export function firstSeedRuns(
  scenarioStrategies: readonly string[],
  results: readonly RunResult[],
): RunResult[] {
  const { runs } = ordered(scenarioStrategies, results);
  const seen = new Set<string>();
  const out: RunResult[] = [];
  for (const r of runs) {
    if (seen.has(r.strategy)) continue;
    seen.add(r.strategy);
    out.push(r);
  }
  return out;
}

/** Per strategy, its run with `seed` (its lowest seed when it has none), in report order. */
export function seedRuns(
  scenarioStrategies: readonly string[],
  results: readonly RunResult[],
  seed: number,
): RunResult[] {
  const { runs } = ordered(scenarioStrategies, results);
  return firstSeedRuns(scenarioStrategies, results).map(
    (first) => runs.find((r) => r.strategy === first.strategy && r.seed === seed) ?? first,
  );
}

/** Microseconds → seconds. */
export function seconds(us: number): number {
  return us / 1e6;
}

/**
 * At most `max` items of `xs`, evenly spaced by index, always keeping the first and the last (a long step
 * series keeps its shape and its end). Returns `xs` itself when it is short enough.
 */
export function thin<T>(xs: readonly T[], max: number): readonly T[] {
  assert(Number.isInteger(max) && max >= 2, "thin: bad limit {0}", max);
  if (xs.length <= max) return xs;
  const out: T[] = [];
  for (let k = 0; k < max; k++) out.push(xs[Math.round((k * (xs.length - 1)) / (max - 1))]);
  return out;
}

/** The last time a run shows anything (series, blocks, sub-blocks), µs; 0 for an empty run. */
export function runEndUs(r: RunResult): number {
  let end = 0;
  const see = (t: number) => {
    if (Number.isFinite(t) && t > end) end = t;
  };
  for (const p of r.bufferSeries) see(p.timeUs);
  for (const p of r.peersOnlineSeries) see(p.timeUs);
  for (const b of r.blocks) see(b.endUs);
  for (const s of r.subBlocks) see(s.endUs);
  for (const [a, b] of r.stalls) {
    see(a);
    see(b);
  }
  if (Number.isFinite(r.metrics.completionS)) see(Math.round(r.metrics.completionS * 1e6));
  return end;
}

/** True when a series takes more than one value. */
export function changes(series: readonly SeriesPoint[]): boolean {
  return series.some((p) => p.value !== series[0].value);
}
