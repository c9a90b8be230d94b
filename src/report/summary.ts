// summary.json: the tool that wrote it, the resolved scenario, per strategy the aggregates over seeds of the
// headline metrics (SUMMARY_METRICS of src/metrics/registry.ts: mean, median, p95, bootstrap 95% CI, n) and
// their paired differences to a reference strategy, and every run's metrics at full precision (runs.csv rounds them for reading; `sim report` rebuilds
// from these, so a rebuilt report is byte-identical to the first one). Deterministic: fixed key order,
// aggregates rounded to 12 significant digits (hides summation-order noise), 2-space JSON with a trailing
// newline, no timestamps, no Node version, no absolute paths.

import {
  metricSpec,
  metricValue,
  RUN_METRICS,
  type RunMetricName,
  SUMMARY_METRICS,
  type SummaryMetric,
} from "../metrics/registry.ts";
import { type Aggregate, aggregate, type PairedDifference, pairedDifference } from "../stats/aggregate.ts";
import type { Scenario } from "../scenario/schema.ts";
import type { RunResult } from "../sim/metrics/records.ts";
import { TOOL_NAME, TOOL_VERSION } from "../version.ts";
import type { StrategyModuleInfo } from "./provenance.ts";
import { orderResults, strategyOrder } from "./order.ts";

/** The per-block metrics of SUMMARY_METRICS: they compare only strategies that keep the block rule. */
export const PER_BLOCK_METRICS: readonly SummaryMetric[] = SUMMARY_METRICS.filter(
  (m) => metricSpec(m).validFor === "block-rule",
);

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
function valuesBySeed(runs: readonly RunResult[], metric: RunMetricName): Map<number, number> {
  const bySeed = new Map<number, number>();
  for (const r of runs) {
    if (r.error !== null || bySeed.has(r.seed)) continue;
    const v = metricValue(r.metrics, metric);
    if (Number.isFinite(v)) bySeed.set(r.seed, v);
  }
  return bySeed;
}

/**
 * One strategy's aggregates over seeds of `metrics` and, unless it is the reference, their paired differences
 * to the reference (bootstrap streams named `<strategy>/<metric>` and `paired/<strategy>/<reference>/<metric>`).
 */
export function summariseMetrics<M extends RunMetricName>(
  metricNames: readonly M[],
  name: string,
  runs: readonly RunResult[],
  reference: string | null,
  refRuns: readonly RunResult[],
): { metrics: Record<M, MetricSummary | null>; paired: Record<M, PairedSummary | null> } {
  const metrics = {} as Record<M, MetricSummary | null>;
  const paired = {} as Record<M, PairedSummary | null>;
  for (const metric of metricNames) {
    const bySeed = valuesBySeed(runs, metric);
    const seeds = [...bySeed.keys()].sort((a, b) => a - b);
    const xs = seeds.map((s) => bySeed.get(s) as number);
    metrics[metric] = xs.length === 0 ? null : metricSummary(aggregate(xs, `${name}/${metric}`));
    if (name !== reference) {
      const d = pairedDifference(bySeed, valuesBySeed(refRuns, metric), `paired/${name}/${reference}/${metric}`);
      paired[metric] = d === null ? null : pairedSummary(d);
    }
  }
  return { metrics, paired };
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
    const { metrics, paired } = summariseMetrics(SUMMARY_METRICS, name, runs, reference, refRuns);
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
    for (const spec of RUN_METRICS) {
      const v = r.metrics[spec.field];
      metrics[spec.column] = Number.isFinite(v) ? v : null;
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
