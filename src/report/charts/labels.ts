// Human titles with units for the metrics charts show, and how a metric's raw value is scaled for display
// (bytes are drawn in MB = 10⁶ bytes). Unknown metric names get a title from their unit suffix.

export interface MetricLabel {
  /** Axis title, unit in brackets. */
  readonly title: string;
  /** Multiplies the raw value for display. */
  readonly factor: number;
}

const KNOWN: Readonly<Record<string, MetricLabel>> = {
  completion_s: { title: "completion time (s)", factor: 1 },
  mean_block_s: { title: "mean block time (s)", factor: 1 },
  p95_block_s: { title: "p95 block time (s)", factor: 1 },
  t_star_ratio: { title: "block time / lower bound T* (ratio)", factor: 1 },
  t_g_ratio: { title: "block time / split bound T_g (ratio)", factor: 1 },
  throughput_bound_ratio: { title: "completion / throughput bound (ratio)", factor: 1 },
  stall_s: { title: "stall time (s)", factor: 1 },
  stall_count: { title: "stalls (count)", factor: 1 },
  startup_delay_s: { title: "startup delay (s)", factor: 1 },
  rebuffer_ratio: { title: "rebuffer ratio (stall / watch time)", factor: 1 },
  redundant_bytes: { title: "redundant bytes (MB)", factor: 1e-6 },
  failed_bytes: { title: "failed bytes (MB)", factor: 1e-6 },
  origin_bytes: { title: "origin bytes (MB)", factor: 1e-6 },
  throughput_bps: { title: "throughput (Mbit/s)", factor: 1e-6 },
};

/** Title and display factor of a metric named as its runs.csv column. */
export function metricLabel(metric: string): MetricLabel {
  const known = KNOWN[metric];
  if (known !== undefined) return known;
  const name = metric.replace(/_/g, " ");
  if (metric.endsWith("_s")) return { title: `${name.slice(0, -2)} (s)`, factor: 1 };
  if (metric.endsWith("_bytes")) return { title: `${name.slice(0, -6)} (MB)`, factor: 1e-6 };
  if (metric.endsWith("_bps")) return { title: `${name.slice(0, -4)} (Mbit/s)`, factor: 1e-6 };
  return { title: name, factor: 1 };
}
