// The metric registry against hand-written expectations: runs.csv's header as documented in docs/outputs.md,
// every numeric RunMetrics field listed once, names that carry their unit, formats that fit the unit, and the
// selections (summary, gate) made of registered metrics with the validity the reports and the gate rely on.

import { describe, expect, it } from "vitest";
import {
  findMetric,
  GATE_CAUSES,
  GATE_METRICS,
  metricValue,
  RUN_METRICS,
  SUMMARY_METRICS,
} from "../../src/metrics/registry.ts";
import { RUNS_COLUMNS } from "../../src/report/csv.ts";
import type { RunMetrics } from "../../src/sim/metrics/records.ts";

const FIELDS_OF_RUN_METRICS: Record<Exclude<keyof RunMetrics, "fingerprint" | "peakQueueLength">, true> = {
  completionS: true,
  throughputBps: true,
  tStarRatio: true,
  tGRatio: true,
  throughputBoundS: true,
  throughputBoundRatio: true,
  meanBlockS: true,
  p95BlockS: true,
  redundantBytes: true,
  failedBytes: true,
  originBytes: true,
  rebalances: true,
  blacklisted: true,
  fallbacks: true,
  requestTimeouts: true,
  startupDelayS: true,
  stallCount: true,
  stallS: true,
  rebufferRatio: true,
  playbackLagS: true,
  events: true,
  viewers: true,
  p2pShare: true,
  originPeakBps: true,
  meanStartupDelayS: true,
  p95StartupDelayS: true,
  meanRebufferRatio: true,
  uploadFairness: true,
  trackerPeakPerS: true,
};

describe("metric registry", () => {
  it("gives runs.csv the header docs/outputs.md documents", () => {
    expect(RUNS_COLUMNS.join(",")).toBe(
      "strategy,seed,completion_s,throughput_bps,t_star_ratio,t_g_ratio,throughput_bound_s,throughput_bound_ratio," +
        "mean_block_s,p95_block_s,redundant_bytes,failed_bytes,origin_bytes,rebalances,blacklisted,fallbacks," +
        "request_timeouts,startup_delay_s,stall_count,stall_s,rebuffer_ratio,playback_lag_s,events," +
        "viewers,p2p_share_ratio,origin_peak_bps,mean_startup_delay_s,p95_startup_delay_s,mean_rebuffer_ratio,upload_fairness_ratio,tracker_peak_per_s,fingerprint,error",
    );
  });

  it("lists every numeric field of a run's metrics once", () => {
    expect(RUN_METRICS.map((m) => m.field).sort()).toEqual(Object.keys(FIELDS_OF_RUN_METRICS).sort());
  });

  it("names each metric with its unit and writes it in the unit's format", () => {
    const suffix = { s: "_s", ratio: "_ratio", bytes: "_bytes", "bit/s": "_bps", count: "" } as const;
    const format = { s: "seconds", ratio: "ratio", bytes: "integer", "bit/s": "integer", count: "integer" } as const;
    for (const m of RUN_METRICS) {
      expect(m.column.endsWith(suffix[m.unit]), m.column).toBe(true);
      expect(m.format, m.column).toBe(format[m.unit]);
      expect(m.label, m.column).toMatch(/\(.+\)$/);
    }
  });

  it("makes the summary and the gate of registered metrics; the per-block ones are valid for the block rule only", () => {
    for (const name of [...SUMMARY_METRICS, ...GATE_METRICS, ...GATE_CAUSES]) expect(findMetric(name), name).toBeDefined();
    const perBlock = (names: readonly string[]) => names.filter((n) => findMetric(n)?.validFor === "block-rule");
    expect(perBlock(SUMMARY_METRICS)).toEqual(["mean_block_s", "t_star_ratio", "t_g_ratio"]);
    expect(perBlock(GATE_METRICS)).toEqual(["mean_block_s", "p95_block_s", "t_star_ratio"]);
    expect(GATE_METRICS.filter((n) => findMetric(n)?.better !== "lower")).toEqual([]);
  });

  it("reads a metric as NaN where it does not apply", () => {
    const m = { startupDelayS: -1, throughputBoundRatio: Number.NaN, completionS: 2.5, stallS: 0 } as RunMetrics;
    expect(metricValue(m, "startup_delay_s")).toBeNaN();
    expect(metricValue(m, "throughput_bound_ratio")).toBeNaN();
    expect(metricValue(m, "completion_s")).toBe(2.5);
    expect(metricValue(m, "stall_s")).toBe(0);
  });
});
