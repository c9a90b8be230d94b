// The charts of a run folder and the pages that show them: chartSpecs picks which charts a scenario gets
// (buffer only with a bitrate, peers-online only when the count changes, one waterfall per strategy, sweep
// charts when given; the per-run charts show the seed with the most stall time) and buildCharts renders them to
// charts/<name>.{vl.json,svg,png} plus index.html and summary.md (each opening with the verdict), all as file
// name → content for writeOutputDir.

import type { TopLevelSpec } from "vega-lite";
import { assert } from "../../assert.ts";
import type { LoadedScenario } from "../../scenario/load.ts";
import type { RunResult } from "../../sim/metrics/records.ts";
import { buildIndexHtml } from "../html.ts";
import { buildSummaryMd } from "../markdown.ts";
import type { RenderWorker } from "../render-client.ts";
import { provenanceLine } from "../provenance.ts";
import { verdictOf } from "../verdict.ts";
import { blockTimeCdfChart } from "./block-time-cdf.ts";
import { bufferChart, worstSeed } from "./buffer.ts";
import { metricLabel } from "./labels.ts";
import { metricsChart } from "./metrics.ts";
import type { RenderedCharts } from "./render-all.ts";
import { peersOnlineChanges, peersOnlineChart } from "./peers-online.ts";
import { ordered, runEndUs, seconds, seedRuns } from "./select.ts";
import { egressChart, hasSwarm, viewerCdfChart, viewersOnlineChart } from "./swarm.ts";
import { type SweepPoint, sweepChart, sweepChartName } from "./sweep.ts";
import { defaultTables, type ReportTable } from "./tables.ts";
import { MAX_WATERFALL_SEGMENTS, waterfallChart } from "./waterfall.ts";

export type { ReportTable } from "./tables.ts";
export type { SweepPoint } from "./sweep.ts";
export { sweepChart } from "./sweep.ts";
export { defaultTables } from "./tables.ts";

export interface ChartEntry {
  /** File stem under charts/. */
  readonly name: string;
  /** Heading on index.html. */
  readonly title: string;
  readonly spec: TopLevelSpec;
}

export interface ChartOptions {
  /** Bars drawn per waterfall at most; default MAX_WATERFALL_SEGMENTS. */
  readonly maxWaterfallSegments?: number;
  /** Sweep charts to add, one per metric. */
  readonly sweeps?: readonly {
    readonly metric: string;
    readonly points: readonly SweepPoint[];
  }[];
}

export interface BuildChartsOptions extends ChartOptions {
  /** Tables for index.html and summary.md; default defaultTables(scenario, results). */
  readonly tables?: readonly ReportTable[];
  /** Extra notes shown under the tables (the report adds its own about omitted or capped charts). */
  readonly notes?: readonly string[];
  /** Write charts/<name>.png too; default true. */
  readonly png?: boolean;
  /** PNG zoom over the SVG size; default render.ts's DEFAULT_PNG_SCALE. */
  readonly pngScale?: number;
  /**
   * Called once: every SVG and page built, while the last PNGs rasterise on other threads (then awaited); with a
   * worker, while the worker renders.
   */
  readonly meanwhile?: () => void;
  /**
   * A render worker (render-client.ts) to render the charts on, with vega loaded there already; when it fails,
   * the charts render in-process instead (same bytes). Without it, vega loads and renders on this thread.
   */
  readonly worker?: RenderWorker | null;
}

/** A file-name-safe form of a strategy name. */
export function fileStem(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]/g, "_");
}

/** The charts a report draws, in page order, with the notes that explain omitted or capped ones. */
export function chartSpecs(
  loaded: LoadedScenario,
  results: readonly RunResult[],
  opts: ChartOptions = {},
): { charts: ChartEntry[]; notes: string[] } {
  const scenario = loaded.scenario;
  const charts: ChartEntry[] = [];
  const notes: string[] = [];
  const failed = results.filter((r) => r.error !== null);
  if (failed.length > 0) {
    notes.push(
      `${failed.length} of ${results.length} runs failed (${failed.map((r) => `${r.strategy} seed ${r.seed}`).join(", ")}); statistics and the CDF leave them out.`,
    );
  }
  for (const s of opts.sweeps ?? []) {
    charts.push({
      name: sweepChartName(fileStem(s.metric)),
      title: `Sweep: ${metricLabel(s.metric).title}`,
      spec: sweepChart(s.points, s.metric, scenario.strategies),
    });
  }
  if (results.length === 0) {
    notes.push("no runs: no per-run charts.");
    return { charts, notes };
  }
  charts.push({
    name: "metrics",
    title: "Metrics per strategy (mean and 95% interval)",
    spec: metricsChart(scenario, results),
  });
  charts.push({
    name: "block-time-cdf",
    title: "Block download time (CDF)",
    spec: blockTimeCdfChart(scenario.strategies, results),
  });
  // The per-run charts show one seed: the worst by stall time (the first seed when nothing stalled).
  const seed = worstSeed(results);
  const shown = seedRuns(scenario.strategies, results, seed);
  if (scenario.content.bitrate_bps > 0) {
    charts.push({
      name: "buffer",
      title: `Playback buffer (seed ${seed}${results.some((r) => r.metrics.stallS > 0) ? ", the most stall time" : ""})`,
      spec: bufferChart(ordered(scenario.strategies, results).runs, seed),
    });
  } else {
    notes.push("no bitrate (a plain download): no buffer chart.");
  }
  if (peersOnlineChanges(shown)) {
    charts.push({
      name: "peers-online",
      title: `Peers online (seed ${seed})`,
      spec: peersOnlineChart(shown),
    });
  }
  if (hasSwarm(results)) {
    const strategies = ordered(scenario.strategies, results).strategies;
    charts.push(
      { name: "egress", title: `Egress by source (seed ${seed})`, spec: egressChart(strategies, shown) },
      { name: "viewers-online", title: `Viewers online (seed ${seed})`, spec: viewersOnlineChart(strategies, shown) },
      {
        name: "viewer-startup-cdf",
        title: "Viewer start-up delay (CDF)",
        spec: viewerCdfChart(scenario.strategies, results, "startup_delay_s"),
      },
      {
        name: "viewer-rebuffer-cdf",
        title: "Viewer rebuffer ratio (CDF)",
        spec: viewerCdfChart(scenario.strategies, results, "rebuffer_ratio"),
      },
    );
  }
  // One time axis for every waterfall: the latest end of the runs drawn.
  const endS = Math.max(0, ...shown.map((r) => seconds(runEndUs(r))));
  for (const run of shown) {
    charts.push({
      name: `waterfall-${fileStem(run.strategy)}`,
      title: `Sub-block waterfall: ${run.strategy} (seed ${run.seed})`,
      spec: waterfallChart(run, { maxSegments: opts.maxWaterfallSegments ?? MAX_WATERFALL_SEGMENTS, endS }),
    });
  }
  return { charts, notes };
}

/** Indices of charts in the order buildCharts renders them: waterfalls first, otherwise page order. */
export function renderOrder(charts: readonly ChartEntry[]): number[] {
  const isWaterfall = (c: ChartEntry) => c.name.startsWith("waterfall-");
  const all = charts.map((_, i) => i);
  return [...all.filter((i) => isWaterfall(charts[i])), ...all.filter((i) => !isWaterfall(charts[i]))];
}

/** The JSON text of a spec as saved in charts/<name>.vl.json. */
export function specJson(spec: TopLevelSpec): string {
  return `${JSON.stringify(spec, null, 2)}\n`;
}

/**
 * Every report file: charts/<name>.vl.json, .svg and .png for each chart, index.html and summary.md. Same
 * input ⇒ same bytes.
 */
export async function buildCharts(
  loaded: LoadedScenario,
  results: readonly RunResult[],
  opts: BuildChartsOptions = {},
): Promise<Map<string, string | Uint8Array>> {
  const { charts, notes } = chartSpecs(loaded, results, opts);
  const files = new Map<string, string | Uint8Array>();
  // PNGs are rasterised off the main thread while the next chart's SVG renders. The waterfalls, the slowest to
  // rasterise, render first so that their PNGs do not trail the last SVG; files are listed in chart order.
  const png = opts.png ?? true;
  const req = {
    specs: charts.map((c) => c.spec),
    order: renderOrder(charts),
    png,
    ...(opts.pngScale !== undefined ? { pngScale: opts.pngScale } : {}),
  };
  let done: RenderedCharts | undefined;
  const worker = opts.worker ?? null;
  let meanwhileDone = false;
  if (worker !== null) {
    try {
      const rendering = worker.render(req);
      rendering.catch(() => undefined); // awaited just below
      // The caller's other work runs on this thread while the worker renders.
      meanwhileDone = true;
      opts.meanwhile?.();
      const reply = await rendering;
      assert(reply.svgs.length === charts.length, "buildCharts: the render worker returned {0} SVGs", reply.svgs.length);
      assert(reply.pngs === null || reply.pngs.length === charts.length, "buildCharts: the render worker returned {0} PNGs", reply.pngs?.length ?? 0);
      done = { svgs: reply.svgs, ...(reply.pngs !== null ? { pngs: reply.pngs.map((p) => Promise.resolve(p)) } : {}) };
    } catch {
      done = undefined; // the worker failed: render here instead (the same bytes), never lose the report
    } finally {
      worker.close();
    }
  }
  // Loaded on demand: with a worker, vega never loads on this thread.
  done ??= await (await import("./render-all.ts")).renderAll(req);
  const { svgs, pngs } = done;
  const rendered = charts.map((c, i) => ({ name: c.name, title: c.title, svg: svgs[i] }));
  const tables = opts.tables ?? defaultTables(loaded.scenario, results);
  const allNotes = [...(opts.notes ?? []), ...notes];
  const provenance = provenanceLine(loaded.scenario, results);
  const verdict = verdictOf(loaded.scenario, results);
  const page = { scenario: loaded.scenario, tables, charts: rendered, notes: allNotes, provenance, verdict };
  const indexHtml = buildIndexHtml(page);
  const summaryMd = buildSummaryMd(page);
  // The last PNGs are still rasterising: the caller's other work goes here, on the main thread meanwhile.
  if (!meanwhileDone) opts.meanwhile?.();
  for (const [i, c] of charts.entries()) {
    files.set(`charts/${c.name}.vl.json`, specJson(c.spec));
    files.set(`charts/${c.name}.svg`, svgs[i]);
    if (png && pngs !== undefined) files.set(`charts/${c.name}.png`, await pngs[i]);
  }
  files.set("index.html", indexHtml);
  files.set("summary.md", summaryMd);
  return files;
}
