// Chart `sweep-<metric>`: a metric's mean (line and dots) with its 95% interval (band) against a swept
// parameter, one line per strategy. Numeric parameter values get a linear axis, others an ordered one (in
// the order first given). Strategies keep the order given (first appearance, or `strategies`). Several swept
// parameters give one panel each.

import type { TopLevelSpec } from "vega-lite";
import { metricLabel } from "./labels.ts";
import { CHART_HEIGHT, CHART_WIDTH, chartConfig, INTERVAL_TOOLTIP, strategyColour, VL_SCHEMA } from "./theme.ts";

export interface SweepPoint {
  /** Scenario key path of the swept parameter, e.g. `agent.max_connections`. */
  readonly param: string;
  readonly value: number | string;
  readonly strategy: string;
  readonly mean: number;
  readonly lo: number;
  readonly hi: number;
}

function compareValues(a: number | string, b: number | string): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

/** Chart name of a sweep metric. */
export function sweepChartName(metric: string): string {
  return `sweep-${metric}`;
}

export function sweepChart(
  points: readonly SweepPoint[],
  metric: string,
  strategyOrder: readonly string[] = [],
): TopLevelSpec {
  const label = metricLabel(metric);
  const strategies = [...new Set([...strategyOrder, ...points.map((p) => p.strategy)])].filter((s) =>
    points.some((p) => p.strategy === s),
  );
  const params = [...new Set(points.map((p) => p.param))].sort();
  const numeric = points.every((p) => typeof p.value === "number");
  const xTitle = params.length === 1 ? params[0] : "parameter value";
  const valueOrder = [...new Set(points.map((p) => String(p.value)))];
  const rank = new Map(strategies.map((s, i) => [s, i]));
  const values = [...points]
    .sort(
      (a, b) =>
        (a.param < b.param ? -1 : a.param > b.param ? 1 : 0) ||
        (rank.get(a.strategy) as number) - (rank.get(b.strategy) as number) ||
        compareValues(a.value, b.value),
    )
    .map((p) => ({
      param: p.param,
      value: numeric ? p.value : String(p.value),
      strategy: p.strategy,
      mean: p.mean * label.factor,
      lo: p.lo * label.factor,
      hi: p.hi * label.factor,
    }));
  const x = numeric
    ? ({
        field: "value",
        type: "quantitative",
        title: xTitle,
        scale: { zero: false },
      } as const)
    : ({
        field: "value",
        type: "ordinal",
        title: xTitle,
        sort: valueOrder,
      } as const);
  const color = strategyColour(strategies, true);
  const layer = [
    {
      mark: { type: "area", opacity: 0.18 },
      encoding: {
        x,
        y: { field: "lo", type: "quantitative", title: label.title },
        y2: { field: "hi" },
        color,
      },
    },
    {
      mark: { type: "line", strokeWidth: 2 },
      encoding: { x, y: { field: "mean", type: "quantitative" }, color },
    },
    {
      mark: { type: "point", filled: true, size: 40 },
      encoding: {
        x,
        y: { field: "mean", type: "quantitative" },
        color,
        tooltip: [
          { field: "strategy", type: "nominal" },
          { field: "value", title: "value" },
          ...INTERVAL_TOOLTIP,
        ],
      },
    },
  ];
  const title = {
    text: `Sweep: ${label.title}`,
    subtitle: "line: mean over seeds; band: 95% interval",
  };
  if (params.length > 1) {
    return {
      $schema: VL_SCHEMA,
      title,
      config: chartConfig(),
      data: { values },
      facet: {
        column: { field: "param", type: "nominal", title: null, sort: params },
      },
      spec: { width: 300, height: CHART_HEIGHT, layer },
      resolve: { scale: { x: "independent" } },
    } as TopLevelSpec;
  }
  return {
    $schema: VL_SCHEMA,
    title,
    config: chartConfig(),
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    data: { values },
    layer,
  } as TopLevelSpec;
}
