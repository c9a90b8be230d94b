// The swarm figures of a report (issue 12): per strategy, the aggregates over seeds of runs.csv's swarm columns
// (viewers, P2P share, origin peak, viewers' start-up delay and rebuffer ratio, upload fairness, tracker peak)
// and their paired differences to the reference, computed as summary.ts computes the headline metrics. Only for
// swarm runs (a single-agent run records -1, "absent", in every swarm column): the report's swarm table and the
// verdict's swarm lines come from here; summary.json is unchanged.

import { findMetric, metricValue, type RunMetricName } from "../metrics/registry.ts";
import type { Scenario } from "../scenario/schema.ts";
import type { RunResult } from "../sim/metrics/records.ts";
import { orderResults, strategyOrder } from "./order.ts";
import { type MetricSummary, type PairedSummary, resolveReference, summariseMetrics } from "./summary.ts";

/** The swarm columns of runs.csv the report shows, in table order. */
export const SWARM_METRICS = [
  "viewers",
  "p2p_share_ratio",
  "origin_peak_bps",
  "mean_startup_delay_s",
  "p95_startup_delay_s",
  "mean_rebuffer_ratio",
  "upload_fairness_ratio",
  "tracker_peak_per_s",
] as const satisfies readonly RunMetricName[];
export type SwarmMetric = (typeof SWARM_METRICS)[number];

/** The swarm metrics the verdict judges: those with a better direction (not the viewer count, not the tracker load). */
export const SWARM_VERDICT_METRICS: readonly SwarmMetric[] = SWARM_METRICS.filter(
  (m) => findMetric(m)?.better !== null,
);

export interface SwarmStrategySummary {
  readonly name: string;
  readonly metrics: Record<SwarmMetric, MetricSummary | null>;
  /** null for the reference itself. */
  readonly vs_reference: Record<SwarmMetric, PairedSummary | null> | null;
}

export interface SwarmSummary {
  readonly reference: string | null;
  readonly strategies: readonly SwarmStrategySummary[];
}

/** True when some run is a swarm run (its viewer count is recorded). */
export function isSwarmRun(results: readonly RunResult[]): boolean {
  return results.some((r) => Number.isFinite(metricValue(r.metrics, "viewers")));
}

/**
 * The swarm summary of a run folder's results, or null when no run is a swarm run. `reference` as in
 * summary.json (default: static, else the first strategy).
 */
export function buildSwarmSummary(
  scenario: Scenario,
  results: readonly RunResult[],
  reference?: string | null,
): SwarmSummary | null {
  if (!isSwarmRun(results)) return null;
  const order = strategyOrder(scenario.strategies, results);
  const sorted = orderResults(scenario.strategies, results);
  const ref = reference === undefined ? resolveReference(order) : reference;
  const refRuns = sorted.filter((r) => r.strategy === ref);
  return {
    reference: ref,
    strategies: order.map((name) => {
      const runs = sorted.filter((r) => r.strategy === name);
      const { metrics, paired } = summariseMetrics(SWARM_METRICS, name, runs, ref, refRuns);
      return { name, metrics, vs_reference: name === ref ? null : paired };
    }),
  };
}
