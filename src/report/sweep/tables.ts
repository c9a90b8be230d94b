// The tables of a sweep's summary.md and index.html: one per headline metric, a row per parameter point, a
// column per strategy with its mean [95% interval], then a column per other strategy with its paired
// difference to the reference.

import { metricLabel } from "../charts/labels.ts";
import { diffCell, meanCell, type ReportTable } from "../charts/tables.ts";
import { SUMMARY_METRICS, type SummaryMetric } from "../../metrics/registry.ts";
import { paramCell, type SweepLayout } from "./layout.ts";
import type { SweepSummary } from "./summary.ts";

/** A metric's name as a table title: bytes are shown in MB. */
export function displayName(metric: SummaryMetric): string {
  return metric.endsWith("_bytes") ? `${metric.slice(0, -"_bytes".length)}_MB` : metric;
}

/**
 * One table per metric: a row per parameter point, a column per strategy with its mean [95% interval], then
 * a column per other strategy with its paired difference to the reference (relative) [95% interval].
 */
export function sweepTables(summary: SweepSummary, layout: SweepLayout): ReportTable[] {
  const keys = layout.params.map(([k]) => k);
  const ref = summary.reference;
  const others = layout.strategies.filter((s) => s !== ref);
  return SUMMARY_METRICS.map((metric): ReportTable => {
    const f = metricLabel(metric).factor;
    const columns = [
      ...(keys.length === 0 ? ["point"] : keys),
      ...layout.strategies,
      ...(ref === null ? [] : others.map((s) => `${s} − ${ref}`)),
    ];
    const rows = summary.points.map((p) => {
      const byName = new Map(p.strategies.map((s) => [s.name, s]));
      return [
        ...(keys.length === 0 ? [String(p.point)] : keys.map((k) => paramCell(p.values[k]))),
        ...layout.strategies.map((s) => meanCell(byName.get(s)?.metrics[metric] ?? null, f)),
        ...(ref === null ? [] : others.map((s) => diffCell(byName.get(s)?.vs_reference?.[metric] ?? null, f))),
      ];
    });
    return {
      title: displayName(metric),
      caption:
        ref === null
          ? "mean [bootstrap 95% interval] over seeds"
          : `mean [bootstrap 95% interval] over seeds; strategy − ${ref}: paired by seed, mean difference (relative) [95% interval]`,
      columns,
      rows,
    };
  });
}
