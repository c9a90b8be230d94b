// runs.csv of a sweep folder: one row per run in plan order, the swept parameters (named by key path) first,
// then the columns of a run folder's runs.csv (src/report/csv.ts) with the same formats.

import { assert } from "../../assert.ts";
import { RUN_METRICS } from "../../metrics/registry.ts";
import type { RunMetrics } from "../../sim/metrics/records.ts";
import { csvText, FORMATS, RUNS_COLUMNS } from "../csv.ts";
import { paramCell, type SweepLayout, type SweepRunResult } from "./layout.ts";

/** The runs.csv cells of a stored run's metrics: a value the store turned into null (not finite) is NaN, "". */
function storedMetricCells(m: RunMetrics): string[] {
  return RUN_METRICS.map((spec) => {
    const v = m[spec.field] as unknown;
    return FORMATS[spec.format](typeof v === "number" ? v : Number.NaN);
  });
}

/** runs.csv: one row per run in plan order; the swept parameters (named by key path) come first. */
export function sweepRunsCsv(layout: SweepLayout, results: readonly SweepRunResult[]): string {
  const keys = layout.params.map(([k]) => k);
  const rows = results.map((r) => {
    const values = layout.points[r.point]?.values;
    assert(values !== undefined, "sweep result names point {0}, not in the plan", r.point);
    return [
      ...keys.map((k) => paramCell(values[k])),
      r.strategy,
      String(r.seed),
      ...storedMetricCells(r.metrics),
      r.metrics.fingerprint,
      r.error ?? "",
    ];
  });
  return csvText([...keys, ...RUNS_COLUMNS], rows);
}
