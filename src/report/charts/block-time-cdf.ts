// Chart `block-time-cdf`: the empirical CDF of block download time (end − start) per strategy, over every
// completed block of every successful run. A curve further left and steeper is better.

import type { TopLevelSpec } from "vega-lite";
import type { RunResult } from "../../sim/metrics/records.ts";
import { ordered, seconds, thin } from "./select.ts";
import { CHART_HEIGHT, CHART_WIDTH, chartConfig, strategyColour, VL_SCHEMA } from "./theme.ts";

/**
 * Largest number of CDF points per strategy; longer CDFs are thinned evenly by rank. 400 steps of 0.25% are
 * finer than a pixel of the chart's 280 px height, and each point drawn costs rendering time.
 */
export const MAX_CDF_POINTS = 400;

export interface CdfPoint {
  readonly strategy: string;
  readonly block_s: number;
  readonly fraction: number;
  /** Drawing order within the strategy's line. */
  readonly i: number;
}

/** The CDF points of each strategy, in report order: (0 at the smallest time), then (x_i, (i+1)/n). */
export function blockTimeCdfData(
  scenarioStrategies: readonly string[],
  results: readonly RunResult[],
): CdfPoint[] {
  const { runs, strategies } = ordered(scenarioStrategies, results);
  const out: CdfPoint[] = [];
  for (const strategy of strategies) {
    const times: number[] = [];
    for (const r of runs) {
      if (r.strategy !== strategy || r.error !== null) continue;
      for (const b of r.blocks)
        if (b.startUs >= 0 && b.endUs >= b.startUs) times.push(seconds(b.endUs - b.startUs));
    }
    if (times.length === 0) continue;
    times.sort((a, b) => a - b);
    const n = times.length;
    const points = thin(
      times.map((t, k) => ({ block_s: t, fraction: (k + 1) / n })),
      MAX_CDF_POINTS,
    );
    out.push({ strategy, block_s: times[0], fraction: 0, i: 0 });
    points.forEach((p, k) => {
      out.push({ strategy, ...p, i: k + 1 });
    });
  }
  return out;
}

export function blockTimeCdfChart(
  scenarioStrategies: readonly string[],
  results: readonly RunResult[],
): TopLevelSpec {
  const { strategies } = ordered(scenarioStrategies, results);
  return {
    $schema: VL_SCHEMA,
    title: {
      text: "Block download time, CDF",
      subtitle: "every completed block of every successful run",
    },
    config: chartConfig(),
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    data: { values: blockTimeCdfData(scenarioStrategies, results) },
    mark: { type: "line", interpolate: "step-after", strokeWidth: 2 },
    encoding: {
      x: {
        field: "block_s",
        type: "quantitative",
        title: "block time (s)",
        scale: { zero: false },
      },
      y: {
        field: "fraction",
        type: "quantitative",
        title: "fraction of blocks",
        scale: { domain: [0, 1] },
      },
      color: strategyColour(strategies, true),
      // Draw in rank order: ties in time (the 0 point and the first block) must not be re-sorted.
      order: { field: "i", type: "quantitative" },
    },
  };
}
