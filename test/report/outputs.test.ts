// Tests of the run-folder outputs: exact CSV columns, row order, number formatting, byte-identical output
// for the same input, summary.json contents, and the build → write → read round trip.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { writeOutputDir } from "../../src/files/output-folder.ts";
import {
  csvText,
  formatInt,
  formatRatio,
  formatSeconds,
  formatTimeUs,
  RUNS_COLUMNS,
  SERIES_COLUMNS,
} from "../../src/report/csv.ts";
import { parseCsv } from "../../src/report/csv-parse.ts";
import { orderResults } from "../../src/report/order.ts";
import { buildRunOutputs } from "../../src/report/outputs.ts";
import { parseTimeUs, readRunOutputs } from "../../src/report/read.ts";
import type { Summary } from "../../src/report/summary.ts";
import type { RunMetrics, RunResult } from "../../src/sim/metrics/records.ts";
import { TOOL_NAME, TOOL_VERSION } from "../../src/version.ts";
import { fakeLoaded, fakeRunResult } from "./fixtures.ts";

const loaded = fakeLoaded();

/** Two seeds of three strategies plus one the scenario does not list, given in a scrambled order. */
function scrambledResults(): RunResult[] {
  return [
    fakeRunResult({ strategy: "rebalance", seed: 2, metrics: { completionS: 7 } }),
    fakeRunResult({ strategy: "zeta", seed: 1 }),
    fakeRunResult({ strategy: "static", seed: 2, metrics: { completionS: 10 }, shiftUs: 5 }),
    fakeRunResult({ strategy: "index", seed: 1, metrics: { completionS: 8 } }),
    fakeRunResult({ strategy: "rebalance", seed: 1, metrics: { completionS: 6 } }),
    fakeRunResult({ strategy: "static", seed: 1, metrics: { completionS: 9 } }),
    fakeRunResult({
      strategy: "index",
      seed: 2,
      error: "livelock guard, 100000 events at t=5 s",
      metrics: {},
    }),
  ];
}

function lines(text: string): string[] {
  return text.trimEnd().split("\n");
}

describe("CSV files", () => {
  const files = buildRunOutputs(loaded, scrambledResults());

  it("has exactly the documented files, and events.jsonl only when given", () => {
    expect([...files.keys()]).toEqual([
      "runs.csv",
      "blocks.csv",
      "subblocks.csv",
      "series.csv",
      "summary.json",
    ]);
    const withEvents = buildRunOutputs(loaded, scrambledResults(), { events: '{"n":0}\n' });
    expect(withEvents.get("events.jsonl")).toBe('{"n":0}\n');
  });

  it("runs.csv: exact columns, scenario strategy order then seed, formatted numbers", () => {
    const rows = lines(files.get("runs.csv") as string);
    expect(rows[0]).toBe(
      "strategy,seed,completion_s,throughput_bps,t_star_ratio,t_g_ratio,throughput_bound_s,throughput_bound_ratio,mean_block_s,p95_block_s,redundant_bytes," +
        "failed_bytes,origin_bytes,rebalances,blacklisted,fallbacks,request_timeouts,startup_delay_s,stall_count," +
        "stall_s,rebuffer_ratio,playback_lag_s," +
        "events,viewers,p2p_share_ratio,origin_peak_bps,mean_startup_delay_s,p95_startup_delay_s,mean_rebuffer_ratio,upload_fairness_ratio,tracker_peak_per_s,fingerprint,error",
    );
    expect(rows.slice(1).map((r) => r.split(",").slice(0, 3).join(","))).toEqual([
      "static,1,9.000000",
      "static,2,10.000000",
      "index,1,8.000000",
      "index,2,8.250000",
      "rebalance,1,6.000000",
      "rebalance,2,7.000000",
      "zeta,1,8.250000",
    ]);
    // throughput 1_939_393.9393 → integer; t_star_ratio 1.2345678 → 4 decimals; error quoted (has a comma).
    expect(rows[1]).toBe(
      "static,1,9.000000,1939394,1.2346,1.1235,7.500000,1.1000,4.125000,4.500000,250000,10000,0,1,0,1,2,2.500000,1,0.750000,0.0833,-1.000000,1234,-1,-1.0000,-1,-1.000000,-1.000000,-1.0000,-1.0000,-1,abc123,",
    );
    expect(rows[4].endsWith(',abc123,"livelock guard, 100000 events at t=5 s"')).toBe(true);
  });

  it("blocks.csv and subblocks.csv: exact columns, µs-exact seconds, empty cell for a time of -1", () => {
    const blocks = lines(files.get("blocks.csv") as string);
    expect(blocks[0]).toBe("strategy,seed,block,start_s,end_s,bytes,t_star_s,t_g_s");
    expect(blocks[1]).toBe("static,1,0,0.000000,4.000000,1000000,3.333333,3.600000");
    expect(blocks[3]).toBe("static,2,0,0.000005,4.000005,1000000,3.333333,3.600000");
    const subs = lines(files.get("subblocks.csv") as string);
    expect(subs[0]).toBe(
      "strategy,seed,sub_block,block,node,node_kind,conn,request_s,first_byte_s,end_s,bytes,outcome",
    );
    expect(subs[3]).toBe("static,1,2,0,3,server,2,0.000010,,1.500000,10000,dropped");
    expect(subs[5]).toBe("static,1,4,1,1,peer,0,4.000000,,,0,cancelled");
  });

  it("series.csv: every series of a run, with from_conn/to_conn only on rebalance rows", () => {
    const rows = lines(files.get("series.csv") as string);
    expect(rows[0]).toBe(SERIES_COLUMNS.join(","));
    expect(rows[0]).toBe("strategy,seed,series,time_s,value,from_conn,to_conn");
    expect(rows.slice(1, 9)).toEqual([
      "static,1,buffer_s,0.000000,0.000000,,",
      "static,1,buffer_s,4.000000,4.500000,,",
      "static,1,buffer_s,8.250000,1.125000,,",
      "static,1,peers_online,0.000000,4,,",
      "static,1,peers_online,5.000000,3,,",
      "static,1,stall_start,6.000000,0,,",
      "static,1,stall_end,6.750000,0,,",
      "static,1,rebalance,3.000000,3,2,0",
    ]);
  });

  it("same input ⇒ byte-identical output, whatever order the results come in", () => {
    const again = buildRunOutputs(loaded, scrambledResults().reverse());
    for (const [name, text] of files) expect(again.get(name)).toBe(text);
  });

  it("empty results give header-only CSVs", () => {
    const empty = buildRunOutputs(loaded, []);
    expect(empty.get("blocks.csv")).toBe("strategy,seed,block,start_s,end_s,bytes,t_star_s,t_g_s\n");
  });
});

describe("number formatting", () => {
  it("formats seconds, ratios, integers and µs times deterministically", () => {
    expect(formatSeconds(1 / 3)).toBe("0.333333");
    expect(formatSeconds(-1e-9)).toBe("0.000000");
    expect(formatSeconds(Number.NaN)).toBe("");
    expect(formatRatio(2 / 3)).toBe("0.6667");
    expect(formatInt(2.5)).toBe("3");
    expect(formatInt(-0.2)).toBe("0");
    expect(formatTimeUs(0)).toBe("0.000000");
    expect(formatTimeUs(7_200_000_001)).toBe("7200.000001");
    expect(formatTimeUs(12.6)).toBe("0.000013");
    expect(formatTimeUs(-1)).toBe("");
  });

  it("µs times survive format → parse exactly (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 50 }), (us) => {
        expect(parseTimeUs(formatTimeUs(us))).toBe(us);
      }),
      { numRuns: 300 },
    );
    expect(parseTimeUs("")).toBe(-1);
    expect(() => parseTimeUs("1.2345678")).toThrow();
  });

  // Cells made of the characters that matter to CSV, plus ordinary and non-ASCII ones.
  const cellText = fc.string({
    unit: fc.constantFrom("a", "7", " ", ",", '"', "\n", "\r", "é", "😀"),
    maxLength: 8,
  });

  it("parseCsv reads back whatever csvText writes (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.array(cellText, { minLength: 3, maxLength: 3 }), { maxLength: 6 }), (rows) => {
        const text = csvText(["a", "b", "c"], rows);
        expect(parseCsv(text)).toEqual([["a", "b", "c"], ...rows]);
        // The same file with CRLF line ends between records reads the same.
        if (!rows.flat().some((c) => /[\r\n",]/.test(c))) {
          expect(parseCsv(text.replace(/\n/g, "\r\n"))).toEqual([["a", "b", "c"], ...rows]);
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe("summary.json", () => {
  const results = scrambledResults();
  const text = buildRunOutputs(loaded, results).get("summary.json") as string;
  const summary = JSON.parse(text) as Summary;

  it("is 2-space JSON with a trailing newline, naming the tool and the resolved scenario", () => {
    expect(text.endsWith("}\n")).toBe(true);
    expect(text.startsWith('{\n  "tool": {\n    "name": ')).toBe(true);
    expect(summary.tool).toEqual({ name: TOOL_NAME, version: TOOL_VERSION });
    expect(summary.scenario).toEqual(JSON.parse(JSON.stringify(loaded.scenario)));
    expect(Object.keys(summary)).toEqual(["tool", "scenario", "reference", "strategies", "runs"]);
  });

  it("holds every run's metrics unrounded, in runs.csv order, with null for a value that is not finite", () => {
    const runs = summary.runs ?? [];
    expect(runs.map((r) => `${r.strategy}/${r.seed}`)).toEqual(
      orderResults(loaded.scenario.strategies, results).map((r) => `${r.strategy}/${r.seed}`),
    );
    for (const r of runs) {
      const m = results.find((x) => x.strategy === r.strategy && x.seed === r.seed)!.metrics;
      expect(r.metrics.mean_block_s).toBe(Number.isFinite(m.meanBlockS) ? m.meanBlockS : null);
      expect(r.metrics.t_star_ratio).toBe(Number.isFinite(m.tStarRatio) ? m.tStarRatio : null);
      expect(Object.keys(r.metrics)).toEqual(RUNS_COLUMNS.filter((c) => !["strategy", "seed", "fingerprint", "error"].includes(c)));
    }
  });

  it("holds no absolute path, Node version or timestamp", () => {
    expect(text).not.toContain(process.cwd());
    expect(text).not.toContain(process.version);
    expect(text).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:/);
  });

  it("aggregates over successful runs with hand-checked values", () => {
    expect(summary.reference).toBe("static");
    expect(summary.strategies.map((s) => s.name)).toEqual(["static", "index", "rebalance", "zeta"]);
    const [stat, index, rebalance] = summary.strategies;
    expect(stat.metrics.completion_s).toMatchObject({ mean: 9.5, median: 9.5, p95: 9.95, n: 2 });
    expect(stat.metrics.completion_s?.ci95[0]).toBeGreaterThanOrEqual(9);
    expect(stat.metrics.completion_s?.ci95[1]).toBeLessThanOrEqual(10);
    expect(stat.vs_reference).toBeNull();
    // index seed 2 failed: one run counted, the failure listed.
    expect(index).toMatchObject({ runs: 2, failed: 1, seeds: [1, 2] });
    expect(index.errors).toEqual([{ seed: 2, error: "livelock guard, 100000 events at t=5 s" }]);
    expect(index.metrics.completion_s).toEqual({ mean: 8, median: 8, p95: 8, ci95: [8, 8], n: 1 });
    // rebalance - static by seed: 6 - 9 = -3 and 7 - 10 = -3 → -3, [-3, -3], -3/9.5 = -31.5789… %.
    expect(rebalance.vs_reference?.completion_s).toEqual({
      mean_diff: -3,
      ci95: [-3, -3],
      relative_pct: -31.5789473684,
      n: 2,
    });
    // Identical data: difference 0 with interval [0, 0]; reference mean 0 → relative null.
    expect(rebalance.vs_reference?.mean_block_s).toEqual({
      mean_diff: 0,
      ci95: [0, 0],
      relative_pct: 0,
      n: 2,
    });
    expect(rebalance.vs_reference?.origin_bytes?.relative_pct).toBeNull();
  });

  it("takes another reference on request, and the first strategy when static was not run", () => {
    const other = JSON.parse(
      buildRunOutputs(loaded, scrambledResults(), { reference: "index" }).get("summary.json") as string,
    ) as Summary;
    expect(other.reference).toBe("index");
    const noStatic = scrambledResults().filter((r) => r.strategy !== "static");
    const s = JSON.parse(buildRunOutputs(loaded, noStatic).get("summary.json") as string) as Summary;
    expect(s.reference).toBe("index");
  });
});

/** What a RunResult looks like after CSV formatting: the documented precision, placeholders for the rest. */
function asWritten(r: RunResult): RunResult {
  const m = r.metrics;
  const back = (cell: string) => (cell === "" ? Number.NaN : Number(cell));
  const s = (x: number) => back(formatSeconds(x));
  // A run's metrics come back unrounded from summary.json (a value that is not finite as NaN); runs.csv's
  // rounded cells are what a folder without them gives back.
  const x = (v: number) => (Number.isFinite(v) ? v : Number.NaN);
  const metrics: RunMetrics = {
    completionS: x(m.completionS),
    throughputBps: x(m.throughputBps),
    tStarRatio: x(m.tStarRatio),
    tGRatio: x(m.tGRatio),
    throughputBoundS: x(m.throughputBoundS),
    throughputBoundRatio: x(m.throughputBoundRatio),
    meanBlockS: x(m.meanBlockS),
    p95BlockS: x(m.p95BlockS),
    redundantBytes: x(m.redundantBytes),
    failedBytes: x(m.failedBytes),
    originBytes: x(m.originBytes),
    rebalances: x(m.rebalances),
    blacklisted: x(m.blacklisted),
    fallbacks: x(m.fallbacks),
    requestTimeouts: x(m.requestTimeouts),
    startupDelayS: x(m.startupDelayS),
    stallCount: x(m.stallCount),
    stallS: x(m.stallS),
    rebufferRatio: x(m.rebufferRatio),
    playbackLagS: x(m.playbackLagS),
    events: x(m.events),
    viewers: x(m.viewers),
    p2pShare: x(m.p2pShare),
    originPeakBps: x(m.originPeakBps),
    meanStartupDelayS: x(m.meanStartupDelayS),
    p95StartupDelayS: x(m.p95StartupDelayS),
    meanRebufferRatio: x(m.meanRebufferRatio),
    uploadFairness: x(m.uploadFairness),
    trackerPeakPerS: x(m.trackerPeakPerS),
    peakQueueLength: -1,
    fingerprint: m.fingerprint,
  };
  return {
    ...r,
    metrics,
    bufferSeries: r.bufferSeries.map((p) => ({ timeUs: p.timeUs, value: s(p.value) })),
    stalls: r.stalls.map(([a, b]) => [a, b] as [number, number]),
    wall: { simMs: 0 },
  };
}

describe("round trip: build → write → read", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "sim-outputs-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("gives back the same records, up to the documented formatting", () => {
    const results = scrambledResults();
    results.push(
      fakeRunResult({
        strategy: "static",
        seed: 3,
        error: 'quote " and\nnewline',
        metrics: { startupDelayS: -1, tStarRatio: Number.NaN },
      }),
    );
    writeOutputDir(dir, buildRunOutputs(loaded, results, { events: '{"n":0}\n' }));
    const back = readRunOutputs(dir);
    const order = ["static", "index", "rebalance", "zeta"];
    const expected = [...results]
      .sort((a, b) => order.indexOf(a.strategy) - order.indexOf(b.strategy) || a.seed - b.seed)
      .map(asWritten);
    expect(back.results).toEqual(expected);
    expect(back.scenario).toEqual(JSON.parse(JSON.stringify(loaded.scenario)));
    expect(back.summary.strategies.map((s) => s.name)).toEqual(order);
    expect(back.events).toBe('{"n":0}\n');
    // Written again from what was read, the CSVs are byte-identical.
    const again = buildRunOutputs({ ...loaded, scenario: back.scenario }, back.results);
    for (const name of ["runs.csv", "blocks.csv", "subblocks.csv", "series.csv"]) {
      expect(again.get(name)).toBe(readFileSync(join(dir, name), "utf8"));
    }
  });

  it("reads a folder without events.jsonl and rejects a CSV with wrong columns", () => {
    const files = buildRunOutputs(loaded, [fakeRunResult()]);
    writeOutputDir(dir, files);
    expect(readRunOutputs(dir).events).toBeNull();
    writeOutputDir(dir, new Map([["blocks.csv", "strategy,seed,block\n"]]));
    expect(() => readRunOutputs(dir)).toThrow(/blocks\.csv: expected columns/);
  });
});
