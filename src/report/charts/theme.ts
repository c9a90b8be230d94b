// The look every chart shares: the font (the DejaVu Sans shipped in src/report/fonts, so the PNG renderer
// needs no system font), sizes, the strategy colour order and the sub-block outcome colours. Kept in the
// spec's own `config`, so a saved .vl.json renders the same in any Vega-Lite tool.

import type { Config } from "vega-lite";

/** The family the renderer loads from src/report/fonts; browsers without it fall back to their sans-serif. */
export const FONT_FAMILY = "DejaVu Sans";

/** The font the SVG names: unquoted CSS family list (valid in SVG attributes without escaping). */
export const FONT_STACK = `${FONT_FAMILY}, Verdana, sans-serif`;

/** Vega-Lite schema the specs declare (a name only: nothing is fetched). */
export const VL_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";

/** Default plot size in px. */
export const CHART_WIDTH = 560;
export const CHART_HEIGHT = 280;

/** Strategy colours: Tableau 10, given in order to the strategies in their report order. */
export const STRATEGY_COLOURS: readonly string[] = [
  "#4c78a8",
  "#f58518",
  "#54a24b",
  "#e45756",
  "#72b7b2",
  "#b279a2",
  "#eeca3b",
  "#9d755d",
  "#ff9da6",
  "#bab0ac",
];

/** Sub-block outcomes in legend order, with fixed colours (green ok, red corrupt, ...). */
export const OUTCOMES = ["ok", "corrupt", "dropped", "cancelled", "duplicate"] as const;
export const OUTCOME_COLOURS: readonly string[] = ["#54a24b", "#e45756", "#f58518", "#9d9d9d", "#b279a2"];

/** A strategy colour scale whose domain is the report's strategy order (same colour in every chart). */
export function strategyScale(strategies: readonly string[]): {
  domain: string[];
  range: string[];
} {
  return {
    domain: [...strategies],
    range: strategies.map((_, i) => STRATEGY_COLOURS[i % STRATEGY_COLOURS.length]),
  };
}

/** The colour channel of the strategy field: the shared scale, with a legend (in strategy order) or none. */
export function strategyColour(strategies: readonly string[], legend: boolean) {
  return legend
    ? ({ field: "strategy", type: "nominal", title: "strategy", scale: strategyScale(strategies), sort: null } as const)
    : ({ field: "strategy", type: "nominal", scale: strategyScale(strategies), legend: null } as const);
}

/** A facet with one row per strategy, in the report's strategy order, unlabelled (the rows say it). */
export function strategyRows(strategies: readonly string[]) {
  return { row: { field: "strategy", type: "nominal", title: null, sort: [...strategies] } } as const;
}

/** Tooltip fields of a mean and its bootstrap 95% interval (fields mean, lo, hi). */
export const INTERVAL_TOOLTIP = [
  { field: "mean", type: "quantitative", format: ".4~g" },
  { field: "lo", type: "quantitative", format: ".4~g", title: "95% CI low" },
  { field: "hi", type: "quantitative", format: ".4~g", title: "95% CI high" },
] as const;

/** The shared config: font everywhere, white background, no chart border. */
export function chartConfig(): Config {
  return {
    font: FONT_STACK,
    background: "white",
    padding: 8,
    view: { stroke: null },
    title: { fontSize: 14, anchor: "start", subtitleFontSize: 11 },
    axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: "normal" },
    legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: "normal" },
    header: { labelFontSize: 12, titleFontSize: 12 },
  };
}
