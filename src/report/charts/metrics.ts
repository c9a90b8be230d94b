// Chart `metrics`: each headline metric (summary.json's) per strategy, its mean over seeds as a dot and its
// bootstrap 95% interval as a bar across it; one small panel per metric, each with its own unit.

import type { TopLevelSpec } from "vega-lite";
import type { Scenario } from "../../scenario/schema.ts";
import type { RunResult } from "../../sim/metrics/records.ts";
import { SUMMARY_METRICS } from "../../metrics/registry.ts";
import { buildSummary } from "../summary.ts";
import { metricLabel } from "./labels.ts";
import { chartConfig, INTERVAL_TOOLTIP, strategyColour, VL_SCHEMA } from "./theme.ts";

export interface MetricPoint {
  readonly metric: string;
  readonly strategy: string;
  readonly mean: number;
  readonly lo: number;
  readonly hi: number;
  readonly n: number;
}

/** Mean and 95% interval of every summary metric per strategy (display units); missing metrics are left out. */
export function metricsData(scenario: Scenario, results: readonly RunResult[]): MetricPoint[] {
  const summary = buildSummary(scenario, results);
  const out: MetricPoint[] = [];
  for (const metric of SUMMARY_METRICS) {
    const f = metricLabel(metric).factor;
    for (const s of summary.strategies) {
      const m = s.metrics[metric];
      if (m === null) continue;
      out.push({
        metric,
        strategy: s.name,
        mean: m.mean * f,
        lo: m.ci95[0] * f,
        hi: m.ci95[1] * f,
        n: m.n,
      });
    }
  }
  return out;
}

export function metricsChart(scenario: Scenario, results: readonly RunResult[]): TopLevelSpec {
  const data = metricsData(scenario, results);
  const strategies = buildSummary(scenario, results).strategies.map((s) => s.name);
  const colour = strategyColour(strategies, false);
  const y = {
    field: "strategy",
    type: "nominal",
    title: null,
    sort: strategies,
  } as const;
  const panels = SUMMARY_METRICS.map((metric) => ({
    title: { text: metricLabel(metric).title, fontSize: 12 },
    width: 240,
    height: { step: 22 },
    transform: [{ filter: { field: "metric", equal: metric } }],
    layer: [
      {
        mark: { type: "rule", strokeWidth: 3, opacity: 0.6 },
        encoding: {
          y,
          x: {
            field: "lo",
            type: "quantitative",
            title: metricLabel(metric).title,
            scale: { zero: true },
          },
          x2: { field: "hi" },
          color: colour,
        },
      },
      {
        mark: { type: "point", filled: true, size: 70, opacity: 1 },
        encoding: {
          y,
          x: { field: "mean", type: "quantitative" },
          color: colour,
          tooltip: [
            { field: "strategy", type: "nominal" },
            ...INTERVAL_TOOLTIP,
            { field: "n", type: "quantitative", title: "seeds" },
          ],
        },
      },
    ],
  }));
  return {
    $schema: VL_SCHEMA,
    title: {
      text: "Metrics per strategy",
      subtitle: "dot: mean over seeds; bar: bootstrap 95% interval",
    },
    config: chartConfig(),
    data: { values: data },
    columns: 2,
    concat: panels,
    resolve: { scale: { x: "independent", color: "shared" } },
  } as TopLevelSpec;
}
