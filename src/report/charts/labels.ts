// Human titles with units for the metrics charts and tables show, and how a metric's raw value is scaled for
// display (bytes are drawn in MB = 10⁶ bytes): a run metric's come from the metric registry
// (src/metrics/registry.ts); other names get a title from their unit suffix.

import { findMetric } from "../../metrics/registry.ts";

export interface MetricLabel {
  /** Axis title, unit in brackets. */
  readonly title: string;
  /** Multiplies the raw value for display. */
  readonly factor: number;
}

/** Title and display factor of a metric named as its runs.csv column. */
export function metricLabel(metric: string): MetricLabel {
  const known = findMetric(metric);
  if (known !== undefined) return { title: known.label, factor: known.displayFactor };
  const name = metric.replace(/_/g, " ");
  if (metric.endsWith("_s")) return { title: `${name.slice(0, -2)} (s)`, factor: 1 };
  if (metric.endsWith("_bytes")) return { title: `${name.slice(0, -6)} (MB)`, factor: 1e-6 };
  if (metric.endsWith("_bps")) return { title: `${name.slice(0, -4)} (Mbit/s)`, factor: 1e-6 };
  return { title: name, factor: 1 };
}
