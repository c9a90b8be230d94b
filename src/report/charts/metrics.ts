// Chart `metrics`: each headline metric (summary.json's) per strategy, its mean over seeds as a dot and its
// bootstrap 95% interval as a bar across it; one small panel per metric, titled with its unit, each with its
// own scale. Metrics that are 0 in every run collapse into a line of the subtitle, as do those with no value.

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

/** The metrics drawn as panels, those whose every value is 0 (one line of text instead), and those with none. */
export function metricPanels(data: readonly MetricPoint[]): { drawn: string[]; zero: string[]; none: string[] } {
  const drawn: string[] = [];
  const zero: string[] = [];
  const none: string[] = [];
  for (const metric of SUMMARY_METRICS) {
    const points = data.filter((d) => d.metric === metric);
    if (points.length === 0) none.push(metric);
    else if (points.every((p) => p.mean === 0 && p.lo === 0 && p.hi === 0)) zero.push(metric);
    else drawn.push(metric);
  }
  return { drawn, zero, none };
}

/** A metric's title without its unit ("stall time (s)" → "stall time"). */
function bare(metric: string): string {
  return metricLabel(metric).title.replace(/ \([^)]*\)$/, "");
}

export function metricsChart(scenario: Scenario, results: readonly RunResult[]): TopLevelSpec {
  const all = metricsData(scenario, results);
  const { drawn, zero, none } = metricPanels(all);
  // One facet over the drawn metrics (one dataflow: far cheaper to render than a panel each), titled by label.
  const data = all
    .filter((d) => drawn.includes(d.metric))
    .map((d) => ({ ...d, panel: metricLabel(d.metric).title }));
  const strategies = buildSummary(scenario, results).strategies.map((s) => s.name);
  const colour = strategyColour(strategies, false);
  const y = { field: "strategy", type: "nominal", title: null, sort: strategies } as const;
  const subtitle = [
    "dot: mean over seeds; bar: bootstrap 95% interval; lower is better for every panel",
    ...(zero.length > 0 ? [`0 for every strategy and seed: ${zero.map(bare).join(", ")}`] : []),
    ...(none.length > 0 ? [`no value in any run: ${none.map(bare).join(", ")}`] : []),
  ];
  return {
    $schema: VL_SCHEMA,
    title: { text: "Metrics per strategy", subtitle },
    config: chartConfig(),
    data: { values: data },
    facet: {
      field: "panel",
      type: "nominal",
      title: null,
      sort: drawn.map((m) => metricLabel(m).title),
      header: { labelFontSize: 12, labelAnchor: "start", labelPadding: 4 },
    },
    columns: 2,
    spec: {
      width: 240,
      height: { step: 22 },
      layer: [
        {
          mark: { type: "rule", strokeWidth: 3, opacity: 0.6 },
          encoding: {
            y,
            x: { field: "lo", type: "quantitative", title: null, scale: { zero: true } },
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
    },
    resolve: { scale: { x: "independent" }, axis: { x: "independent" } },
  } as TopLevelSpec;
}
