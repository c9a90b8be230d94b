// Test fixtures shared by the report tests (CSV, summary, charts): small, hand-made RunResults and a resolved
// scenario, so report code is tested without running the simulator.

import type { LoadedScenario } from "../../src/scenario/load.ts";
import { Scenario, type ScenarioInput } from "../../src/scenario/schema.ts";
import type { BlockRecord, RunMetrics, RunResult, SubBlockRecord } from "../../src/sim/metrics/records.ts";

/** A resolved scenario (defaults filled in by the schema) wrapped as a LoadedScenario with no traces. */
export function fakeLoaded(overrides: Partial<ScenarioInput> = {}): LoadedScenario {
  const scenario = Scenario.parse({
    name: "fixture",
    seeds: 2,
    strategies: ["static", "index", "rebalance"],
    content: {
      size_bytes: 2_000_000,
      block_bytes: 1_000_000,
      sub_block_bytes: 250_000,
      bitrate_bps: 1_000_000,
    },
    agent: { downlink_bps: 50_000_000 },
    peers: [{ count: 4, uplink_bps: 2_000_000, rtt_ms: 40 }],
    ...overrides,
  });
  return { scenario, file: "fixture.yaml", dir: ".", traces: new Map() };
}

/** Metrics with plausible values; every field can be overridden. */
export function fakeMetrics(overrides: Partial<RunMetrics> = {}): RunMetrics {
  return {
    completionS: 8.25,
    throughputBps: 1_939_393.9393,
    tStarRatio: 1.2345678,
    tGRatio: 1.1234567,
    throughputBoundS: 7.5,
    throughputBoundRatio: 1.1,
    meanBlockS: 4.125,
    p95BlockS: 4.5,
    redundantBytes: 250_000,
    failedBytes: 10_000,
    originBytes: 0,
    rebalances: 1,
    blacklisted: 0,
    fallbacks: 1,
    requestTimeouts: 2,
    startupDelayS: 2.5,
    stallCount: 1,
    stallS: 0.75,
    rebufferRatio: 0.0833,
    playbackLagS: -1,
    events: 1234,
    viewers: -1,
    p2pShare: -1,
    originPeakBps: -1,
    meanStartupDelayS: -1,
    p95StartupDelayS: -1,
    meanRebufferRatio: -1,
    uploadFairness: -1,
    trackerPeakPerS: -1,
    peakQueueLength: 17,
    fingerprint: "abc123",
    ...overrides,
  };
}

export interface FakeRunOptions {
  readonly strategy?: string;
  readonly seed?: number;
  readonly error?: string | null;
  readonly metrics?: Partial<RunMetrics>;
  /** Added to every time, so runs differ from one another. */
  readonly shiftUs?: number;
  readonly blocks?: readonly BlockRecord[];
  readonly subBlocks?: readonly SubBlockRecord[];
}

/** A two-block run with four sub-block records, one rebalance, one stall and short series. */
export function fakeRunResult(opts: FakeRunOptions = {}): RunResult {
  const s = opts.shiftUs ?? 0;
  const blocks: BlockRecord[] = [
    { block: 0, startUs: 0 + s, endUs: 4_000_000 + s, bytes: 1_000_000, tStarUs: 3_333_333, tGUs: 3_600_000 },
    { block: 1, startUs: 4_000_000 + s, endUs: 8_250_000 + s, bytes: 1_000_000, tStarUs: 3_500_001, tGUs: 3_750_001 },
  ];
  const subBlocks: SubBlockRecord[] = [
    sub(0, 0, 1, "peer", 0, s, 40_000 + s, 2_000_000 + s, 250_000, "ok"),
    sub(1, 0, 2, "peer", 1, s, 41_000 + s, 3_900_000 + s, 250_000, "ok"),
    sub(2, 0, 3, "server", 2, 10 + s, -1, 1_500_000 + s, 10_000, "dropped"),
    sub(2, 0, 0, "origin", 3, 1_500_000 + s, 1_520_000 + s, 4_000_000 + s, 250_000, "ok"),
    sub(4, 1, 1, "peer", 0, 4_000_000 + s, -1, -1, 0, "cancelled"),
  ];
  return {
    scenario: "fixture",
    strategy: opts.strategy ?? "static",
    seed: opts.seed ?? 1,
    error: opts.error ?? null,
    metrics: fakeMetrics(opts.metrics),
    blocks: opts.blocks ?? blocks,
    subBlocks: opts.subBlocks ?? subBlocks,
    rebalances: [{ timeUs: 3_000_000 + s, fromConn: 2, toConn: 0, movedCount: 3 }],
    bufferSeries: [
      { timeUs: 0, value: 0 },
      { timeUs: 4_000_000 + s, value: 4.5 },
      { timeUs: 8_250_000 + s, value: 1.125 },
    ],
    stalls: [[6_000_000 + s, 6_750_000 + s]],
    peersOnlineSeries: [
      { timeUs: 0, value: 4 },
      { timeUs: 5_000_000 + s, value: 3 },
    ],
    wall: { simMs: 12.5 },
  };
}

function sub(
  subBlockId: number,
  block: number,
  nodeId: number,
  nodeKind: SubBlockRecord["nodeKind"],
  connId: number,
  requestUs: number,
  firstByteUs: number,
  endUs: number,
  bytes: number,
  outcome: SubBlockRecord["outcome"],
): SubBlockRecord {
  return { subBlockId, block, nodeId, nodeKind, connId, requestUs, firstByteUs, endUs, bytes, outcome };
}
