// The run metrics, once: for each, its runs.csv column (the name summary.json, the gate, its baseline and the
// charts use too), the RunMetrics field it is read from, its unit, how runs.csv writes it, its label for charts
// and tables, which way is better, which runs it compares, and the value a run records when the metric does
// not apply. Every writer and reader of runs.csv (run and sweep folders, `sim report`), the summaries, the
// gate's metrics and the chart labels are driven by this list; its order is runs.csv's column order. Below it,
// the selections each output shows, by column name.

import type { RunMetrics } from "../sim/metrics/records.ts";

/** What a metric measures in. */
export type MetricUnit = "s" | "ratio" | "bytes" | "bit/s" | "count";

/** How runs.csv writes a value: seconds with 6 decimals (exact µs), a ratio with 4 decimals, or an integer. */
export type CsvFormat = "seconds" | "ratio" | "integer";

/** Which way is better: a smaller value, a larger one, or neither (a count that explains, a property of the world). */
export type Better = "lower" | "higher" | null;

/**
 * Which strategies a metric compares: every strategy, or only those that keep the block rule (one block at a
 * time): a pipelining strategy's blocks overlap, so its per-block times are longer even when it finishes first.
 */
export type ValidFor = "every-strategy" | "block-rule";

export interface MetricSpec {
  /** runs.csv column, snake_case with the unit last. */
  readonly column: string;
  /** The RunMetrics field holding the value. */
  readonly field: Exclude<keyof RunMetrics, "fingerprint" | "peakQueueLength">;
  readonly unit: MetricUnit;
  readonly format: CsvFormat;
  /** Chart axis and table title, with the display unit in brackets. */
  readonly label: string;
  /** Multiplies the value for display (bytes are shown in MB = 10⁶ bytes, bit rates in Mbit/s). */
  readonly displayFactor: number;
  readonly better: Better;
  readonly validFor: ValidFor;
  /** The value a run records when the metric does not apply to it (no player: no start-up; an unknown bound). */
  readonly absent?: number;
}

/** Every run metric, in runs.csv column order. */
export const RUN_METRICS = [
  {
    column: "completion_s",
    field: "completionS",
    unit: "s",
    format: "seconds",
    label: "completion time (s)",
    displayFactor: 1,
    better: "lower",
    validFor: "every-strategy",
  },
  {
    column: "throughput_bps",
    field: "throughputBps",
    unit: "bit/s",
    format: "integer",
    label: "throughput (Mbit/s)",
    displayFactor: 1e-6,
    better: "higher",
    validFor: "every-strategy",
  },
  {
    column: "t_star_ratio",
    field: "tStarRatio",
    unit: "ratio",
    format: "ratio",
    label: "block time / lower bound T* (ratio)",
    displayFactor: 1,
    better: "lower",
    validFor: "block-rule",
  },
  {
    column: "t_g_ratio",
    field: "tGRatio",
    unit: "ratio",
    format: "ratio",
    label: "block time / split bound T_g (ratio)",
    displayFactor: 1,
    better: "lower",
    validFor: "block-rule",
  },
  {
    column: "throughput_bound_s",
    field: "throughputBoundS",
    unit: "s",
    format: "seconds",
    label: "throughput bound (s)",
    displayFactor: 1,
    better: null,
    validFor: "every-strategy",
  },
  {
    column: "throughput_bound_ratio",
    field: "throughputBoundRatio",
    unit: "ratio",
    format: "ratio",
    label: "completion / throughput bound (ratio)",
    displayFactor: 1,
    better: "lower",
    validFor: "every-strategy",
    // Not finite when the bound is unknown; the gate stores that as -1.
    absent: -1,
  },
  {
    column: "mean_block_s",
    field: "meanBlockS",
    unit: "s",
    format: "seconds",
    label: "mean block time (s)",
    displayFactor: 1,
    better: "lower",
    validFor: "block-rule",
  },
  {
    column: "p95_block_s",
    field: "p95BlockS",
    unit: "s",
    format: "seconds",
    label: "p95 block time (s)",
    displayFactor: 1,
    better: "lower",
    validFor: "block-rule",
  },
  {
    column: "redundant_bytes",
    field: "redundantBytes",
    unit: "bytes",
    format: "integer",
    label: "redundant bytes (MB)",
    displayFactor: 1e-6,
    better: "lower",
    validFor: "every-strategy",
  },
  {
    column: "failed_bytes",
    field: "failedBytes",
    unit: "bytes",
    format: "integer",
    label: "failed bytes (MB)",
    displayFactor: 1e-6,
    better: "lower",
    validFor: "every-strategy",
  },
  {
    column: "origin_bytes",
    field: "originBytes",
    unit: "bytes",
    format: "integer",
    label: "origin bytes (MB)",
    displayFactor: 1e-6,
    better: "lower",
    validFor: "every-strategy",
  },
  {
    column: "rebalances",
    field: "rebalances",
    unit: "count",
    format: "integer",
    label: "rebalances (count)",
    displayFactor: 1,
    better: null,
    validFor: "every-strategy",
  },
  {
    column: "blacklisted",
    field: "blacklisted",
    unit: "count",
    format: "integer",
    label: "blacklisted nodes (count)",
    displayFactor: 1,
    better: null,
    validFor: "every-strategy",
  },
  {
    column: "fallbacks",
    field: "fallbacks",
    unit: "count",
    format: "integer",
    label: "origin fallbacks (count)",
    displayFactor: 1,
    better: null,
    validFor: "every-strategy",
  },
  {
    column: "request_timeouts",
    field: "requestTimeouts",
    unit: "count",
    format: "integer",
    label: "request timeouts (count)",
    displayFactor: 1,
    better: null,
    validFor: "every-strategy",
  },
  {
    column: "startup_delay_s",
    field: "startupDelayS",
    unit: "s",
    format: "seconds",
    label: "startup delay (s)",
    displayFactor: 1,
    better: "lower",
    validFor: "every-strategy",
    // -1 without a player (bitrate 0).
    absent: -1,
  },
  {
    column: "stall_count",
    field: "stallCount",
    unit: "count",
    format: "integer",
    label: "stalls (count)",
    displayFactor: 1,
    better: "lower",
    validFor: "every-strategy",
  },
  {
    column: "stall_s",
    field: "stallS",
    unit: "s",
    format: "seconds",
    label: "stall time (s)",
    displayFactor: 1,
    better: "lower",
    validFor: "every-strategy",
  },
  {
    column: "rebuffer_ratio",
    field: "rebufferRatio",
    unit: "ratio",
    format: "ratio",
    label: "rebuffer ratio (stall / watch time)",
    displayFactor: 1,
    better: "lower",
    validFor: "every-strategy",
  },
  {
    column: "playback_lag_s",
    field: "playbackLagS",
    unit: "s",
    format: "seconds",
    label: "playback lag behind the live edge (s)",
    displayFactor: 1,
    better: "lower",
    validFor: "every-strategy",
    // Live content: how far behind the live edge playback was when it ended (or at the end of the run); -1 for
    // video on demand and when playback never started.
    absent: -1,
  },
  {
    column: "events",
    field: "events",
    unit: "count",
    format: "integer",
    label: "events (count)",
    displayFactor: 1,
    better: null,
    validFor: "every-strategy",
  },
  {
    column: "viewers",
    field: "viewers",
    unit: "count",
    format: "integer",
    label: "viewers (count)",
    displayFactor: 1,
    better: null,
    validFor: "every-strategy",
    // Swarm mode (issue 12): -1 in a single-agent run, as every swarm column below.
    absent: -1,
  },
  {
    column: "p2p_share_ratio",
    field: "p2pShare",
    unit: "ratio",
    format: "ratio",
    label: "P2P share of delivered bytes (ratio)",
    displayFactor: 1,
    better: "higher",
    validFor: "every-strategy",
    // Intact bytes from peers and viewers ÷ all intact bytes viewers received (origin offload).
    absent: -1,
  },
  {
    column: "origin_peak_bps",
    field: "originPeakBps",
    unit: "bit/s",
    format: "integer",
    label: "origin peak egress (Mbit/s)",
    displayFactor: 1e-6,
    better: "lower",
    validFor: "every-strategy",
    // Largest origin egress over one series bin (swarm.series_bin_s).
    absent: -1,
  },
  {
    column: "mean_startup_delay_s",
    field: "meanStartupDelayS",
    unit: "s",
    format: "seconds",
    label: "mean viewer start-up delay (s)",
    displayFactor: 1,
    better: "lower",
    validFor: "every-strategy",
    // Over the viewers whose playback started.
    absent: -1,
  },
  {
    column: "p95_startup_delay_s",
    field: "p95StartupDelayS",
    unit: "s",
    format: "seconds",
    label: "p95 viewer start-up delay (s)",
    displayFactor: 1,
    better: "lower",
    validFor: "every-strategy",
    // Nearest rank, over the viewers whose playback started.
    absent: -1,
  },
  {
    column: "mean_rebuffer_ratio",
    field: "meanRebufferRatio",
    unit: "ratio",
    format: "ratio",
    label: "mean viewer rebuffer ratio (stall / watch time)",
    displayFactor: 1,
    better: "lower",
    validFor: "every-strategy",
    // Over the viewers whose playback started.
    absent: -1,
  },
  {
    column: "upload_fairness_ratio",
    field: "uploadFairness",
    unit: "ratio",
    format: "ratio",
    label: "Jain fairness of upload (ratio)",
    displayFactor: 1,
    better: "higher",
    validFor: "every-strategy",
    // (Σx)²/(n·Σx²) of the bytes each viewer uploaded; -1 when nobody uploaded.
    absent: -1,
  },
  {
    column: "tracker_peak_per_s",
    field: "trackerPeakPerS",
    unit: "count",
    format: "integer",
    label: "tracker peak load (operations/s)",
    displayFactor: 1,
    better: null,
    validFor: "every-strategy",
    // Most tracker queries and announces in one second.
    absent: -1,
  },
] as const satisfies readonly MetricSpec[];

/** A run metric, named as its runs.csv column. */
export type RunMetricName = (typeof RUN_METRICS)[number]["column"];

/** Every run metric's name, in runs.csv column order. */
export const RUN_METRIC_NAMES: readonly RunMetricName[] = RUN_METRICS.map((m) => m.column);

const BY_NAME: ReadonlyMap<string, MetricSpec> = new Map(RUN_METRICS.map((m) => [m.column, m]));

/** The spec of a run metric. */
export function metricSpec(name: RunMetricName): MetricSpec {
  return BY_NAME.get(name) as MetricSpec;
}

/** The spec of a metric named by any text (a chart's, a table's), or undefined when it is not a run metric. */
export function findMetric(name: string): MetricSpec | undefined {
  return BY_NAME.get(name);
}

/** A run's value of a metric: NaN when the metric does not apply to the run (its `absent` value) or is not finite. */
export function metricValue(m: RunMetrics, name: RunMetricName): number {
  const spec = metricSpec(name);
  const v = m[spec.field];
  return Number.isFinite(v) && v !== spec.absent ? v : Number.NaN;
}

// ---- what each output shows ------------------------------------------------------------------------------

/**
 * The headline metrics of summary.json, the report's tables and charts and the sweep tables: first those that
 * rank every strategy (completion, its ratio to the throughput bound, start-up delay, stalls, wasted and origin
 * bytes), then the per-block ones, which compare only strategies that keep the block rule.
 */
export const SUMMARY_METRICS = [
  "completion_s",
  "throughput_bound_ratio",
  "startup_delay_s",
  "stall_count",
  "stall_s",
  "redundant_bytes",
  "origin_bytes",
  "mean_block_s",
  "t_star_ratio",
  "t_g_ratio",
] as const satisfies readonly RunMetricName[];
export type SummaryMetric = (typeof SUMMARY_METRICS)[number];

/**
 * The metrics the CI gate can judge (scenarios/ci/thresholds.yaml names some of them), in the order of the
 * baseline file: the gate judges a rise, so every one is better lower.
 */
export const GATE_METRICS = [
  "completion_s",
  "throughput_bound_ratio",
  "startup_delay_s",
  "stall_count",
  "stall_s",
  "redundant_bytes",
  "origin_bytes",
  "mean_block_s",
  "p95_block_s",
  "t_star_ratio",
] as const satisfies readonly RunMetricName[];

/** The counts the gate shows for the worst seed of a judged metric, to explain a change. */
export const GATE_CAUSES = [
  "rebalances",
  "fallbacks",
  "stall_count",
  "request_timeouts",
  "blacklisted",
] as const satisfies readonly RunMetricName[];
