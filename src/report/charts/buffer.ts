// Chart `buffer`: seconds of content buffered ahead of the playhead over time, one panel per strategy, stalls
// shaded red and counted in each panel; the worst seed by stall time is drawn, every seed is in the spec. Only
// for scenarios with a bitrate (a player). The run records the buffer right after each change; between records
// it drains at 1 s/s while playing, which is redrawn here so the line is the true sawtooth.

import type { TopLevelSpec } from "vega-lite";
import type { RunResult } from "../../sim/metrics/records.ts";
import { runEndUs, seconds, thin } from "./select.ts";
import { CHART_WIDTH, chartConfig, strategyColour, strategyRows, VL_SCHEMA } from "./theme.ts";

/** Buffer points drawn per run at most (thinned evenly beyond). */
export const MAX_BUFFER_POINTS = 2000;
/** Stall rectangles drawn per run at most. */
export const MAX_STALLS = 1000;

interface BufferRow {
  readonly strategy: string;
  readonly seed: number;
  readonly kind: "buffer" | "stall" | "label";
  readonly text?: string;
  readonly time_s?: number;
  readonly buffer_s?: number;
  readonly i?: number;
  readonly start_s?: number;
  readonly end_s?: number;
}

/**
 * The buffer curve of a run as (time s, buffer s) points: each record, and before the next record the value
 * it drained to (playback runs from the start-up time on, at one second of content per second, down to 0).
 * After the last record it drains to 0.
 */
export function bufferCurve(run: RunResult): { time_s: number; buffer_s: number }[] {
  const series = run.bufferSeries;
  const startUs = run.metrics.startupDelayS >= 0 ? Math.round(run.metrics.startupDelayS * 1e6) : -1;
  const out: { time_s: number; buffer_s: number }[] = [];
  const drained = (fromUs: number, value: number, toUs: number) =>
    startUs >= 0 && fromUs >= startUs ? Math.max(0, value - seconds(toUs - fromUs)) : value;
  for (let k = 0; k < series.length; k++) {
    const p = series[k];
    if (k > 0) {
      const q = series[k - 1];
      if (p.timeUs > q.timeUs)
        out.push({
          time_s: seconds(p.timeUs),
          buffer_s: drained(q.timeUs, q.value, p.timeUs),
        });
    }
    out.push({ time_s: seconds(p.timeUs), buffer_s: p.value });
  }
  const last = series[series.length - 1];
  if (last !== undefined && last.value > 0 && startUs >= 0) {
    out.push({ time_s: seconds(last.timeUs) + last.value, buffer_s: 0 });
  }
  return out;
}

/** Points drawn per run at most, shrinking as runs grow so a chart of many seeds stays small. */
export function bufferPointsPerRun(runs: number): number {
  return Math.max(200, Math.min(MAX_BUFFER_POINTS, Math.floor(40_000 / Math.max(1, runs))));
}

/** Rows of the buffer chart for the given runs (every seed of every strategy), each tagged with its seed. */
export function bufferData(runs: readonly RunResult[]): BufferRow[] {
  const rows: BufferRow[] = [];
  const perRun = bufferPointsPerRun(runs.length);
  for (const run of runs) {
    thin(bufferCurve(run), perRun).forEach((p, i) => {
      rows.push({ strategy: run.strategy, seed: run.seed, kind: "buffer", ...p, i });
    });
    const end = runEndUs(run);
    for (const [a, b] of run.stalls.slice(0, MAX_STALLS)) {
      rows.push({
        strategy: run.strategy,
        seed: run.seed,
        kind: "stall",
        start_s: seconds(a),
        end_s: seconds(b >= a ? b : end),
      });
    }
    const stalls = run.metrics.stallCount;
    rows.push({
      strategy: run.strategy,
      seed: run.seed,
      kind: "label",
      text:
        run.error !== null
          ? "failed"
          : stalls > 0
            ? `${stalls} stall${stalls === 1 ? "" : "s"}, ${run.metrics.stallS.toFixed(2)} s stalled`
            : "no stall",
    });
  }
  return rows;
}

/**
 * The seed the per-run charts show by default: the one with the most stall time summed over strategies (a
 * stall is what a reader looks for), the lowest such seed on a tie, and so the first seed when nothing stalls.
 */
export function worstSeed(runs: readonly RunResult[]): number {
  const bySeed = new Map<number, number>();
  for (const r of runs) {
    const stall = r.error === null && Number.isFinite(r.metrics.stallS) ? r.metrics.stallS : 0;
    bySeed.set(r.seed, (bySeed.get(r.seed) ?? 0) + stall);
  }
  let best = Number.POSITIVE_INFINITY;
  let most = -1;
  for (const [seed, stall] of bySeed) {
    if (stall > most || (stall === most && seed < best)) {
      best = seed;
      most = stall;
    }
  }
  return best;
}

/**
 * The buffer chart: a row per strategy, one seed at a time. Every seed's data is in the spec, and a `seed`
 * parameter (a drop-down in any Vega-Lite viewer of charts/buffer.vl.json) picks the one drawn; the default is
 * `seed` (worstSeed: the rendered SVG and PNG show it). Each panel says how many stalls its run had.
 */
export function bufferChart(runs: readonly RunResult[], seed: number = worstSeed(runs)): TopLevelSpec {
  const strategies = [...new Set(runs.map((r) => r.strategy))];
  const seeds = [...new Set(runs.map((r) => r.seed))].sort((a, b) => a - b);
  const stallS = runs.filter((r) => r.seed === seed && r.error === null).reduce((t, r) => t + r.metrics.stallS, 0);
  const which =
    stallS > 0 ? `seed ${seed}, the most stall time of the ${seeds.length} seeds` : `seed ${seed} (no seed stalled)`;
  const onSeed = { filter: "datum.seed === seed" };
  return {
    $schema: VL_SCHEMA,
    title: {
      text: "Playback buffer",
      subtitle: [
        `seconds of content ahead of the playhead; red: stalls; ${which}`,
        ...(seeds.length > 1 ? ["charts/buffer.vl.json has every seed: pick one with its seed parameter"] : []),
      ],
    },
    config: chartConfig(),
    params: [{ name: "seed", value: seed, bind: { input: "select", options: seeds, name: "seed " } }],
    data: { values: bufferData(runs) },
    facet: strategyRows(strategies),
    spec: {
      width: CHART_WIDTH,
      height: 110,
      layer: [
        {
          transform: [onSeed, { filter: { field: "kind", equal: "stall" } }],
          mark: { type: "rect", color: "#e45756", opacity: 0.35 },
          encoding: {
            x: { field: "start_s", type: "quantitative", title: "time (s)" },
            x2: { field: "end_s" },
          },
        },
        {
          transform: [onSeed, { filter: { field: "kind", equal: "buffer" } }],
          mark: { type: "line", strokeWidth: 1.5 },
          encoding: {
            x: { field: "time_s", type: "quantitative", title: "time (s)" },
            y: { field: "buffer_s", type: "quantitative", title: "buffer (s)" },
            color: strategyColour(strategies, false),
            order: { field: "i", type: "quantitative" },
          },
        },
        {
          transform: [onSeed, { filter: { field: "kind", equal: "label" } }],
          mark: { type: "text", align: "right", baseline: "top", x: "width", y: 2, dx: -4, fontSize: 11, color: "#333333" },
          encoding: { text: { field: "text", type: "nominal" } },
        },
      ],
    },
  } as TopLevelSpec;
}
