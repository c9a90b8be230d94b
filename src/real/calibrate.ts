// `sim calibrate`: how far the simulator is from a real network. For each strategy, the scenario runs in the
// simulator and for real against a fresh testbed of the same scenario and seed (testbed.ts, testbed-run.ts),
// with the same agent; the two runs' blocks are compared one to one.
//
// Errors (relative to the simulated value): completion |real − sim| / sim; per block |real_b − sim_b| / sim_b
// with block time = end − start (start: the block's first request); their median and 90th percentile
// (type-7 quantiles). Targets (issue 13): completion within 10% and median per-block error ≤ 10%.
//
// Output folder: sim/ and real/ (run folders as `sim run` writes them: CSVs, summary, charts), comparison.csv
// (one row per strategy and block), comparison.json (per strategy: the errors and whether the targets are met),
// charts/calibration.{vl.json,svg,png} (simulated against real block times, one point per block).
// Before the measured runs, one short unmeasured run warms up the JIT and the HTTP stack.

import type { TopLevelSpec } from "vega-lite";
import { quantile } from "../stats/aggregate.ts";
import { commitOutputs } from "../files/output-folder.ts";
import { formatRatio, formatSeconds, csvText } from "../report/csv.ts";
import { CHART_HEIGHT, CHART_WIDTH, chartConfig, strategyColour, VL_SCHEMA } from "../report/charts/theme.ts";
import { type LoadedScenario, resolveScenario } from "../scenario/load.ts";
import { runFolderFiles } from "../harness/folders/run-folder.ts";
import { runOne } from "../harness/run.ts";
import type { RunResult } from "../sim/metrics/records.ts";
import { startTestbed } from "./testbed.ts";
import { runOnTestbed } from "./testbed-run.ts";

export const COMPLETION_TARGET = 0.1;
export const MEDIAN_BLOCK_TARGET = 0.1;

export interface BlockComparison {
  readonly block: number;
  readonly simS: number;
  readonly realS: number;
  /** (real − sim) / sim. */
  readonly error: number;
}

export interface StrategyComparison {
  readonly strategy: string;
  readonly simCompletionS: number;
  readonly realCompletionS: number;
  /** |real − sim| / sim of the completion time. */
  readonly completionError: number;
  /** Median and 90th percentile of |real_b − sim_b| / sim_b over the blocks both runs completed. */
  readonly medianBlockError: number;
  readonly p90BlockError: number;
  /** Mean of (real_b − sim_b) / sim_b: > 0 when reality is slower. */
  readonly meanBlockBias: number;
  readonly blocks: readonly BlockComparison[];
  readonly targetsMet: boolean;
  /** Set when either run failed. */
  readonly error: string | null;
}

/** Compares one simulated and one real run of the same strategy, block by block. */
export function compareRuns(sim: RunResult, real: RunResult): StrategyComparison {
  const realBlocks = new Map(real.blocks.map((b) => [b.block, b]));
  const blocks: BlockComparison[] = [];
  for (const b of sim.blocks) {
    const r = realBlocks.get(b.block);
    if (r === undefined || r.endUs < 0 || b.endUs < 0) continue;
    const simS = (b.endUs - b.startUs) / 1e6;
    const realS = (r.endUs - r.startUs) / 1e6;
    blocks.push({ block: b.block, simS, realS, error: simS > 0 ? (realS - simS) / simS : 0 });
  }
  const abs = blocks.map((b) => Math.abs(b.error));
  const simC = sim.metrics.completionS;
  const realC = real.metrics.completionS;
  const completionError = simC > 0 ? Math.abs(realC - simC) / simC : 0;
  const medianBlockError = abs.length > 0 ? quantile(abs, 0.5) : Number.NaN;
  const error = sim.error ?? real.error;
  return {
    strategy: sim.strategy,
    simCompletionS: simC,
    realCompletionS: realC,
    completionError,
    medianBlockError,
    p90BlockError: abs.length > 0 ? quantile(abs, 0.9) : Number.NaN,
    meanBlockBias: blocks.length > 0 ? blocks.reduce((s, b) => s + b.error, 0) / blocks.length : Number.NaN,
    blocks,
    targetsMet: error === null && completionError <= COMPLETION_TARGET && medianBlockError <= MEDIAN_BLOCK_TARGET,
    error,
  };
}

export const COMPARISON_COLUMNS = ["strategy", "block", "sim_s", "real_s", "error_ratio"] as const;

export function comparisonCsv(cs: readonly StrategyComparison[]): string {
  const rows: string[][] = [];
  for (const c of cs) {
    for (const b of c.blocks) rows.push([c.strategy, String(b.block), formatSeconds(b.simS), formatSeconds(b.realS), formatRatio(b.error)]);
  }
  return csvText(COMPARISON_COLUMNS, rows);
}

export function comparisonJson(scenario: string, seed: number, cs: readonly StrategyComparison[], notes: readonly string[]): string {
  const round = (x: number) => (Number.isFinite(x) ? Math.round(x * 1e6) / 1e6 : null);
  return `${JSON.stringify(
    {
      scenario,
      seed,
      targets: { completion_error: COMPLETION_TARGET, median_block_error: MEDIAN_BLOCK_TARGET },
      notes,
      strategies: cs.map((c) => ({
        strategy: c.strategy,
        sim_completion_s: round(c.simCompletionS),
        real_completion_s: round(c.realCompletionS),
        completion_error: round(c.completionError),
        median_block_error: round(c.medianBlockError),
        p90_block_error: round(c.p90BlockError),
        mean_block_bias: round(c.meanBlockBias),
        blocks: c.blocks.length,
        targets_met: c.targetsMet,
        error: c.error,
      })),
    },
    null,
    2,
  )}\n`;
}

/** Simulated against real block time, one point per block, with the line real = sim. */
export function calibrationChart(cs: readonly StrategyComparison[]): TopLevelSpec {
  const strategies = cs.map((c) => c.strategy);
  const values = cs.flatMap((c) => c.blocks.map((b) => ({ strategy: c.strategy, block: b.block, sim_s: b.simS, real_s: b.realS })));
  // Both axes span the data (with a margin), so the points are not crowded in a corner of a 0-based square.
  const all = values.flatMap((v) => [v.sim_s, v.real_s]);
  const max = Math.max(1e-3, ...all) * 1.1;
  const min = all.length > 0 ? Math.min(...all) * 0.9 : 0;
  return {
    $schema: VL_SCHEMA,
    title: { text: "Block time: simulated against real", subtitle: "one point per block; on the line the simulator is exact" },
    config: chartConfig(),
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    layer: [
      {
        data: { values: [{ x: min, y: min }, { x: max, y: max }] },
        mark: { type: "line", color: "#888", strokeDash: [4, 4], clip: true },
        encoding: {
          x: { field: "x", type: "quantitative", title: "simulated block time (s)", scale: { domain: [min, max], zero: false, nice: false } },
          y: { field: "y", type: "quantitative", title: "real block time (s)", scale: { domain: [min, max], zero: false, nice: false } },
        },
      },
      {
        data: { values },
        mark: { type: "point", filled: true, size: 40, opacity: 0.8 },
        encoding: {
          x: { field: "sim_s", type: "quantitative" },
          y: { field: "real_s", type: "quantitative" },
          color: strategyColour(strategies, true),
          tooltip: [{ field: "strategy" }, { field: "block" }, { field: "sim_s", format: ".3f" }, { field: "real_s", format: ".3f" }],
        },
      },
    ],
  } as TopLevelSpec;
}

export interface CalibrateOptions {
  readonly strategies: readonly string[];
  readonly seed: number;
  /** Output folder (written as one commit, files/output-folder.ts); nothing is written when undefined. */
  readonly outDir?: string;
  /** Write into an output folder sim did not write (--force-into). */
  readonly forceInto?: boolean;
  /** Render charts (SVG and PNG) into the run folders and the comparison; default true. */
  readonly charts?: boolean;
  /** Skip the warm-up run (tests). */
  readonly noWarmUp?: boolean;
  readonly onProgress?: (text: string) => void;
  readonly signal?: AbortSignal;
}

export interface CalibrateOutcome {
  readonly comparisons: readonly StrategyComparison[];
  readonly sim: readonly RunResult[];
  readonly real: readonly RunResult[];
  readonly notes: readonly string[];
}

/** The scenario cut to its first two blocks: the warm-up run. */
function warmUpScenario(loaded: LoadedScenario): LoadedScenario {
  const s = loaded.scenario;
  const size = Math.min(s.content.size_bytes, 2 * s.content.block_bytes);
  return resolveScenario({ ...s, name: `${s.name}-warm-up`, content: { ...s.content, size_bytes: size } }, loaded.file, loaded.dir);
}

export async function calibrate(loaded: LoadedScenario, opts: CalibrateOptions): Promise<CalibrateOutcome> {
  const say = opts.onProgress ?? (() => {});
  const notes: string[] = [];
  if (!opts.noWarmUp) {
    say("warm-up run");
    const warm = warmUpScenario(loaded);
    const tb = await startTestbed(warm, { seed: opts.seed });
    try {
      await runOnTestbed(warm, tb, { strategy: opts.strategies[0], seed: opts.seed, signal: opts.signal });
    } finally {
      await tb.close();
    }
  }
  const sim: RunResult[] = [];
  const real: RunResult[] = [];
  const comparisons: StrategyComparison[] = [];
  for (const strategy of opts.strategies) {
    if (opts.signal?.aborted) break;
    say(`${strategy}: simulated run`);
    const s = runOne(loaded, { strategy, seed: opts.seed }).result;
    say(`${strategy}: real run`);
    const tb = await startTestbed(loaded, { seed: opts.seed });
    for (const n of tb.notes) if (!notes.includes(n)) notes.push(n);
    let r: RunResult;
    try {
      r = (await runOnTestbed(loaded, tb, { strategy, seed: opts.seed, signal: opts.signal })).result;
    } finally {
      await tb.close();
    }
    sim.push(s);
    real.push(r);
    comparisons.push(compareRuns(s, r));
  }
  if (opts.outDir !== undefined) {
    await writeCalibration(opts.outDir, loaded, opts.seed, sim, real, comparisons, notes, opts.charts ?? true, opts.forceInto ?? false);
  }
  return { comparisons, sim, real, notes };
}

async function writeCalibration(
  outDir: string,
  loaded: LoadedScenario,
  seed: number,
  sim: readonly RunResult[],
  real: readonly RunResult[],
  cs: readonly StrategyComparison[],
  notes: readonly string[],
  charts: boolean,
  forceInto: boolean,
): Promise<void> {
  const files = new Map<string, string | Uint8Array>();
  const runFolder = async (prefix: string, results: readonly RunResult[]) => {
    for (const [name, content] of await runFolderFiles(loaded, results, { report: charts })) {
      files.set(`${prefix}/${name}`, content);
    }
  };
  await runFolder("sim", sim);
  await runFolder("real", real);
  files.set("comparison.csv", comparisonCsv(cs));
  files.set("comparison.json", comparisonJson(loaded.scenario.name, seed, cs, notes));
  if (charts) {
    const { renderPng, renderSvg } = await import("../report/render.ts");
    const { specJson } = await import("../report/charts/index.ts");
    const spec = calibrationChart(cs);
    const svg = await renderSvg(spec);
    files.set("charts/calibration.vl.json", specJson(spec));
    files.set("charts/calibration.svg", svg);
    files.set("charts/calibration.png", renderPng(svg));
  }
  commitOutputs(outDir, files, { kind: "run", forceInto });
}

/** The comparison as a table for the terminal. */
export function calibrationTable(cs: readonly StrategyComparison[]): string {
  const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : "-");
  const rows = [["strategy", "sim completion", "real completion", "completion error", "median block error", "p90 block error", "targets"]];
  for (const c of cs) {
    rows.push([
      c.strategy,
      `${c.simCompletionS.toFixed(3)} s`,
      `${c.realCompletionS.toFixed(3)} s`,
      pct(c.completionError),
      pct(c.medianBlockError),
      pct(c.p90BlockError),
      c.error !== null ? "run failed" : c.targetsMet ? "met" : "missed",
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd()).join("\n");
}
