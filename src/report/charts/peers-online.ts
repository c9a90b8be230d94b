// Chart `peers-online`: peers online over time, one step-line panel per strategy (its first seed; panels,
// because strategies sharing a world would draw the same line on top of each other). Drawn only when the
// count changes in some run (churn or arrivals).

import type { TopLevelSpec } from "vega-lite";
import type { RunResult } from "../../sim/metrics/records.ts";
import { changes, runEndUs, seconds, thin } from "./select.ts";
import { CHART_WIDTH, chartConfig, strategyColour, strategyRows, VL_SCHEMA } from "./theme.ts";

export const MAX_PEERS_POINTS = 1500;

/** True when the chart is worth drawing: some run's peer count changes. */
export function peersOnlineChanges(runs: readonly RunResult[]): boolean {
  return runs.some((r) => r.peersOnlineSeries.length > 0 && changes(r.peersOnlineSeries));
}

/** Step points per run, closed at the run's end so the last level shows. */
export function peersOnlineData(
  runs: readonly RunResult[],
): { strategy: string; time_s: number; peers: number; i: number }[] {
  const rows: { strategy: string; time_s: number; peers: number; i: number }[] = [];
  for (const run of runs) {
    const series = run.peersOnlineSeries;
    if (series.length === 0) continue;
    const last = series[series.length - 1];
    const end = Math.max(runEndUs(run), last.timeUs);
    const points = [...series, ...(end > last.timeUs ? [{ timeUs: end, value: last.value }] : [])];
    thin(points, MAX_PEERS_POINTS).forEach((p, i) => {
      rows.push({
        strategy: run.strategy,
        time_s: seconds(p.timeUs),
        peers: p.value,
        i,
      });
    });
  }
  return rows;
}

export function peersOnlineChart(runs: readonly RunResult[]): TopLevelSpec {
  const strategies = runs.map((r) => r.strategy);
  const seeds = [...new Set(runs.map((r) => r.seed))];
  return {
    $schema: VL_SCHEMA,
    title: { text: "Peers online", subtitle: `seed ${seeds.join(", ")}` },
    config: chartConfig(),
    data: { values: peersOnlineData(runs) },
    facet: strategyRows(strategies),
    spec: {
      width: CHART_WIDTH,
      height: 110,
      mark: { type: "line", interpolate: "step-after", strokeWidth: 1.5 },
      encoding: {
        x: { field: "time_s", type: "quantitative", title: "time (s)" },
        y: {
          field: "peers",
          type: "quantitative",
          title: "peers (count)",
        },
        color: strategyColour(strategies, false),
        order: { field: "i", type: "quantitative" },
      },
    },
  } as TopLevelSpec;
}
