// runs.csv of a sweep folder: one row per run in plan order, the swept parameters (named by key path) first,
// then the columns of a run folder's runs.csv with the same formats.

import type { RunMetrics } from "../../sim/metrics/records.ts";
import { csvText, formatInt, formatRatio, formatSeconds, RUNS_COLUMNS } from "../csv.ts";
import { paramCell, type SweepLayout, type SweepRunResult } from "./layout.ts";

/** A metric that the store turned into null (not finite) comes back as NaN. */
function metricValue(m: RunMetrics, key: keyof RunMetrics): number {
  const v = m[key] as unknown;
  return typeof v === "number" ? v : Number.NaN;
}

type RunsColumn = (typeof RUNS_COLUMNS)[number];

/** The cells of runs.csv of a run folder; a Record over the columns, so a new column fails to type-check. */
const RUN_CELLS: Readonly<Record<RunsColumn, (r: SweepRunResult) => string>> = {
  strategy: (r) => r.strategy,
  seed: (r) => String(r.seed),
  completion_s: (r) => formatSeconds(metricValue(r.metrics, "completionS")),
  throughput_bps: (r) => formatInt(metricValue(r.metrics, "throughputBps")),
  t_star_ratio: (r) => formatRatio(metricValue(r.metrics, "tStarRatio")),
  t_g_ratio: (r) => formatRatio(metricValue(r.metrics, "tGRatio")),
  throughput_bound_s: (r) => formatSeconds(metricValue(r.metrics, "throughputBoundS")),
  throughput_bound_ratio: (r) => formatRatio(metricValue(r.metrics, "throughputBoundRatio")),
  mean_block_s: (r) => formatSeconds(metricValue(r.metrics, "meanBlockS")),
  p95_block_s: (r) => formatSeconds(metricValue(r.metrics, "p95BlockS")),
  redundant_bytes: (r) => formatInt(metricValue(r.metrics, "redundantBytes")),
  failed_bytes: (r) => formatInt(metricValue(r.metrics, "failedBytes")),
  origin_bytes: (r) => formatInt(metricValue(r.metrics, "originBytes")),
  rebalances: (r) => formatInt(metricValue(r.metrics, "rebalances")),
  blacklisted: (r) => formatInt(metricValue(r.metrics, "blacklisted")),
  fallbacks: (r) => formatInt(metricValue(r.metrics, "fallbacks")),
  request_timeouts: (r) => formatInt(metricValue(r.metrics, "requestTimeouts")),
  startup_delay_s: (r) => formatSeconds(metricValue(r.metrics, "startupDelayS")),
  stall_count: (r) => formatInt(metricValue(r.metrics, "stallCount")),
  stall_s: (r) => formatSeconds(metricValue(r.metrics, "stallS")),
  rebuffer_ratio: (r) => formatRatio(metricValue(r.metrics, "rebufferRatio")),
  events: (r) => formatInt(metricValue(r.metrics, "events")),
  fingerprint: (r) => r.metrics.fingerprint,
  error: (r) => r.error ?? "",
};

/** runs.csv: one row per run in plan order; the swept parameters (named by key path) come first. */
export function sweepRunsCsv(layout: SweepLayout, results: readonly SweepRunResult[]): string {
  const keys = layout.params.map(([k]) => k);
  const rows = results.map((r) => {
    const values = layout.points[r.point]?.values;
    if (values === undefined) throw new Error(`sweep result names point ${r.point}, not in the plan`);
    return [...keys.map((k) => paramCell(values[k])), ...RUNS_COLUMNS.map((c) => RUN_CELLS[c](r))];
  });
  return csvText([...keys, ...RUNS_COLUMNS], rows);
}
