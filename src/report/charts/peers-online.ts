// Chart `peers-online`: peers online over time, one step line for the seed the report shows (every strategy
// meets the same world, so it is drawn once). Drawn only when the count changes in some run (churn or
// arrivals).

import type { TopLevelSpec } from "vega-lite";
import type { RunResult } from "../../sim/metrics/records.ts";
import { changes, runEndUs, seconds, thin } from "./select.ts";
import { CHART_WIDTH, chartConfig, VL_SCHEMA } from "./theme.ts";

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

/**
 * Peers online, drawn once: every strategy of a seed meets the same world, so one run's series (the first
 * strategy's whose count changes) stands for all of them.
 */
export function peersOnlineChart(runs: readonly RunResult[]): TopLevelSpec {
  const run = runs.find((r) => r.peersOnlineSeries.length > 0 && changes(r.peersOnlineSeries)) ?? runs[0];
  const rows = run === undefined ? [] : peersOnlineData([run]);
  return {
    $schema: VL_SCHEMA,
    title: {
      text: "Peers online",
      subtitle: `seed ${run?.seed ?? "-"}; the same for every strategy (they meet the same world), so drawn once`,
    },
    config: chartConfig(),
    data: { values: rows },
    width: CHART_WIDTH,
    height: 140,
    mark: { type: "line", interpolate: "step-after", strokeWidth: 1.5, color: "#444444" },
    encoding: {
      x: { field: "time_s", type: "quantitative", title: "time (s)" },
      y: { field: "peers", type: "quantitative", title: "peers (count)" },
      order: { field: "i", type: "quantitative" },
    },
  } as TopLevelSpec;
}
