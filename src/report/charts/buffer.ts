// Chart `buffer`: seconds of content buffered ahead of the playhead over time, one panel per strategy (its
// first seed), stalls shaded red. Only for scenarios with a bitrate (a player). The run records the buffer
// right after each change; between records it drains at 1 s/s while playing, which is redrawn here so the
// line is the true sawtooth.

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
  readonly kind: "buffer" | "stall";
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

/** Rows of the buffer chart for the given runs (one per strategy). */
export function bufferData(runs: readonly RunResult[]): BufferRow[] {
  const rows: BufferRow[] = [];
  for (const run of runs) {
    thin(bufferCurve(run), MAX_BUFFER_POINTS).forEach((p, i) => {
      rows.push({ strategy: run.strategy, kind: "buffer", ...p, i });
    });
    const end = runEndUs(run);
    for (const [a, b] of run.stalls.slice(0, MAX_STALLS)) {
      rows.push({
        strategy: run.strategy,
        kind: "stall",
        start_s: seconds(a),
        end_s: seconds(b >= a ? b : end),
      });
    }
  }
  return rows;
}

/** The buffer chart of the given runs (each strategy's first seed), one row per strategy. */
export function bufferChart(runs: readonly RunResult[]): TopLevelSpec {
  const strategies = runs.map((r) => r.strategy);
  const seeds = [...new Set(runs.map((r) => r.seed))];
  return {
    $schema: VL_SCHEMA,
    title: {
      text: "Playback buffer",
      subtitle: `seconds of content ahead of the playhead; red: stalls (seed ${seeds.join(", ")})`,
    },
    config: chartConfig(),
    data: { values: bufferData(runs) },
    facet: strategyRows(strategies),
    spec: {
      width: CHART_WIDTH,
      height: 110,
      layer: [
        {
          transform: [{ filter: { field: "kind", equal: "stall" } }],
          mark: { type: "rect", color: "#e45756", opacity: 0.25 },
          encoding: {
            x: { field: "start_s", type: "quantitative", title: "time (s)" },
            x2: { field: "end_s" },
          },
        },
        {
          transform: [{ filter: { field: "kind", equal: "buffer" } }],
          mark: { type: "line", strokeWidth: 1.5 },
          encoding: {
            x: { field: "time_s", type: "quantitative", title: "time (s)" },
            y: { field: "buffer_s", type: "quantitative", title: "buffer (s)" },
            color: strategyColour(strategies, false),
            order: { field: "i", type: "quantitative" },
          },
        },
      ],
    },
  } as TopLevelSpec;
}
