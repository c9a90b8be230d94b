// The look every chart shares: the font (the DejaVu Sans shipped in src/report/fonts, so the PNG renderer
// needs no system font), sizes, the strategy colours (fixed per name) and the sub-block outcome colours. Kept in the
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

/** The shipped strategies' colours (Tableau 10), fixed: a strategy looks the same in every report. */
export const SHIPPED_STRATEGY_COLOURS: Readonly<Record<string, string>> = {
  static: "#4c78a8",
  index: "#f58518",
  rebalance: "#54a24b",
  pull: "#e45756",
  pipelined: "#72b7b2",
  endgame: "#b279a2",
  ecf: "#eeca3b",
  eft: "#9d755d",
  oracle: "#ff9da6",
};

/** Two hex digits of a channel in [0, 1]. */
function hex2(x: number): string {
  return Math.round(Math.max(0, Math.min(1, x)) * 255)
    .toString(16)
    .padStart(2, "0");
}

/** An HSL colour (h in degrees, s and l in [0, 1]) as #rrggbb. */
export function hslHex(h: number, s: number, l: number): string {
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    return l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
  };
  return `#${hex2(f(0))}${hex2(f(8))}${hex2(f(4))}`;
}

/**
 * A strategy's colour: fixed for the shipped ones; for any other, derived from its name (FNV-1a hash → hue,
 * at a saturation and lightness that stay readable on white), so a user's strategy keeps its colour too.
 */
export function strategyColourOf(name: string): string {
  const fixed = Object.hasOwn(SHIPPED_STRATEGY_COLOURS, name) ? SHIPPED_STRATEGY_COLOURS[name] : undefined;
  if (fixed !== undefined) return fixed;
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  const lightness = [0.38, 0.5, 0.44][h % 3];
  return hslHex((h >>> 8) % 360, 0.55, lightness);
}

/** Sub-block outcomes in legend order, with fixed colours (green ok, red corrupt, ...). */
export const OUTCOMES = ["ok", "corrupt", "dropped", "cancelled", "duplicate"] as const;
export const OUTCOME_COLOURS: readonly string[] = ["#54a24b", "#e45756", "#f58518", "#9d9d9d", "#b279a2"];

/** A strategy colour scale: each strategy in the report's order with its own colour (same in every report). */
export function strategyScale(strategies: readonly string[]): {
  domain: string[];
  range: string[];
} {
  return { domain: [...strategies], range: strategies.map(strategyColourOf) };
}

/**
 * The colour channel of the strategy field: the shared scale, with a legend (in strategy order; swatches are
 * opaque strokes in the line colour, whatever pale band shares the scale) or none.
 */
export function strategyColour(strategies: readonly string[], legend: boolean) {
  return legend
    ? ({
        field: "strategy",
        type: "nominal",
        title: "strategy",
        scale: strategyScale(strategies),
        sort: null,
        legend: { symbolType: "stroke", symbolStrokeWidth: 3, symbolOpacity: 1 },
      } as const)
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
