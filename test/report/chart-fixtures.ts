// Fake RunResults for the chart and page tests: a few strategies × seeds with blocks, sub-block requests of
// every outcome, rebalances, stalls, a buffer series and a changing peer count, all hand-made and varied by
// strategy and seed, so charts are tested without running the simulator.

import type { RunResult, SeriesPoint, SubBlockRecord } from "../../src/sim/metrics/records.ts";
import { fakeMetrics } from "./fixtures.ts";

export { fakeLoaded } from "./fixtures.ts";

const OUTCOMES: readonly SubBlockRecord["outcome"][] = [
  "ok",
  "ok",
  "ok",
  "corrupt",
  "ok",
  "dropped",
  "cancelled",
  "duplicate",
];

export interface ChartRunOptions {
  readonly strategy: string;
  readonly seed: number;
  readonly blocks?: number;
  /** Sub-block requests (default 4 per block). */
  readonly subBlocks?: number;
  /** Peer count stays at 4 when false. */
  readonly peersChange?: boolean;
  readonly error?: string | null;
}

/**
 * A run whose block i takes (1 + i mod 3 + k/10) s with k = strategy length + seed, back to back; sub-block j
 * runs on connection j mod 4 (node 10 + j mod 4). One rebalance, one stall, a buffer point per block.
 */
export function chartRun(o: ChartRunOptions): RunResult {
  const k = o.strategy.length + o.seed;
  const nBlocks = o.blocks ?? 6;
  const blocks = [];
  let t = 0;
  for (let i = 0; i < nBlocks; i++) {
    const dur = 1_000_000 + (i % 3) * 1_000_000 + k * 100_000;
    blocks.push({
      block: i,
      startUs: t,
      endUs: t + dur,
      bytes: 1_000_000,
      tStarUs: Math.round(dur / 2),
      tGUs: Math.round((dur * 2) / 3),
    });
    t += dur;
  }
  const endUs = t;
  const nSub = o.subBlocks ?? nBlocks * 4;
  const subBlocks: SubBlockRecord[] = [];
  for (let j = 0; j < nSub; j++) {
    const conn = j % 4;
    const requestUs = Math.floor((j * endUs) / nSub);
    const outcome = OUTCOMES[j % OUTCOMES.length];
    subBlocks.push({
      subBlockId: j,
      block: Math.floor(j / 4) % nBlocks,
      nodeId: 10 + conn,
      nodeKind: conn === 3 ? "server" : "peer",
      connId: conn,
      requestUs,
      firstByteUs: outcome === "cancelled" ? -1 : requestUs + 40_000,
      endUs: outcome === "cancelled" && j % 2 === 0 ? -1 : requestUs + 600_000,
      bytes: 250_000,
      outcome,
    });
  }
  const bufferSeries: SeriesPoint[] = blocks.map((b, i) => ({
    timeUs: b.endUs,
    value: 1 + i * 0.5,
  }));
  const peersOnlineSeries: SeriesPoint[] =
    o.peersChange === false
      ? [{ timeUs: 0, value: 4 }]
      : [
          { timeUs: 0, value: 4 },
          { timeUs: 2_000_000, value: 3 },
          { timeUs: 5_000_000, value: 5 },
        ];
  return {
    scenario: "fixture",
    strategy: o.strategy,
    seed: o.seed,
    error: o.error ?? null,
    metrics: fakeMetrics({
      completionS: endUs / 1e6,
      meanBlockS: 2 + k / 10,
      tStarRatio: 2,
      stallS: 0.5 * (k % 3),
      redundantBytes: 250_000 * (k % 4),
      originBytes: 100_000 * k,
      startupDelayS: blocks[0].endUs / 1e6,
    }),
    blocks,
    subBlocks,
    rebalances: [{ timeUs: 1_500_000, fromConn: 1, toConn: 2, movedCount: 2 }],
    bufferSeries,
    stalls: [[3_000_000, 3_400_000]],
    peersOnlineSeries,
    wall: { simMs: 1 },
  };
}

/** Every (strategy, seed) run; seeds 1..seeds. */
export function chartResults(
  strategies: readonly string[] = ["static", "index", "rebalance"],
  seeds = 2,
  extra: Partial<Omit<ChartRunOptions, "strategy" | "seed">> = {},
): RunResult[] {
  const out: RunResult[] = [];
  for (const strategy of strategies)
    for (let seed = 1; seed <= seeds; seed++) out.push(chartRun({ ...extra, strategy, seed }));
  return out;
}
