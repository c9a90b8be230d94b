// summary.json: the tool that wrote it, the resolved scenario, per strategy the aggregates over seeds of the
// headline metrics (mean, median, p95, bootstrap 95% CI, n) and their paired differences to a reference
// strategy, and every run's metrics at full precision (runs.csv rounds them for reading; `sim report` rebuilds
// from these, so a rebuilt report is byte-identical to the first one). Deterministic: fixed key order,
// aggregates rounded to 12 significant digits (hides summation-order noise), 2-space JSON with a trailing
// newline, no timestamps, no Node version, no absolute paths.

import type { StrategyModuleInfo } from "../harness/strategy-module.ts";
import { type Aggregate, aggregate, type PairedDifference, pairedDifference } from "../harness/stats.ts";
import type { Scenario } from "../scenario/schema.ts";
import type { RunMetrics, RunResult } from "../sim/metrics/records.ts";
import { TOOL_NAME, TOOL_VERSION } from "../version.ts";
import { orderResults, strategyOrder } from "./order.ts";

/**
 * The metrics summarised, named as their runs.csv columns: first those that rank every strategy (completion, its
 * ratio to the throughput bound, start-up delay, stalls, wasted and origin bytes), then the per-block ones, which compare only strategies that
 * keep the block rule (a pipelining strategy's blocks overlap; see src/report/table.ts).
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
] as const;
export type SummaryMetric = (typeof SUMMARY_METRICS)[number];

/** The per-block metrics of SUMMARY_METRICS. */
export const PER_BLOCK_METRICS: readonly SummaryMetric[] = ["mean_block_s", "t_star_ratio", "t_g_ratio"];

const METRIC_VALUE: Record<SummaryMetric, (m: RunMetrics) => number> = {
  completion_s: (m) => m.completionS,
  throughput_bound_ratio: (m) => m.throughputBoundRatio,
  // -1 means "no player": not a delay.
  startup_delay_s: (m) => (m.startupDelayS < 0 ? Number.NaN : m.startupDelayS),
  stall_count: (m) => m.stallCount,
  stall_s: (m) => m.stallS,
  redundant_bytes: (m) => m.redundantBytes,
  origin_bytes: (m) => m.originBytes,
  mean_block_s: (m) => m.meanBlockS,
  t_star_ratio: (m) => m.tStarRatio,
  t_g_ratio: (m) => m.tGRatio,
};

/** The default reference strategy of paired differences. */
export const DEFAULT_REFERENCE = "static";

export interface MetricSummary {
  readonly mean: number;
  readonly median: number;
  readonly p95: number;
  readonly ci95: readonly [number, number];
  /** Successful runs with a finite value. */
  readonly n: number;
}

export interface PairedSummary {
  /** Mean over matched seeds of (this strategy - reference). */
  readonly mean_diff: number;
  readonly ci95: readonly [number, number];
  /** 100 · mean_diff / reference mean; null when the reference mean is 0. */
  readonly relative_pct: number | null;
  readonly n: number;
}

export interface StrategySummary {
  readonly name: string;
  readonly runs: number;
  readonly failed: number;
  /** Seeds run, ascending. */
  readonly seeds: readonly number[];
  /** Failed runs: seed and reason. */
  readonly errors: readonly { readonly seed: number; readonly error: string }[];
  /** Over successful runs; null when no successful run has a finite value. */
  readonly metrics: Record<SummaryMetric, MetricSummary | null>;
  /** Paired differences to the reference (null for the reference itself and when there is none). */
  readonly vs_reference: Record<SummaryMetric, PairedSummary | null> | null;
}

/** A run's metrics by runs.csv column, and the RunMetrics field each one is (fingerprint aside). */
export const RUN_METRIC_FIELDS = {
  completion_s: "completionS",
  throughput_bps: "throughputBps",
  t_star_ratio: "tStarRatio",
  t_g_ratio: "tGRatio",
  throughput_bound_s: "throughputBoundS",
  throughput_bound_ratio: "throughputBoundRatio",
  mean_block_s: "meanBlockS",
  p95_block_s: "p95BlockS",
  redundant_bytes: "redundantBytes",
  failed_bytes: "failedBytes",
  origin_bytes: "originBytes",
  rebalances: "rebalances",
  blacklisted: "blacklisted",
  fallbacks: "fallbacks",
  request_timeouts: "requestTimeouts",
  startup_delay_s: "startupDelayS",
  stall_count: "stallCount",
  stall_s: "stallS",
  rebuffer_ratio: "rebufferRatio",
  events: "events",
} as const satisfies Record<string, keyof RunMetrics>;
export type RunMetricName = keyof typeof RUN_METRIC_FIELDS;
export const RUN_METRIC_NAMES = Object.keys(RUN_METRIC_FIELDS) as RunMetricName[];

/** RunMetrics from a value per runs.csv column (what is not stored comes back as a placeholder). */
export function runMetricsFrom(value: (name: RunMetricName) => number, fingerprint: string): RunMetrics {
  const m = {} as Record<keyof RunMetrics, number | string>;
  for (const name of RUN_METRIC_NAMES) m[RUN_METRIC_FIELDS[name]] = value(name);
  m.peakQueueLength = -1;
  m.fingerprint = fingerprint;
  return m as unknown as RunMetrics;
}

export interface RunSummary {
  readonly strategy: string;
  readonly seed: number;
  readonly metrics: Record<RunMetricName, number | null>;
}

export interface Summary {
  readonly tool: { readonly name: string; readonly version: string };
  readonly scenario: Scenario;
  /** The strategy paired differences are taken against; null when there are no runs. */
  readonly reference: string | null;
  readonly strategies: readonly StrategySummary[];
  /** Every run, in runs.csv order. Folders written before this field existed do not have it. */
  readonly runs?: readonly RunSummary[];
  /** Present when strategies came from a user's file (--strategy-module): the file, its sha256, its strategies. */
  readonly strategy_module?: StrategyModuleInfo;
}

export interface SummaryOptions {
  /** Reference strategy; default "static", or the first strategy when that one was not run. */
  readonly reference?: string;
  readonly strategyModule?: StrategyModuleInfo;
}

/** 12 significant digits: stable across summation orders, far finer than any metric's meaning. */
function round(x: number): number {
  return Number(x.toPrecision(12));
}

function metricSummary(a: Aggregate): MetricSummary {
  return {
    mean: round(a.mean),
    median: round(a.median),
    p95: round(a.p95),
    ci95: [round(a.ci95[0]), round(a.ci95[1])],
    n: a.n,
  };
}

function pairedSummary(d: PairedDifference): PairedSummary {
  return {
    mean_diff: round(d.meanDiff),
    ci95: [round(d.ci95[0]), round(d.ci95[1])],
    relative_pct: d.relativePct === null ? null : round(d.relativePct),
    n: d.n,
  };
}

/** Metric value by seed over a strategy's successful runs with a finite value (first run of a seed wins). */
function valuesBySeed(runs: readonly RunResult[], metric: SummaryMetric): Map<number, number> {
  const bySeed = new Map<number, number>();
  for (const r of runs) {
    if (r.error !== null || bySeed.has(r.seed)) continue;
    const v = METRIC_VALUE[metric](r.metrics);
    if (Number.isFinite(v)) bySeed.set(r.seed, v);
  }
  return bySeed;
}

/** Picks the reference: the requested one if it was run, else the first strategy in order. */
export function resolveReference(
  order: readonly string[],
  requested: string = DEFAULT_REFERENCE,
): string | null {
  if (order.includes(requested)) return requested;
  return order.length > 0 ? order[0] : null;
}

export function buildSummary(
  scenario: Scenario,
  results: readonly RunResult[],
  opts: SummaryOptions = {},
): Summary {
  const order = strategyOrder(scenario.strategies, results);
  const sorted = orderResults(scenario.strategies, results);
  const reference = resolveReference(order, opts.reference);
  const refRuns = sorted.filter((r) => r.strategy === reference);
  const strategies = order.map((name): StrategySummary => {
    const runs = sorted.filter((r) => r.strategy === name);
    const metrics = {} as Record<SummaryMetric, MetricSummary | null>;
    const paired = {} as Record<SummaryMetric, PairedSummary | null>;
    for (const metric of SUMMARY_METRICS) {
      const bySeed = valuesBySeed(runs, metric);
      const seeds = [...bySeed.keys()].sort((a, b) => a - b);
      const xs = seeds.map((s) => bySeed.get(s) as number);
      metrics[metric] = xs.length === 0 ? null : metricSummary(aggregate(xs, `${name}/${metric}`));
      if (name !== reference) {
        const d = pairedDifference(
          bySeed,
          valuesBySeed(refRuns, metric),
          `paired/${name}/${reference}/${metric}`,
        );
        paired[metric] = d === null ? null : pairedSummary(d);
      }
    }
    const failedRuns = runs.filter((r) => r.error !== null);
    return {
      name,
      runs: runs.length,
      failed: failedRuns.length,
      seeds: runs.map((r) => r.seed),
      errors: failedRuns.map((r) => ({ seed: r.seed, error: r.error as string })),
      metrics,
      vs_reference: name === reference ? null : paired,
    };
  });
  const runs = sorted.map((r): RunSummary => {
    const metrics = {} as Record<RunMetricName, number | null>;
    for (const name of RUN_METRIC_NAMES) {
      const v = r.metrics[RUN_METRIC_FIELDS[name]];
      metrics[name] = Number.isFinite(v) ? v : null;
    }
    return { strategy: r.strategy, seed: r.seed, metrics };
  });
  return {
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    scenario,
    reference,
    strategies,
    runs,
    ...(opts.strategyModule !== undefined ? { strategy_module: opts.strategyModule } : {}),
  };
}

/** The text of summary.json: 2-space JSON, keys in construction order, trailing newline. */
export function summaryJson(summary: Summary): string {
  return `${JSON.stringify(summary, null, 2)}\n`;
}
