// summary.json of a sweep folder: per parameter point and strategy, the aggregates over seeds of the headline
// metrics and the paired differences to the reference strategy, computed exactly as a run folder's
// (src/report/summary.ts).

import type { Scenario } from "../../scenario/schema.ts";
import type { RunMetrics, RunResult } from "../../sim/metrics/records.ts";
import { TOOL_NAME, TOOL_VERSION } from "../../version.ts";
import { SUMMARY_METRICS, type SummaryMetric } from "../../metrics/registry.ts";
import { buildSummary, resolveReference, type StrategySummary } from "../summary.ts";
import type { ParamValue, SweepLayout, SweepRunResult } from "./layout.ts";

/** One parameter point of summary.json. */
export interface SweepPointSummary {
  readonly point: number;
  readonly values: Readonly<Record<string, ParamValue>>;
  /** Strategies with at least one run at this point, in plan order (see src/report/summary.ts). */
  readonly strategies: readonly StrategySummary[];
}

export interface SweepSummary {
  readonly tool: { readonly name: string; readonly version: string };
  readonly name: string;
  readonly params: readonly (readonly [string, readonly ParamValue[]])[];
  /** The strategy paired differences are taken against: `static` when swept, else the first strategy. */
  readonly reference: string | null;
  readonly metrics: readonly SummaryMetric[];
  readonly points: readonly SweepPointSummary[];
}

/** What buildSummary reads of a run: strategy, seed, error, metrics (the record arrays stay empty). */
function asRunResult(name: string, r: SweepRunResult): RunResult {
  const metrics = Object.fromEntries(
    Object.entries(r.metrics).map(([k, v]) => [k, v === null ? Number.NaN : v]),
  ) as unknown as RunMetrics;
  return {
    scenario: name,
    strategy: r.strategy,
    seed: r.seed,
    error: r.error,
    metrics,
    blocks: [],
    subBlocks: [],
    rebalances: [],
    bufferSeries: [],
    stalls: [],
    peersOnlineSeries: [],
    wall: { simMs: 0 },
  };
}

export function buildSweepSummary(
  scenario: Scenario,
  layout: SweepLayout,
  results: readonly SweepRunResult[],
): SweepSummary {
  const reference = resolveReference(layout.strategies);
  const byPoint = new Map<number, RunResult[]>();
  for (const r of results) {
    const list = byPoint.get(r.point) ?? [];
    list.push(asRunResult(layout.name, r));
    byPoint.set(r.point, list);
  }
  const pointScenario = { ...scenario, strategies: [...layout.strategies] };
  const points: SweepPointSummary[] = [];
  for (const p of layout.points) {
    const runs = byPoint.get(p.index);
    if (runs === undefined) continue; // a shard that covers no run of this point
    const s = buildSummary(pointScenario, runs, { reference: reference ?? undefined });
    points.push({ point: p.index, values: p.values, strategies: s.strategies });
  }
  return {
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    name: layout.name,
    params: layout.params,
    reference,
    metrics: SUMMARY_METRICS,
    points,
  };
}

export function sweepSummaryJson(s: SweepSummary): string {
  return `${JSON.stringify(s, null, 2)}\n`;
}
