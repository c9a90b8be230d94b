// The charts of a swarm run (issue 12), drawn only when some run has a swarm: `egress` (bit rate leaving the
// origin, the servers, the seeding peers and the viewers over time, stacked, one panel per strategy),
// `viewers-online` (viewers in the swarm over time: arrivals are common random numbers, the same for every
// strategy, but departures follow each viewer's playback, so it is one line per strategy unless they all
// coincide), and the CDFs over every viewer of every successful run of `viewer-startup-cdf` and
// `viewer-rebuffer-cdf`. Values are taken as agents.csv and series.csv write them (rounded the same way), so
// `sim report` rebuilds these charts byte for byte from the files. Every series and CDF is bounded (thinned or
// binned), whatever the number of viewers.

import type { TopLevelSpec } from "vega-lite";
import type { RunResult, SeriesPoint } from "../../sim/metrics/records.ts";
import { SOURCE_KINDS, type SourceKind } from "../../sim/metrics/swarm-records.ts";
import { formatRatio, formatSeconds } from "../csv.ts";
import { MAX_CDF_POINTS } from "./block-time-cdf.ts";
import { ordered, seconds, thin } from "./select.ts";
import { CHART_HEIGHT, CHART_WIDTH, chartConfig, strategyColour, strategyRows, VL_SCHEMA } from "./theme.ts";

/** Most time bins drawn per strategy in `egress`; longer series are merged (averaged) in equal groups of bins. */
export const MAX_EGRESS_BINS = 300;
/** Most points per strategy in `viewers-online` (evenly thinned, first and last kept). */
export const MAX_VIEWERS_POINTS = 1500;

/** Source kinds as the chart names them, with fixed colours (not strategy colours: the stack is by source). */
export const SOURCE_LABELS: Readonly<Record<SourceKind, string>> = {
  origin: "origin",
  server: "servers",
  peer: "peers",
  viewer: "viewers",
};
const SOURCE_COLOURS: Readonly<Record<SourceKind, string>> = {
  origin: "#d62728",
  server: "#9467bd",
  peer: "#8c8c8c",
  viewer: "#2ca02c",
};

export interface EgressRow {
  readonly strategy: string;
  readonly time_s: number;
  readonly source: string;
  /** Stack order: the source kind's index. */
  readonly k: number;
  readonly mbps: number;
}

/**
 * Egress rows of each run (one seed per strategy): per bin and source kind, Mbit/s as series.csv writes it
 * (whole bit/s). More than `maxBins` bins are merged in groups of g = ⌈n / maxBins⌉ consecutive bins, each group
 * drawn at its first bin's start with the mean rate of its bins (so the area, the bytes, is kept); the last group
 * is repeated at the end of the last bin so that a step line draws it.
 */
export function egressData(runs: readonly RunResult[], maxBins = MAX_EGRESS_BINS): EgressRow[] {
  const rows: EgressRow[] = [];
  for (const run of runs) {
    const s = run.swarm;
    if (s === undefined) continue;
    const n = Math.max(0, ...SOURCE_KINDS.map((k) => s.egress.bps[k].length));
    const group = Math.max(1, Math.ceil(n / maxBins));
    for (let start = 0; start < n; start += group) {
      const end = Math.min(n, start + group);
      SOURCE_KINDS.forEach((kind, k) => {
        const bps = s.egress.bps[kind];
        let sum = 0;
        for (let i = start; i < end; i++) sum += Math.round(bps[i] ?? 0);
        rows.push({
          strategy: run.strategy,
          time_s: seconds(start * s.egress.binUs),
          source: SOURCE_LABELS[kind],
          k,
          mbps: sum / (end - start) / 1e6,
        });
      });
    }
    // Close the last bin at its end, so step-after draws it.
    const last = rows.slice(-SOURCE_KINDS.length);
    if (n > 0) for (const r of last) rows.push({ ...r, time_s: seconds(n * s.egress.binUs) });
  }
  return rows;
}

export function egressChart(strategies: readonly string[], runs: readonly RunResult[]): TopLevelSpec {
  const shown = runs.filter((r) => r.swarm !== undefined);
  const binS = shown.length > 0 ? seconds((shown[0].swarm as NonNullable<RunResult["swarm"]>).egress.binUs) : 0;
  const seed = shown[0]?.seed ?? "-";
  return {
    $schema: VL_SCHEMA,
    title: {
      text: "Egress by source",
      subtitle: `seed ${seed}; bit rate sent to viewers by each kind of source, per ${binS} s bin (stacked)`,
    },
    config: chartConfig(),
    data: { values: egressData(runs) },
    facet: strategyRows(strategies.filter((s) => shown.some((r) => r.strategy === s))),
    spec: {
      width: CHART_WIDTH,
      height: 120,
      mark: { type: "area", interpolate: "step-after" },
      encoding: {
        x: { field: "time_s", type: "quantitative", title: "time (s)" },
        y: { field: "mbps", type: "quantitative", title: "egress (Mbit/s)", stack: "zero" },
        color: {
          field: "source",
          type: "nominal",
          title: "source",
          sort: SOURCE_KINDS.map((k) => SOURCE_LABELS[k]),
          scale: { domain: SOURCE_KINDS.map((k) => SOURCE_LABELS[k]), range: SOURCE_KINDS.map((k) => SOURCE_COLOURS[k]) },
        },
        order: { field: "k", type: "quantitative" },
      },
    },
  } as TopLevelSpec;
}

/** True when every run's viewers-online series is the same (then one line stands for all). */
export function sameViewersOnline(runs: readonly RunResult[]): boolean {
  const key = (r: RunResult) => (r.swarm?.viewersOnline ?? []).map((p) => `${p.timeUs}:${p.value}`).join(",");
  return runs.every((r) => key(r) === key(runs[0]));
}

/** Step points of each run's viewers online (thinned to MAX_VIEWERS_POINTS), in drawing order. */
export function viewersOnlineData(
  runs: readonly RunResult[],
): { strategy: string; time_s: number; viewers: number; i: number }[] {
  const rows: { strategy: string; time_s: number; viewers: number; i: number }[] = [];
  for (const run of runs) {
    const series: readonly SeriesPoint[] = run.swarm?.viewersOnline ?? [];
    thin(series, MAX_VIEWERS_POINTS).forEach((p, i) => {
      rows.push({ strategy: run.strategy, time_s: seconds(p.timeUs), viewers: p.value, i });
    });
  }
  return rows;
}

export function viewersOnlineChart(strategies: readonly string[], runs: readonly RunResult[]): TopLevelSpec {
  const shown = runs.filter((r) => r.swarm !== undefined);
  const seed = shown[0]?.seed ?? "-";
  const same = shown.length > 0 && sameViewersOnline(shown);
  const base = {
    $schema: VL_SCHEMA,
    config: chartConfig(),
    width: CHART_WIDTH,
    height: 160,
  };
  const x = { field: "time_s", type: "quantitative", title: "time (s)" } as const;
  const y = { field: "viewers", type: "quantitative", title: "viewers (count)" } as const;
  if (same) {
    return {
      ...base,
      title: {
        text: "Viewers online",
        subtitle: `seed ${seed}; the same for every strategy (arrivals are common random numbers, and here departures coincide too), so drawn once`,
      },
      data: { values: viewersOnlineData(shown.slice(0, 1)) },
      mark: { type: "line", interpolate: "step-after", strokeWidth: 1.5, color: "#444444" },
      encoding: { x, y, order: { field: "i", type: "quantitative" } },
    } as TopLevelSpec;
  }
  return {
    ...base,
    title: {
      text: "Viewers online",
      subtitle: `seed ${seed}; arrivals are the same for every strategy, departures follow each viewer's playback`,
    },
    data: { values: viewersOnlineData(shown) },
    mark: { type: "line", interpolate: "step-after", strokeWidth: 1.5 },
    encoding: {
      x,
      y,
      color: strategyColour(strategies.filter((s) => shown.some((r) => r.strategy === s)), true),
      order: { field: "i", type: "quantitative" },
    },
  } as TopLevelSpec;
}

/** What a viewer CDF is over. */
export type ViewerCdfMetric = "startup_delay_s" | "rebuffer_ratio";

export interface ViewerCdfPoint {
  readonly strategy: string;
  readonly value: number;
  readonly fraction: number;
  readonly i: number;
}

/**
 * Per strategy (report order), the empirical CDF of a viewer figure over every viewer whose playback started,
 * of every successful run, as agents.csv writes it: (smallest, 0), then for each distinct value x the fraction of
 * viewers at or below it, thinned evenly by rank to MAX_CDF_POINTS.
 */
export function viewerCdfData(
  scenarioStrategies: readonly string[],
  results: readonly RunResult[],
  metric: ViewerCdfMetric,
  maxPoints = MAX_CDF_POINTS,
): ViewerCdfPoint[] {
  const { runs, strategies } = ordered(scenarioStrategies, results);
  const out: ViewerCdfPoint[] = [];
  for (const strategy of strategies) {
    const xs: number[] = [];
    for (const r of runs) {
      if (r.strategy !== strategy || r.error !== null) continue;
      for (const a of r.swarm?.agents ?? []) {
        if (a.startupDelayS < 0) continue;
        xs.push(metric === "startup_delay_s" ? Number(formatSeconds(a.startupDelayS)) : Number(formatRatio(a.rebufferRatio)));
      }
    }
    if (xs.length === 0) continue;
    xs.sort((a, b) => a - b);
    const n = xs.length;
    // One point per distinct value (the last of its ties: the same steps, far fewer points when many viewers
    // share a value, as a rebuffer ratio of 0), then thinned by rank.
    const steps: { value: number; fraction: number }[] = [];
    xs.forEach((value, k) => {
      if (k + 1 < n && xs[k + 1] === value) return;
      steps.push({ value, fraction: (k + 1) / n });
    });
    const points = thin(steps, maxPoints);
    out.push({ strategy, value: xs[0], fraction: 0, i: 0 });
    points.forEach((p, k) => out.push({ strategy, ...p, i: k + 1 }));
  }
  return out;
}

export function viewerCdfChart(
  scenarioStrategies: readonly string[],
  results: readonly RunResult[],
  metric: ViewerCdfMetric,
): TopLevelSpec {
  const data = viewerCdfData(scenarioStrategies, results, metric);
  const strategies = ordered(scenarioStrategies, results).strategies.filter((s) => data.some((p) => p.strategy === s));
  const startup = metric === "startup_delay_s";
  return {
    $schema: VL_SCHEMA,
    title: {
      text: startup ? "Viewer start-up delay, CDF" : "Viewer rebuffer ratio, CDF",
      subtitle: "every viewer whose playback started, of every successful run",
    },
    config: chartConfig(),
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    data: { values: data },
    mark: { type: "line", interpolate: "step-after", strokeWidth: 2 },
    encoding: {
      x: {
        field: "value",
        type: "quantitative",
        title: startup ? "start-up delay (s)" : "rebuffer ratio (stall / watch time)",
        scale: { zero: false },
      },
      y: { field: "fraction", type: "quantitative", title: "fraction of viewers", scale: { domain: [0, 1] } },
      color: strategyColour(strategies, true),
      order: { field: "i", type: "quantitative" },
    },
  } as TopLevelSpec;
}

/** True when some run is a swarm run. */
export function hasSwarm(results: readonly RunResult[]): boolean {
  return results.some((r) => r.swarm !== undefined);
}
