// A sweep's layout, as its outputs see it: the swept parameters, the grid points, the strategies and seeds, and
// every run in plan order (point, then strategy, then seed), with what a sweep keeps of each run. The harness
// plans and runs sweeps in this shape (src/harness/sweep.ts); every file of a sweep folder is built from it.
// Also the file names of a sweep folder and the order of its results.

import type { RunMetrics } from "../../sim/metrics/records.ts";
import { formatFixed } from "../csv.ts";

export type ParamValue = string | number | boolean;

/** What a sweep keeps of a run: enough for tables, statistics and sweep charts. */
export interface SweepRunResult {
  readonly point: number;
  readonly strategy: string;
  readonly seed: number;
  readonly error: string | null;
  readonly metrics: RunMetrics;
}

/** One run of the plan and the key its result is stored under (`runs/<key>.json`). */
export interface SweepRunSpec {
  readonly point: number;
  readonly strategy: string;
  readonly seed: number;
  readonly key: string;
}

/** What the outputs need of a plan: no loaded scenarios, so `sim merge` can rebuild it from sweep.json. */
export interface SweepLayout {
  readonly name: string;
  readonly params: readonly (readonly [string, readonly ParamValue[]])[];
  /** Parameter values of each grid point, in point order. */
  readonly points: readonly { readonly index: number; readonly values: Readonly<Record<string, ParamValue>> }[];
  readonly strategies: readonly string[];
  readonly seeds: readonly number[];
  /** Every run of the grid in plan order: point, then strategy, then seed. */
  readonly runs: readonly SweepRunSpec[];
}

/** File names of a sweep folder (the run store `runs/<key>.json` is written by src/harness/sweep.ts). */
export const SWEEP_FILES = {
  manifest: "sweep.json",
  runs: "runs.csv",
  summary: "summary.json",
  summaryMd: "summary.md",
  index: "index.html",
} as const;

/** Most runs one sweep folder describes (a limit on every loop over the plan). */
export const MAX_SWEEP_RUNS = 1_000_000;

/** Cartesian product of the parameters, the first varying slowest; at most MAX_SWEEP_RUNS points. */
export function expandGrid(params: SweepLayout["params"]): Record<string, ParamValue>[] {
  let out: Record<string, ParamValue>[] = [{}];
  for (const [key, values] of params) {
    const next: Record<string, ParamValue>[] = [];
    for (const o of out) for (const v of values) next.push({ ...o, [key]: v });
    if (next.length > MAX_SWEEP_RUNS) throw new Error(`sweep grid exceeds ${MAX_SWEEP_RUNS} points`);
    out = next;
  }
  return out;
}

/** A parameter value as a cell: numbers in shortest round-trip form, booleans as true/false. */
export function paramCell(v: ParamValue | undefined): string {
  if (v === undefined) return "";
  return typeof v === "number" ? (Number.isFinite(v) ? String(v) : formatFixed(v, 0)) : String(v);
}

/** A result as it reads back from the store: JSON round trip, so NaN and ±Infinity become null everywhere. */
export function normalizeResult(r: SweepRunResult): SweepRunResult {
  return JSON.parse(JSON.stringify(r)) as SweepRunResult;
}

/** Results sorted into plan order (point, strategy order, seed order), after the store's JSON round trip. */
export function orderSweepResults(layout: SweepLayout, results: readonly SweepRunResult[]): SweepRunResult[] {
  const sRank = new Map(layout.strategies.map((s, i) => [s, i]));
  const nRank = new Map(layout.seeds.map((s, i) => [s, i]));
  const rank = (r: SweepRunResult) =>
    (r.point * layout.strategies.length + (sRank.get(r.strategy) ?? 0)) * layout.seeds.length + (nRank.get(r.seed) ?? 0);
  return results.map(normalizeResult).sort((a, b) => rank(a) - rank(b));
}
