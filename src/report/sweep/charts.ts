// The charts of a sweep folder: for each headline metric, its mean and interval per strategy against each
// swept parameter (the others at their first value), as charts/sweep-<metric>.{vl.json,svg,png}. Loads the
// chart modules (vega) on demand.

import type { TopLevelSpec } from "vega-lite";
import type { SweepPoint } from "../charts/sweep.ts";
import { SUMMARY_METRICS, type SummaryMetric } from "../../metrics/registry.ts";
import type { SweepLayout } from "./layout.ts";
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
  const { sweepChart } = await import("../charts/sweep.ts");
  const { renderPng, renderSvg } = await import("../render.ts");
  for (const metric of SUMMARY_METRICS) {
    const points = sweepChartPoints(summary, layout, metric);
    if (points.length === 0) continue;
    const spec: TopLevelSpec = sweepChart(points, metric, layout.strategies);
    const name = `sweep-${metric}`;
    const svg = await renderSvg(spec);
    files.set(`charts/${name}.vl.json`, `${JSON.stringify(spec, null, 2)}\n`);
    files.set(`charts/${name}.svg`, svg);
    files.set(`charts/${name}.png`, renderPng(svg));
    rendered.push({ name, title: `Sweep: ${displayName(metric)}`, svg });
  }
  return rendered;
}
