// The swarm parts of a report (issue 12) on hand-made runs: the viewer CDFs (from known start-up delays and
// rebuffer ratios, rounded as agents.csv writes them, bounded in points), the egress stack (bins merged by
// their mean), viewers online (one line when every strategy's is the same), the swarm tables and verdict lines
// (hand-computed means and paired differences), nothing of it in a single-agent report, and a swarm run read
// back from its folder with the values agents.csv and series.csv write.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeOutputDir } from "../../src/files/output-folder.ts";
import { buildRunOutputs } from "../../src/report/outputs.ts";
import { readRunOutputs } from "../../src/report/read.ts";
import { MAX_CDF_POINTS } from "../../src/report/charts/block-time-cdf.ts";
import { chartSpecs, defaultTables } from "../../src/report/charts/index.ts";
import { egressData, viewerCdfData, viewersOnlineChart } from "../../src/report/charts/swarm.ts";
import { verdictOf } from "../../src/report/verdict.ts";
import type { RunMetrics, RunResult } from "../../src/sim/metrics/records.ts";
import type { AgentRow, SeriesPoint, SwarmResult } from "../../src/sim/metrics/swarm-records.ts";
import { fakeLoaded, fakeRunResult } from "./fixtures.ts";

function viewer(i: number, startupDelayS: number, rebufferRatio = 0): AgentRow {
  return {
    viewer: `v#${i}`,
    group: "v",
    strategy: "static",
    arrivalUs: 0,
    playAtUs: 0,
    startupDelayS,
    stallCount: 0,
    stallS: 0,
    rebufferRatio,
    playbackLagS: -1,
    completionUs: 1_000_000,
    departureUs: 2_000_000,
    departure: "left",
    bytesFrom: { origin: 0, server: 0, peer: 1, viewer: 0 },
    uploadedBytes: 0,
  };
}

interface SwarmRunOptions {
  readonly strategy?: string;
  readonly seed?: number;
  readonly agents?: readonly AgentRow[];
  readonly online?: readonly SeriesPoint[];
  readonly metrics?: Partial<RunMetrics>;
  readonly egress?: SwarmResult["egress"];
}

function swarmRun(o: SwarmRunOptions): RunResult {
  const base = fakeRunResult({
    strategy: o.strategy ?? "static",
    seed: o.seed ?? 1,
    metrics: { viewers: o.agents?.length ?? 1, p2pShare: 0.5, ...o.metrics },
  });
  const swarm: SwarmResult = {
    agents: o.agents ?? [viewer(0, 1)],
    metrics: {
      viewers: 1,
      p2pShare: 0.5,
      originPeakBps: 0,
      meanStartupDelayS: 1,
      p95StartupDelayS: 1,
      meanRebufferRatio: 0,
      uploadFairness: 1,
      trackerPeakPerS: 1,
      meanPlaybackLagS: Number.NaN,
    },
    viewersOnline: o.online ?? [{ timeUs: 0, value: 1 }],
    egress: o.egress ?? { binUs: 1_000_000, bps: { origin: [0], server: [0], peer: [0], viewer: [0] } },
    trackerLoad: [],
  };
  return { ...base, swarm };
}

describe("viewer CDFs", () => {
  it("start-up delay: (smallest, 0), then each sorted delay at k/n; viewers that never played are left out", () => {
    const run = swarmRun({ agents: [viewer(0, 0.5), viewer(1, 0.1), viewer(2, -1), viewer(3, 0.3), viewer(4, 0.2)] });
    const points = viewerCdfData(["static"], [run], "startup_delay_s");
    expect(points.map((p) => [p.value, p.fraction])).toEqual([
      [0.1, 0],
      [0.1, 0.25],
      [0.2, 0.5],
      [0.3, 0.75],
      [0.5, 1],
    ]);
    expect(points.map((p) => p.i)).toEqual([0, 1, 2, 3, 4]);
  });

  it("rebuffer ratio: values as agents.csv writes them (4 decimals), over every seed, per strategy", () => {
    const runs = [
      swarmRun({ strategy: "static", seed: 1, agents: [viewer(0, 1, 0.123456), viewer(1, 1, 0)] }),
      swarmRun({ strategy: "static", seed: 2, agents: [viewer(0, 1, 0.5)] }),
      swarmRun({ strategy: "index", seed: 1, agents: [viewer(0, 1, 0.25)] }),
    ];
    const points = viewerCdfData(["static", "index"], runs, "rebuffer_ratio");
    expect(points.map((p) => [p.strategy, p.value, p.fraction])).toEqual([
      ["static", 0, 0],
      ["static", 0, 1 / 3],
      ["static", 0.1235, 2 / 3],
      ["static", 0.5, 1],
      ["index", 0.25, 0],
      ["index", 0.25, 1],
    ]);
  });

  it("ties make one step: the fraction of viewers at or below each distinct value", () => {
    const run = swarmRun({ agents: [viewer(0, 1, 0), viewer(1, 1, 0.2), viewer(2, 1, 0), viewer(3, 1, 0)] });
    const points = viewerCdfData(["static"], [run], "rebuffer_ratio");
    expect(points.map((p) => [p.value, p.fraction])).toEqual([
      [0, 0],
      [0, 0.75],
      [0.2, 1],
    ]);
  });

  it("stays bounded with thousands of viewers: at most MAX_CDF_POINTS + 1 points, ending at the largest at 1", () => {
    const agents = Array.from({ length: 5000 }, (_, i) => viewer(i, (5000 - i) / 1000));
    const points = viewerCdfData(["static"], [swarmRun({ agents })], "startup_delay_s");
    expect(points).toHaveLength(MAX_CDF_POINTS + 1);
    expect(points[0]).toMatchObject({ value: 0.001, fraction: 0 });
    expect(points[points.length - 1]).toMatchObject({ value: 5, fraction: 1 });
  });
});

describe("egress", () => {
  const egress = {
    binUs: 5_000_000,
    bps: { origin: [1e6, 3e6], server: [0, 0], peer: [2e6, 0], viewer: [0, 4e6] },
  };

  it("a row per bin and source kind in Mbit/s, the last bin closed at its end", () => {
    const rows = egressData([swarmRun({ egress })]);
    const at = (t: number) => rows.filter((r) => r.time_s === t).map((r) => [r.source, r.mbps]);
    expect(at(0)).toEqual([["origin", 1], ["servers", 0], ["peers", 2], ["viewers", 0]]);
    expect(at(5)).toEqual([["origin", 3], ["servers", 0], ["peers", 0], ["viewers", 4]]);
    expect(at(10)).toEqual(at(5));
    expect(rows).toHaveLength(12);
  });

  it("merges bins beyond the limit by their mean rate (the bytes are kept)", () => {
    const rows = egressData([swarmRun({ egress })], 1);
    expect(rows.map((r) => [r.time_s, r.source, r.mbps])).toEqual([
      [0, "origin", 2],
      [0, "servers", 0],
      [0, "peers", 1],
      [0, "viewers", 2],
      [10, "origin", 2],
      [10, "servers", 0],
      [10, "peers", 1],
      [10, "viewers", 2],
    ]);
  });
});

describe("viewers online", () => {
  const a = [
    { timeUs: 0, value: 2 },
    { timeUs: 3_000_000, value: 1 },
  ];
  const b = [
    { timeUs: 0, value: 2 },
    { timeUs: 4_000_000, value: 1 },
  ];

  it("is drawn once when every strategy's series is the same", () => {
    const spec = viewersOnlineChart(["static", "index"], [
      swarmRun({ strategy: "static", online: a }),
      swarmRun({ strategy: "index", online: a }),
    ]) as { data: { values: { strategy: string }[] }; encoding: Record<string, unknown> };
    expect(spec.data.values.map((v) => v.strategy)).toEqual(["static", "static"]);
    expect(spec.encoding.color).toBeUndefined();
  });

  it("is a line per strategy when departures differ", () => {
    const spec = viewersOnlineChart(["static", "index"], [
      swarmRun({ strategy: "static", online: a }),
      swarmRun({ strategy: "index", online: b }),
    ]) as { data: { values: { strategy: string; time_s: number }[] }; encoding: { color: { scale: { domain: string[] } } } };
    expect(spec.data.values.map((v) => [v.strategy, v.time_s])).toEqual([
      ["static", 0],
      ["static", 3],
      ["index", 0],
      ["index", 4],
    ]);
    expect(spec.encoding.color.scale.domain).toEqual(["static", "index"]);
  });
});

describe("swarm tables, verdict and charts", () => {
  const loaded = fakeLoaded({ strategies: ["static", "rebalance"] });
  // P2P share: static 0.5, 0.7 (mean 0.6); rebalance 0.8, 0.9 (mean 0.85); paired differences 0.3, 0.2.
  const runs = [
    swarmRun({ strategy: "static", seed: 1, metrics: { p2pShare: 0.5 } }),
    swarmRun({ strategy: "static", seed: 2, metrics: { p2pShare: 0.7 } }),
    swarmRun({ strategy: "rebalance", seed: 1, metrics: { p2pShare: 0.8 } }),
    swarmRun({ strategy: "rebalance", seed: 2, metrics: { p2pShare: 0.9 } }),
  ];

  it("adds swarm means and differences tables", () => {
    const tables = defaultTables(loaded.scenario, runs);
    const means = tables.find((t) => t.title === "Swarm: means over seeds");
    const p2p = means?.rows.find((r) => r[0].startsWith("P2P share"));
    expect(p2p?.[0]).toBe("P2P share of delivered bytes (ratio) ↑");
    expect(p2p?.[1]).toBe("0.6000 [0.5000, 0.7000]");
    expect(p2p?.[2]).toBe("0.8500 [0.8000, 0.9000]");
    const diff = tables.find((t) => t.title === "Swarm: difference to static");
    expect(diff?.rows.find((r) => r[0].startsWith("P2P share"))?.[1]).toBe("+0.2500 (+41.7%) [+0.2000, +0.3000]");
  });

  it("judges the P2P share in the verdict (higher is better)", () => {
    const line = verdictOf(loaded.scenario, runs).lines.find((l) => l.metric === "p2p_share_ratio");
    expect(line?.best).toBe("rebalance");
    expect(line?.kind).toBe("supported");
    expect(line?.text).toContain("P2P share of delivered bytes (higher is better): rebalance is best with 0.8500 against 0.6000 for static");
  });

  it("draws the swarm charts only for swarm runs", () => {
    const names = (rs: RunResult[]) => chartSpecs(loaded, rs).charts.map((c) => c.name);
    expect(names(runs)).toEqual(expect.arrayContaining(["egress", "viewers-online", "viewer-startup-cdf", "viewer-rebuffer-cdf"]));
    const single = [fakeRunResult({ strategy: "static" }), fakeRunResult({ strategy: "rebalance" })];
    expect(names(single).filter((n) => /egress|viewer/.test(n))).toEqual([]);
    expect(defaultTables(loaded.scenario, single).map((t) => t.title).filter((t) => t.startsWith("Swarm"))).toEqual([]);
    expect(verdictOf(loaded.scenario, single).lines.map((l) => l.metric)).not.toContain("p2p_share_ratio");
  });
});

describe("reading a swarm run back", () => {
  it("gives back viewers and swarm series as the CSVs write them; a single-agent run gets no swarm", () => {
    const dir = mkdtempSync(join(tmpdir(), "sim-swarm-read-"));
    try {
      const run = swarmRun({
        agents: [viewer(0, 0.1234567, 1 / 3), viewer(1, -1)],
        online: [
          { timeUs: 0, value: 1 },
          { timeUs: 2_500_000, value: 2 },
        ],
        egress: { binUs: 5_000_000, bps: { origin: [1234.6, 0, 7], server: [0, 0, 0], peer: [1, 2, 3], viewer: [0, 9.4, 0] } },
      });
      const loaded = fakeLoaded({ strategies: ["static", "index"] });
      writeOutputDir(dir, buildRunOutputs(loaded, [run, fakeRunResult({ strategy: "index" })]));
      const [back, single] = readRunOutputs(dir).results;
      expect(single.swarm).toBeUndefined();
      const swarm = back.swarm as SwarmResult;
      expect(swarm.agents.map((a) => [a.viewer, a.startupDelayS, a.rebufferRatio])).toEqual([
        ["v#0", 0.123457, 0.3333],
        ["v#1", -1, 0],
      ]);
      expect(swarm.agents[0]).toMatchObject({ completionUs: 1_000_000, departureUs: 2_000_000, departure: "left" });
      expect(swarm.agents[0].bytesFrom).toEqual({ origin: 0, server: 0, peer: 1, viewer: 0 });
      expect(swarm.viewersOnline).toEqual([
        { timeUs: 0, value: 1 },
        { timeUs: 2_500_000, value: 2 },
      ]);
      expect(swarm.egress).toEqual({
        binUs: 5_000_000,
        bps: { origin: [1235, 0, 7], server: [0, 0, 0], peer: [1, 2, 3], viewer: [0, 9, 0] },
      });
      expect(swarm.metrics.p2pShare).toBe(0.5);
      // The charts drawn from the read-back run are those drawn from the original.
      expect(egressData([back])).toEqual(egressData([run]));
      expect(viewerCdfData(["static"], [back], "startup_delay_s")).toEqual(viewerCdfData(["static"], [run], "startup_delay_s"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
