// Chart `sweep-<metric>`: a metric's mean over seeds with its 95% interval against a swept parameter, one colour
// per strategy. A numeric parameter gets a linear axis with a tick at each swept value (integers never show
// 2.5); means are joined by lines, intervals are error bars nudged apart per strategy so four strategies stay
// readable. A categorical parameter (text, booleans) gets a point per value and strategy, no connecting line.
// Several swept parameters give one panel each (sweepChart); a two-parameter grid is drawn whole as heat maps,
// one per strategy, with the mean written in every cell (sweepHeatmap).

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

/** One cell of a two-parameter grid: the point's values of both parameters. */
export interface SweepCell {
  readonly x: number | string;
  readonly y: number | string;
  readonly strategy: string;
  readonly mean: number;
}

/** Most ticks listed one by one on a numeric axis (more swept values get Vega's own ticks). */
const MAX_LISTED_TICKS = 24;

function compareValues(a: number | string, b: number | string): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

/** Chart name of a sweep metric. */
export function sweepChartName(metric: string): string {
  return `sweep-${metric}`;
}

/** Strategies in the given order first, then by first appearance; only those with points. */
function strategiesOf(given: readonly string[], seen: readonly string[]): string[] {
  return [...new Set([...given, ...seen])].filter((s) => seen.includes(s));
}

/**
 * The x encoding and layers of one parameter's panel. Numeric: the values as ticks (integers formatted as such),
 * each strategy nudged by a fraction of the smallest gap between values (field x_plot; `value` stays exact for
 * tooltips). Categorical: an ordinal axis in first-given order, strategies side by side (xOffset), no lines.
 */
function panel(
  rows: readonly { value: number | string; strategy: string; mean: number; lo: number; hi: number }[],
  param: string,
  strategies: readonly string[],
  yTitle: string,
): { data: object[]; layer: object[] } {
  const color = strategyColour(strategies, true);
  const tooltip = [{ field: "strategy", type: "nominal" }, { field: "value", title: param }, ...INTERVAL_TOOLTIP];
  const y = { field: "mean", type: "quantitative", title: yTitle };
  const numeric = rows.every((r) => typeof r.value === "number");
  if (!numeric) {
    const order = [...new Set(rows.map((r) => String(r.value)))];
    const x = { field: "value", type: "ordinal", title: param, sort: order, axis: { labelAngle: 0 } } as const;
    const xOffset = { field: "strategy", type: "nominal", sort: [...strategies] } as const;
    return {
      data: rows.map((r) => ({ ...r, value: String(r.value) })),
      layer: [
        {
          mark: { type: "rule", strokeWidth: 2, opacity: 0.7 },
          encoding: { x, xOffset, y: { field: "lo", type: "quantitative", title: yTitle }, y2: { field: "hi" }, color },
        },
        { mark: { type: "point", filled: true, size: 60, opacity: 1 }, encoding: { x, xOffset, y, color, tooltip } },
      ],
    };
  }
  const values = [...new Set(rows.map((r) => r.value as number))].sort((a, b) => a - b);
  const integers = values.every(Number.isInteger);
  const gaps = values.slice(1).map((v, i) => v - values[i]);
  const step = gaps.length === 0 ? 0 : Math.min(...gaps) * 0.06;
  const rank = new Map(strategies.map((s, i) => [s, i]));
  const shift = (s: string) => ((rank.get(s) ?? 0) - (strategies.length - 1) / 2) * step;
  const axis = {
    ...(values.length <= MAX_LISTED_TICKS ? { values } : { tickMinStep: integers ? 1 : undefined }),
    ...(integers ? { format: "d" } : {}),
    grid: false,
  };
  const x = {
    field: "x_plot",
    type: "quantitative",
    title: param,
    scale: { zero: false, nice: false, padding: 16 },
    axis,
  } as const;
  return {
    data: rows.map((r) => ({ ...r, x_plot: (r.value as number) + shift(r.strategy) })),
    layer: [
      {
        mark: { type: "rule", strokeWidth: 2, opacity: 0.55 },
        encoding: { x, y: { field: "lo", type: "quantitative", title: yTitle }, y2: { field: "hi" }, color },
      },
      { mark: { type: "line", strokeWidth: 2 }, encoding: { x, y, color } },
      { mark: { type: "point", filled: true, size: 45, opacity: 1 }, encoding: { x, y, color, tooltip } },
    ],
  };
}

export function sweepChart(
  points: readonly SweepPoint[],
  metric: string,
  strategyOrder: readonly string[] = [],
): TopLevelSpec {
  const label = metricLabel(metric);
  const strategies = strategiesOf(strategyOrder, [...new Set(points.map((p) => p.strategy))]);
  const params = [...new Set(points.map((p) => p.param))].sort();
  const rank = new Map(strategies.map((s, i) => [s, i]));
  const sorted = [...points].sort(
    (a, b) =>
      (rank.get(a.strategy) as number) - (rank.get(b.strategy) as number) || compareValues(a.value, b.value),
  );
  const title = {
    text: `Sweep: ${label.title}`,
    subtitle: "dot and line: mean over seeds; bar: 95% interval (strategies nudged apart)",
  };
  const rowsOf = (param: string) =>
    sorted
      .filter((p) => p.param === param)
      .map((p) => ({
        param: p.param,
        value: p.value,
        strategy: p.strategy,
        mean: p.mean * label.factor,
        lo: p.lo * label.factor,
        hi: p.hi * label.factor,
      }));
  if (params.length > 1) {
    return {
      $schema: VL_SCHEMA,
      title,
      config: chartConfig(),
      hconcat: params.map((param) => {
        const p = panel(rowsOf(param), param, strategies, label.title);
        return { width: 300, height: CHART_HEIGHT, data: { values: p.data }, layer: p.layer };
      }),
      resolve: { scale: { color: "shared" } },
    } as TopLevelSpec;
  }
  const p = panel(rowsOf(params[0] ?? ""), params[0] ?? "parameter value", strategies, label.title);
  return {
    $schema: VL_SCHEMA,
    title,
    config: chartConfig(),
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    data: { values: p.data },
    layer: p.layer,
  } as TopLevelSpec;
}

/**
 * A two-parameter grid as heat maps: one per strategy (side by side), `xParam` across and `yParam` down, every
 * grid point a cell coloured by the metric's mean (one colour scale for all strategies) with its value
 * written in it. `xValues` and `yValues` give the axes' order (every swept value, even one without a result).
 */
export function sweepHeatmap(
  cells: readonly SweepCell[],
  metric: string,
  axes: {
    readonly xParam: string;
    readonly yParam: string;
    readonly xValues: readonly (number | string)[];
    readonly yValues: readonly (number | string)[];
  },
  strategyOrder: readonly string[] = [],
): TopLevelSpec {
  const label = metricLabel(metric);
  const strategies = strategiesOf(strategyOrder, [...new Set(cells.map((c) => c.strategy))]);
  const rank = new Map(strategies.map((s, i) => [s, i]));
  const values = [...cells]
    .sort(
      (a, b) =>
        (rank.get(a.strategy) as number) - (rank.get(b.strategy) as number) ||
        compareValues(a.y, b.y) ||
        compareValues(a.x, b.x),
    )
    .map((c) => ({ x: String(c.x), y: String(c.y), strategy: c.strategy, mean: c.mean * label.factor }));
  const x = { field: "x", type: "ordinal", title: axes.xParam, sort: axes.xValues.map(String), axis: { labelAngle: 0 } };
  const y = { field: "y", type: "ordinal", title: axes.yParam, sort: axes.yValues.map(String) };
  const means = values.map((v) => v.mean).filter(Number.isFinite);
  const mid = means.length === 0 ? 0 : (Math.min(...means) + Math.max(...means)) / 2;
  const step = Math.max(18, Math.min(48, Math.floor(360 / Math.max(axes.xValues.length, axes.yValues.length))));
  return {
    $schema: VL_SCHEMA,
    title: {
      text: `Sweep: ${label.title}`,
      subtitle: `mean over seeds at every grid point of ${axes.xParam} × ${axes.yParam}; one map per strategy, one colour scale`,
    },
    config: chartConfig(),
    data: { values },
    facet: { column: { field: "strategy", type: "nominal", title: null, sort: strategies } },
    spec: {
      // Wide enough for the parameter's name under each map.
      width: Math.max(step * axes.xValues.length, 7 * axes.xParam.length),
      height: { step },
      layer: [
        {
          mark: { type: "rect", stroke: "white", strokeWidth: 1 },
          encoding: {
            x,
            y,
            color: { field: "mean", type: "quantitative", title: label.title, scale: { scheme: "blues" }, legend: { titleLimit: 400 } },
            tooltip: [
              { field: "strategy", type: "nominal" },
              { field: "x", title: axes.xParam },
              { field: "y", title: axes.yParam },
              { field: "mean", type: "quantitative", format: ".4~g" },
            ],
          },
        },
        ...(step >= 28
          ? [
              {
                mark: { type: "text", fontSize: 9 },
                encoding: {
                  x,
                  y,
                  text: { field: "mean", type: "quantitative", format: ".3~g" },
                  // Dark text on pale cells, white on dark ones.
                  color: { condition: { test: `datum.mean > ${mid}`, value: "white" }, value: "#222222" },
                },
              },
            ]
          : []),
      ],
    },
    resolve: { scale: { color: "shared" } },
  } as TopLevelSpec;
}
