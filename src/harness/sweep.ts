// Sweeps: a grid of parameter values × strategies × seeds. Every strategy on a seed meets the same world
// (common random numbers), so comparisons are paired. Each run's result is stored under a key derived from the
// resolved scenario, strategy, seed and tool version, so an interrupted sweep resumes where it stopped, and
// `--shard i/n` runs a deterministic slice whose stores `sim merge` combines.

import { createHash } from "node:crypto";
import type { Strategy } from "../agent/strategy.ts";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../report/atomic.ts";
import { applyOverrides, type LoadedScenario, readScenarioInput, resolveScenario } from "../scenario/load.ts";
import type { RunMetrics } from "../sim/metrics/records.ts";
import { strategyNames } from "../scenario/strategy-names.ts";
import { TOOL_VERSION } from "../version.ts";
import { runOne } from "./run.ts";

export type ParamValue = string | number | boolean;

/** What a sweep keeps of a run: enough for tables, statistics and sweep charts. */
export interface SweepRunResult {
  readonly point: number;
  readonly strategy: string;
  readonly seed: number;
  readonly error: string | null;
  readonly metrics: RunMetrics;
}

export interface SweepRunSpec {
  readonly point: number;
  readonly strategy: string;
  readonly seed: number;
  readonly key: string;
}

export interface SweepPoint {
  readonly index: number;
  readonly values: Readonly<Record<string, ParamValue>>;
  readonly loaded: LoadedScenario;
}

export interface SweepPlan {
  readonly name: string;
  readonly params: readonly (readonly [string, readonly ParamValue[]])[];
  readonly points: readonly SweepPoint[];
  readonly strategies: readonly string[];
  readonly seeds: readonly number[];
  /** Every run of the grid, in output order: point, then strategy, then seed. */
  readonly runs: readonly SweepRunSpec[];
}

/** Cartesian product, the first parameter varying slowest. */
export function expandGrid(params: readonly (readonly [string, readonly ParamValue[]])[]): Record<string, ParamValue>[] {
  let out: Record<string, ParamValue>[] = [{}];
  for (const [key, values] of params) {
    const next: Record<string, ParamValue>[] = [];
    for (const o of out) for (const v of values) next.push({ ...o, [key]: v });
    out = next;
  }
  return out;
}

/** JSON with object keys sorted, so equal values always give equal text. */
export function canonicalJson(x: unknown): string {
  return JSON.stringify(x, (_k, v) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]))
      : v,
  );
}

/**
 * The store key of a run. `moduleSha256` is the hash of the --strategy-module file the strategy comes from
 * (absent for a built-in strategy, whose keys are unchanged), so an edited module never reuses old results.
 */
export function runKey(loaded: LoadedScenario, strategy: string, seed: number, moduleSha256?: string): string {
  const h = createHash("sha256");
  h.update(
    canonicalJson({
      scenario: loaded.scenario,
      strategy,
      seed,
      tool: TOOL_VERSION,
      ...(moduleSha256 !== undefined ? { strategy_module: moduleSha256 } : {}),
    }),
  );
  // Trace contents count too: a changed trace file must not reuse old results.
  for (const [name, trace] of [...loaded.traces].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    h.update(name);
    h.update(canonicalJson(trace.segments));
  }
  return h.digest("hex").slice(0, 32);
}

export interface PlanOptions {
  /** `key.path=v1,v2` overrides; when empty the scenario's own `sweep.params` are used. */
  readonly params?: readonly (readonly [string, readonly ParamValue[]])[];
  readonly strategies?: readonly string[];
  readonly seeds?: readonly number[];
  /** Strategies from a --strategy-module: their names (valid in the scenario) and the file's sha256 (in their run keys). */
  readonly strategyModule?: { readonly names: readonly string[]; readonly sha256: string };
}

export function planSweep(file: string, opts: PlanOptions = {}): SweepPlan {
  const { input, dir } = readScenarioInput(file);
  const extraNames = opts.strategyModule?.names ?? [];
  const resolveOpts = extraNames.length > 0 ? { strategyNames: [...strategyNames(), ...extraNames] } : {};
  const base = resolveScenario(input, file, dir, resolveOpts);
  const params =
    opts.params !== undefined && opts.params.length > 0
      ? opts.params
      : Object.entries(base.scenario.sweep?.params ?? {}).map(([k, v]) => [k, v] as const);
  const strategies = opts.strategies ?? base.scenario.strategies;
  const seeds = opts.seeds ?? Array.from({ length: base.scenario.seeds }, (_, i) => base.scenario.seed + i);
  const points = expandGrid(params).map((values, index) => ({
    index,
    values,
    loaded:
      Object.keys(values).length === 0 ? base : resolveScenario(applyOverrides(input, values), file, dir, resolveOpts),
  }));
  const runs: SweepRunSpec[] = [];
  for (const p of points) {
    for (const strategy of strategies) {
      const moduleSha256 = extraNames.includes(strategy) ? opts.strategyModule?.sha256 : undefined;
      for (const seed of seeds) {
        runs.push({ point: p.index, strategy, seed, key: runKey(p.loaded, strategy, seed, moduleSha256) });
      }
    }
  }
  return { name: base.scenario.name, params, points, strategies, seeds, runs };
}

/** Parses `i/n` (1-based i). */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : 0;
  const count = m ? Number(m[2]) : 0;
  if (!m || count < 1 || index < 1 || index > count) {
    throw new Error(`--shard expects i/n with 1 ≤ i ≤ n (e.g. 2/4), found "${text}"`);
  }
  return { index, count };
}

/** The runs of shard i of n: every n-th run of the plan, starting at the i-th. Deterministic. */
export function shardRuns(runs: readonly SweepRunSpec[], shard: { index: number; count: number }): SweepRunSpec[] {
  return runs.filter((_, i) => i % shard.count === shard.index - 1);
}

// ---- the result store ----------------------------------------------------------------------------------------

export const STORE_DIR = "runs";

export function storePath(outDir: string, key: string): string {
  return join(outDir, STORE_DIR, `${key}.json`);
}

export function readStored(outDir: string, key: string): SweepRunResult | null {
  const p = storePath(outDir, key);
  if (!existsSync(p)) return null;
  try {
    return JSON.parse(readFileSync(p, "utf8")) as SweepRunResult;
  } catch {
    return null; // unreadable: run it again
  }
}

export function writeStored(outDir: string, key: string, r: SweepRunResult): void {
  mkdirSync(join(outDir, STORE_DIR), { recursive: true });
  writeFileAtomic(storePath(outDir, key), `${canonicalJson(r)}\n`);
}

/** Every stored key of a folder (for merging shards). */
export function storedKeys(outDir: string): string[] {
  const d = join(outDir, STORE_DIR);
  if (!existsSync(d)) return [];
  return readdirSync(d)
    .filter((f) => /^[0-9a-f]{32}\.json$/.test(f))
    .map((f) => f.slice(0, 32))
    .sort();
}

/** Runs one spec of a plan in this thread (the worker pool calls the same function). */
export function executeRun(
  loaded: LoadedScenario,
  spec: SweepRunSpec,
  strategyFactory?: (name: string) => Strategy,
): SweepRunResult {
  const { result } = runOne(loaded, { strategy: spec.strategy, seed: spec.seed, strategyFactory });
  return { point: spec.point, strategy: spec.strategy, seed: spec.seed, error: result.error, metrics: result.metrics };
}
