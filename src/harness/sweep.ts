// Sweeps: a grid of parameter values × strategies × seeds. Every strategy on a seed meets the same world
// (common random numbers), so comparisons are paired. Each run's result is stored under a key derived from the
// resolved scenario, strategy, seed and tool version, so an interrupted sweep resumes where it stopped, and
// `--shard i/n` runs a deterministic slice whose stores `sim merge` combines.

import { createHash } from "node:crypto";
import { lstatSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fail } from "../assert.ts";
import type { Strategy } from "../agent/strategy.ts";
import type { FileStager } from "../files/output-folder.ts";
import { applyOverrides, type LoadedScenario, positionIn, readScenarioInput, resolveScenario } from "../scenario/load.ts";
import { strategyNames } from "../scenario/strategy-names.ts";
import { quote } from "../input/quote.ts";
import { TOOL_VERSION } from "../version.ts";
import {
  expandGrid,
  type ParamValue,
  type SweepLayout,
  type SweepRunResult,
  type SweepRunSpec,
} from "../report/sweep/layout.ts";
import { emptyMetrics, runOne } from "./run.ts";

export type { ParamValue, SweepRunResult, SweepRunSpec } from "../report/sweep/layout.ts";

export interface SweepPoint {
  readonly index: number;
  readonly values: Readonly<Record<string, ParamValue>>;
  readonly loaded: LoadedScenario;
}

/** A planned sweep: its layout (what its outputs need) and the scenario each grid point runs. */
export interface SweepPlan extends SweepLayout {
  /** The scenario file as given. */
  readonly file: string;
  /** The resolved base scenario, before the parameter overrides. */
  readonly base: LoadedScenario;
  readonly points: readonly SweepPoint[];
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
 * The key a run's result is stored under: a hash of what the run computes (resolved scenario, strategy, seed,
 * trace contents, tool version, and `moduleSha256`, the hash of the --strategy-module file the strategy comes
 * from: absent for a built-in strategy, so an edited module never reuses old results). `limits.wall_s` is left
 * out: a budget decides whether a run is stopped, not what it computes, so raising it keeps the finished
 * results (runs it stopped are redone on resume anyway).
 */
export function runKey(loaded: LoadedScenario, strategy: string, seed: number, moduleSha256?: string): string {
  const h = createHash("sha256");
  const { wall_s: _budget, ...limits } = loaded.scenario.limits;
  h.update(
    canonicalJson({
      scenario: { ...loaded.scenario, limits },
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
  /**
   * What a point's invalid value is blamed on when it came from `params`: `--param` for the command line
   * (`--param agent.max_connections=0: …`); default `params`. Values of the scenario's own `sweep:` section are
   * blamed on their line there.
   */
  readonly paramsSource?: string;
  readonly strategies?: readonly string[];
  readonly seeds?: readonly number[];
  /** Strategies from a --strategy-module: their names (valid in the scenario) and the file's sha256 (in their run keys). */
  readonly strategyModule?: { readonly names: readonly string[]; readonly sha256: string };
  /**
   * Names of strategies given as objects from code (runSweep's): valid in the scenario. Code cannot be hashed
   * reliably (a factory's text does not include the classes it uses), so their run keys carry CODE_STRATEGY
   * instead of a hash and runSweep never reuses their stored results.
   */
  readonly codeStrategies?: readonly string[];
}

/** What the run key of a strategy given as an object from code carries in place of a module's hash. */
export const CODE_STRATEGY = "code";

/** A scenario as read once from its file: every point of a sweep derives from this one reading. */
export interface ScenarioSource {
  readonly file: string;
  readonly input: unknown;
  readonly dir: string;
}

/**
 * Expands a sweep. `source` is a file (read once, here) or a scenario the caller already read, so the plan,
 * the run keys and what the workers run all come from the same text even if the file changes meanwhile.
 */
export function planSweep(source: string | ScenarioSource, opts: PlanOptions = {}): SweepPlan {
  const { file, input, dir } = typeof source === "string" ? { file: source, ...readScenarioInput(source) } : source;
  const moduleNames = opts.strategyModule?.names ?? [];
  const codeNames = opts.codeStrategies ?? [];
  const extraNames = [...moduleNames, ...codeNames];
  const resolveOpts = extraNames.length > 0 ? { strategyNames: [...strategyNames(), ...extraNames] } : {};
  const base = resolveScenario(input, file, dir, resolveOpts);
  const params =
    opts.params !== undefined && opts.params.length > 0
      ? opts.params
      : Object.entries(base.scenario.sweep?.params ?? {}).map(([k, v]) => [k, v] as const);
  const strategies = opts.strategies ?? base.scenario.strategies;
  const seeds = opts.seeds ?? Array.from({ length: base.scenario.seeds }, (_, i) => base.scenario.seed + i);
  const given = opts.params !== undefined && opts.params.length > 0;
  const blamed = opts.paramsSource ?? "params";
  const points = expandGrid(params).map((values, index) => {
    // A problem under a swept key is the swept value's, not the line that held the file's value.
    const origin = (key: string) =>
      given ? { line: 0, column: 0, file: `${blamed} ${key}=${String(values[key])}` } : positionIn(input, ["sweep", "params", key]);
    return {
      index,
      values,
      loaded:
        Object.keys(values).length === 0 ? base : resolveScenario(applyOverrides(input, values, origin), file, dir, resolveOpts),
    };
  });
  const runs: SweepRunSpec[] = [];
  for (const p of points) {
    for (const strategy of strategies) {
      const moduleSha256 = codeNames.includes(strategy)
        ? CODE_STRATEGY
        : moduleNames.includes(strategy)
          ? opts.strategyModule?.sha256
          : undefined;
      for (const seed of seeds) {
        runs.push({ point: p.index, strategy, seed, key: runKey(p.loaded, strategy, seed, moduleSha256) });
      }
    }
  }
  return { name: base.scenario.name, file, base, params, points, strategies, seeds, runs };
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

/** A run key: 32 lower-case hex digits (a store entry's file name; anything else could name another path). */
const KEY = /^[0-9a-f]{32}$/;

export function isRunKey(key: unknown): key is string {
  return typeof key === "string" && KEY.test(key);
}

export function storePath(outDir: string, key: string): string {
  if (!isRunKey(key)) fail("not a run key: {0}", quote(key, 80));
  return join(outDir, STORE_DIR, `${key}.json`);
}

/** Largest store entry read (an entry holds one run's metrics: a few hundred bytes). */
const MAX_ENTRY_BYTES = 1 << 20;

/** The error of a run stopped by its wall-clock budget: it depends on the machine, so a resume redoes it. */
export function stoppedByBudget(r: SweepRunResult): boolean {
  return r.error !== null && r.error.startsWith("wall-limit:");
}

/**
 * Checks a parsed store entry against the run it is stored for: its point, strategy and seed, an error that is
 * a string or null, and every metric of a run with the type it has (numbers may be null: JSON has no NaN).
 * Returns the problem, or null when the entry is sound.
 */
export function storedRunProblem(x: unknown, spec: Pick<SweepRunSpec, "point" | "strategy" | "seed">): string | null {
  if (typeof x !== "object" || x === null || Array.isArray(x)) return "not a JSON object";
  const r = x as Record<string, unknown>;
  if (typeof r.point !== "number" || typeof r.strategy !== "string" || typeof r.seed !== "number") {
    return "it does not name its run (point, strategy, seed)";
  }
  if (r.point !== spec.point || r.strategy !== spec.strategy || r.seed !== spec.seed) {
    return `it holds point ${r.point} ${quote(r.strategy, 40)} seed ${r.seed}, not point ${spec.point} ${spec.strategy} seed ${spec.seed}`;
  }
  if (r.error !== null && typeof r.error !== "string") return "its error is neither text nor null";
  const m = r.metrics as Record<string, unknown> | null;
  if (typeof m !== "object" || m === null || Array.isArray(m)) return "it has no metrics";
  for (const [name, value] of Object.entries(emptyMetrics())) {
    const ok = typeof value === "number" ? typeof m[name] === "number" || m[name] === null : typeof m[name] === typeof value;
    if (!ok) return `its metric ${name} is missing or not a ${typeof value}`;
  }
  return null;
}

export type StoredEntry =
  | { readonly kind: "absent" }
  | { readonly kind: "bad"; readonly problem: string }
  | { readonly kind: "ok"; readonly result: SweepRunResult };

/** Reads and checks the store entry of a run. Never throws for a bad entry (it says what is wrong). */
export function readStoredEntry(outDir: string, spec: SweepRunSpec): StoredEntry {
  const p = storePath(outDir, spec.key);
  let text: string;
  try {
    const st = lstatSync(p);
    if (!st.isFile()) return { kind: "bad", problem: "not a regular file" };
    if (st.size > MAX_ENTRY_BYTES) return { kind: "bad", problem: `larger than ${MAX_ENTRY_BYTES} bytes` };
    text = readFileSync(p, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "ENOENT" ? { kind: "absent" } : { kind: "bad", problem: `unreadable (${code ?? "error"})` };
  }
  let x: unknown;
  try {
    x = JSON.parse(text);
  } catch {
    return { kind: "bad", problem: "not valid JSON" };
  }
  const problem = storedRunProblem(x, spec);
  return problem !== null ? { kind: "bad", problem } : { kind: "ok", result: x as SweepRunResult };
}

/** The stored result of a run when the entry is sound, else null (absent or not trusted: run it again). */
export function readStored(outDir: string, spec: SweepRunSpec): SweepRunResult | null {
  const e = readStoredEntry(outDir, spec);
  return e.kind === "ok" ? e.result : null;
}

/** Writes a run's result to the store atomically (through the folder's staging area). */
export function writeStored(stager: FileStager, key: string, r: SweepRunResult): void {
  if (!isRunKey(key)) fail("not a run key: {0}", quote(key, 80));
  stager.write(`${STORE_DIR}/${key}.json`, `${canonicalJson(r)}\n`);
}

/** Every stored key of a folder (for merging shards). */
export function storedKeys(outDir: string): string[] {
  const d = join(outDir, STORE_DIR);
  let names: string[];
  try {
    names = readdirSync(d);
  } catch {
    return [];
  }
  return names
    .filter((f) => /^[0-9a-f]{32}\.json$/.test(f))
    .map((f) => f.slice(0, 32))
    .sort();
}

/** Runs one spec of a plan in this thread (a sweep worker calls the same function). */
export function executeRun(
  loaded: LoadedScenario,
  spec: SweepRunSpec,
  strategyFactory?: (name: string) => Strategy,
  wallS?: number,
): SweepRunResult {
  const { result } = runOne(loaded, { strategy: spec.strategy, seed: spec.seed, strategyFactory, wallS });
  return { point: spec.point, strategy: spec.strategy, seed: spec.seed, error: result.error, metrics: result.metrics };
}
