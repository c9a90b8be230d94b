// The charts of a sweep folder: for each headline metric, its mean and interval per strategy against each
// swept parameter (the others at their first value), or with exactly two parameters the whole grid as heat
// maps, as charts/sweep-<metric>.{vl.json,svg,png}. Loads the chart modules (vega) on demand.

import type { TopLevelSpec } from "vega-lite";
import type { SweepCell, SweepPoint } from "../charts/sweep.ts";
import { SUMMARY_METRICS, type SummaryMetric } from "../../metrics/registry.ts";
import type { ParamValue, SweepLayout } from "./layout.ts";
import type { SweepSummary } from "./summary.ts";
import { displayName } from "./tables.ts";

/**
 * The points of one metric's sweep chart: per parameter, the grid points where every other parameter is at
 * its first value (with one parameter, every point), one per strategy with a mean.
 */
export function sweepChartPoints(summary: SweepSummary, layout: SweepLayout, metric: SummaryMetric): SweepPoint[] {
  const out: SweepPoint[] = [];
  for (const [key] of layout.params) {
    const others = layout.params.filter(([k]) => k !== key);
    for (const p of summary.points) {
      if (!others.every(([k, vs]) => p.values[k] === vs[0])) continue;
      const v = p.values[key];
      for (const s of p.strategies) {
        const m = s.metrics[metric];
        if (m === null) continue;
        out.push({
          param: key,
          value: typeof v === "boolean" ? String(v) : v,
          strategy: s.name,
          mean: m.mean,
          lo: m.ci95[0],
          hi: m.ci95[1],
        });
      }
    }
  }
  return out;
}

/** Every grid point of a two-parameter sweep, one cell per strategy with a mean (first parameter across). */
export function sweepGridCells(summary: SweepSummary, layout: SweepLayout, metric: SummaryMetric): SweepCell[] {
  const [xKey, yKey] = layout.params.map(([k]) => k);
  const plain = (v: ParamValue | undefined) => (typeof v === "boolean" || v === undefined ? String(v) : v);
  const out: SweepCell[] = [];
  for (const p of summary.points) {
    for (const s of p.strategies) {
      const m = s.metrics[metric];
      if (m === null) continue;
      out.push({ x: plain(p.values[xKey]), y: plain(p.values[yKey]), strategy: s.name, mean: m.mean });
    }
  }
  return out;
}

/** A rendered chart, for the pages that show it. */
export interface RenderedChart {
  readonly name: string;
  readonly title: string;
  readonly svg: string;
}

/** Renders every sweep chart into `files` (under charts/) and returns them for the pages; none without parameters. */
export async function renderSweepCharts(
  summary: SweepSummary,
  layout: SweepLayout,
  files: Map<string, string | Uint8Array>,
): Promise<RenderedChart[]> {
  const rendered: RenderedChart[] = [];
  if (layout.params.length === 0) return rendered;
  // The one call site of the chart modules (src/report/charts/sweep.ts, src/report/render.ts).
  const { sweepChart, sweepHeatmap } = await import("../charts/sweep.ts");
  const { renderPngAsync, renderSvg } = await import("../render.ts");
  // PNGs are rasterised off the main thread while the next chart's SVG renders.
  const pngs: Promise<void>[] = [];
  for (const metric of SUMMARY_METRICS) {
    let spec: TopLevelSpec;
    if (layout.params.length === 2) {
      // A two-parameter grid is drawn whole, as heat maps.
      const cells = sweepGridCells(summary, layout, metric);
      if (cells.length === 0) continue;
      const [[xParam, xValues], [yParam, yValues]] = layout.params;
      const plain = (vs: readonly ParamValue[]) => vs.map((v) => (typeof v === "boolean" ? String(v) : v));
      spec = sweepHeatmap(
        cells,
        metric,
        { xParam, yParam, xValues: plain(xValues), yValues: plain(yValues) },
        layout.strategies,
      );
    } else {
      const points = sweepChartPoints(summary, layout, metric);
      if (points.length === 0) continue;
      spec = sweepChart(points, metric, layout.strategies);
    }
    const name = `sweep-${metric}`;
    const svg = await renderSvg(spec);
    files.set(`charts/${name}.vl.json`, `${JSON.stringify(spec, null, 2)}\n`);
    files.set(`charts/${name}.svg`, svg);
    files.set(`charts/${name}.png`, new Uint8Array(0)); // its place in the listing; the bytes follow
    pngs.push(renderPngAsync(svg).then((png) => void files.set(`charts/${name}.png`, png)));
    rendered.push({ name, title: `Sweep: ${displayName(metric)}`, svg });
  }
  await Promise.all(pngs);
  return rendered;
}
