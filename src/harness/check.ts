// The CI gate for scheduler changes (`sim check`): runs a fixed suite — every scenario of the suite folder ×
// every strategy (the built-in registry, plus a user's --strategy-module) — and compares each (scenario,
// strategy) group with the committed baseline, seed by seed:
// - fingerprints equal on every seed up to max_seeds: `identical` (the usual outcome of a change that does not
//   alter behaviour; the baseline already holds those seeds, so nothing else runs);
// - otherwise each judged metric gets a verdict from the per-seed differences (check-stats.ts): pass, improved,
//   regression or inconclusive. Seeds are added in looks (min_seeds, doubling, up to max_seeds) until every
//   metric is decided; the gate fails on a regression, on an inconclusive metric (unless allowed), on a failed
//   run and on a group missing from the baseline.
// Everything that can be checked before simulating is: the thresholds, the baseline's format and that it holds
// every seed the plan may need (CheckInputError, exit 2 in the CLI).

import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { assert } from "../assert.ts";
import type { Strategy, StrategyEntry } from "../agent/strategy.ts";
import { ScenarioError, type ScenarioIssue } from "../scenario/errors.ts";
import { type LoadedScenario, loadScenario } from "../scenario/load.ts";
import type { RunMetrics } from "../sim/metrics/records.ts";
import {
  type Baseline,
  type BaselineGroup,
  emptyBaseline,
  findGroup,
  roundMetric,
} from "./check-baseline.ts";
import {
  alphaPerLook,
  CHECK_CAUSE_NAMES,
  CHECK_CAUSES,
  CHECK_METRIC_NAMES,
  CHECK_METRICS,
  type CheckCause,
  CheckConfig,
  CheckInputError,
  type CheckMetric,
  DEFAULT_CONFIG,
  looks,
} from "./check-config.ts";
import type { GroupJudgement, GroupVerdict, MetricJudgement } from "./check-judgement.ts";
import { checkJunit, checkMarkdown } from "./check-report.ts";
import { judgeDifferences, marginOf, type MetricVerdict, worstSeed } from "./check-stats.ts";
import { runOne } from "./run.ts";
import { mean } from "../stats/aggregate.ts";
import { allStrategies, type StrategyModule, strategyFactory as factoryOf } from "./strategy-module.ts";

export type { GroupJudgement, GroupVerdict, MetricJudgement } from "./check-judgement.ts";
export { type Baseline, baselineJson, loadBaseline, parseBaseline } from "./check-baseline.ts";
export {
  CHECK_CAUSES,
  CHECK_METRICS,
  type CheckCause,
  CheckConfig,
  CheckInputError,
  type CheckMetric,
  DEFAULT_CONFIG,
  loadCheckConfig,
} from "./check-config.ts";

/** Verdicts that pass the gate (inconclusive too with allowInconclusive). */
const PASSING: readonly GroupVerdict[] = ["identical", "pass", "improved"];

export interface CheckResult {
  readonly passed: boolean;
  readonly groups: readonly GroupJudgement[];
  /** Remarks that do not fail the gate (baseline groups no longer in the suite). */
  readonly notes: readonly string[];
  readonly markdown: string;
  readonly junit: string;
}

export interface CheckOptions {
  /** A folder of scenario files (every *.yaml in it but thresholds.yaml) or a list of files. */
  readonly suite: string | readonly string[];
  readonly baseline: Baseline | null;
  readonly config?: CheckConfig;
  /** Gate only these strategies (default: every built-in one and every one of the module). */
  readonly strategies?: readonly string[];
  /** A user's strategies from a file: gated exactly like the built-in ones. */
  readonly strategyModule?: StrategyModule;
  /** Strategies defined in code, gated like the built-in ones. */
  readonly extraStrategies?: readonly StrategyEntry[];
  /** Replaces how a strategy is built from its name (to try a changed built-in strategy against its baseline). */
  readonly strategyFactory?: (name: string) => Strategy;
  /** Inconclusive verdicts pass instead of failing the gate. */
  readonly allowInconclusive?: boolean;
  /** done of at most total runs (the plan's worst case: max_seeds per group). */
  readonly onProgress?: (done: number, total: number) => void;
}

export function suiteFiles(suite: string | readonly string[]): string[] {
  if (typeof suite !== "string") return [...suite];
  if (!existsSync(suite) || !statSync(suite).isDirectory()) throw new CheckInputError(`suite folder ${suite} does not exist`);
  return readdirSync(suite)
    .filter((f) => f.endsWith(".yaml") && f !== "thresholds.yaml")
    .sort()
    .map((f) => join(suite, f));
}

/** One (scenario, strategy) of the suite and the seeds it may run. */
export interface SuiteGroup {
  readonly loaded: LoadedScenario;
  readonly scenario: string;
  /** Relative to the current folder, forward slashes. */
  readonly file: string;
  readonly strategy: string;
  readonly seeds: readonly number[];
  /** False for a strategy that pipelines blocks: its per-block metrics are not judged. */
  readonly keepsBlockRule: boolean;
}

export interface SuitePlan {
  readonly groups: readonly SuiteGroup[];
  readonly create: (name: string) => Strategy;
  /** The --strategy-module file, for replay commands. */
  readonly moduleFile: string | null;
}

function keepsBlockRule(create: (name: string) => Strategy, name: string): boolean {
  try {
    return create(name).pipelinesBlocks !== true;
  } catch {
    return true; // its runs fail and say why
  }
}

/** Loads the suite and lists its groups: scenarios in file order × strategies in registry order. */
export function planSuite(opts: CheckOptions, config: CheckConfig): SuitePlan {
  const extra = [...(opts.strategyModule?.entries ?? []), ...(opts.extraStrategies ?? [])];
  const entries = allStrategies(extra);
  const known = entries.map((e) => e.name);
  for (const name of opts.strategies ?? []) {
    if (!known.includes(name)) throw new CheckInputError(`unknown strategy "${name}"; valid: ${known.join(", ")}`);
  }
  const names = opts.strategies !== undefined ? known.filter((n) => opts.strategies?.includes(n)) : known;
  const create = opts.strategyFactory ?? factoryOf(extra);
  const files = suiteFiles(opts.suite);
  if (files.length === 0) throw new CheckInputError("the suite holds no scenario file");
  const groups: SuiteGroup[] = [];
  const seen = new Map<string, string>();
  // Every file is loaded before any problem is reported, so one pass lists the problems of every bad file
  // (as `sim validate` does).
  const problems: ScenarioIssue[] = [];
  for (const f of files) {
    let loaded: LoadedScenario;
    try {
      loaded = loadScenario(f, { strategyNames: known });
    } catch (error) {
      if (!(error instanceof ScenarioError)) throw error;
      problems.push(...error.issues);
      continue;
    }
    if (problems.length > 0) continue;
    const s = loaded.scenario;
    const file = relative(process.cwd(), f).split("\\").join("/");
    const other = seen.get(s.name);
    if (other !== undefined) throw new CheckInputError(`${file} and ${other} have the same scenario name "${s.name}"`);
    seen.set(s.name, file);
    const seeds = Array.from({ length: config.max_seeds }, (_, i) => s.seed + i);
    for (const strategy of names) {
      groups.push({ loaded, scenario: s.name, file, strategy, seeds, keepsBlockRule: keepsBlockRule(create, strategy) });
    }
  }
  if (problems.length > 0) throw new ScenarioError(problems);
  return { groups, create, moduleFile: opts.strategyModule?.file ?? null };
}

/** What the gate keeps of one run. */
export interface SeedResult {
  readonly seed: number;
  readonly fingerprint: string;
  readonly error: string | null;
  readonly metrics: Readonly<Record<CheckMetric, number>>;
  readonly causes: Readonly<Record<CheckCause, number>>;
}

function pick<K extends string>(m: RunMetrics, fields: Readonly<Record<K, keyof RunMetrics>>): Record<K, number> {
  const out = {} as Record<K, number>;
  for (const k of Object.keys(fields) as K[]) out[k] = roundMetric(m[fields[k]] as number);
  return out;
}

const METRIC_FIELDS = Object.fromEntries(CHECK_METRIC_NAMES.map((m) => [m, CHECK_METRICS[m].field])) as Record<
  CheckMetric,
  keyof RunMetrics
>;

export function runSeed(g: SuiteGroup, seed: number, create: (name: string) => Strategy): SeedResult {
  const { result } = runOne(g.loaded, { strategy: g.strategy, seed, strategyFactory: create });
  const metrics = pick(result.metrics, METRIC_FIELDS);
  for (const m of CHECK_METRIC_NAMES) {
    const spec = CHECK_METRICS[m];
    if (spec.absent !== undefined && !Number.isFinite(metrics[m])) metrics[m] = spec.absent;
  }
  const causes = pick(result.metrics, CHECK_CAUSES);
  let error = result.error;
  if (error === null) {
    const bad = [...CHECK_METRIC_NAMES.filter((m) => !Number.isFinite(metrics[m])), ...CHECK_CAUSE_NAMES.filter((c) => !Number.isFinite(causes[c]))];
    if (bad.length > 0) error = `${bad.join(", ")} not a finite number`;
  }
  return { seed, fingerprint: result.metrics.fingerprint, error, metrics, causes };
}

/** The baseline group as of a suite group: its values at the suite's seeds (null when a seed is missing). */
function baselineIndex(base: BaselineGroup, seeds: readonly number[]): number[] | null {
  const at = new Map(base.seeds.map((s, i) => [s, i]));
  const idx = seeds.map((s) => at.get(s) ?? -1);
  return idx.includes(-1) ? null : idx;
}

/** Checks, before anything runs, that the baseline holds every seed each group may need. */
export function checkBaselineCovers(plan: SuitePlan, baseline: Baseline): void {
  for (const g of plan.groups) {
    const base = findGroup(baseline, g.scenario, g.strategy);
    if (base === undefined) continue; // judged as no-baseline
    if (baselineIndex(base, g.seeds) === null) {
      const have = base.seeds.length === 0 ? "no seed" : `seeds ${base.seeds[0]}–${base.seeds[base.seeds.length - 1]}`;
      throw new CheckInputError(
        `the baseline holds ${have} of ${g.scenario}/${g.strategy}; the suite and thresholds need seeds ` +
          `${g.seeds[0]}–${g.seeds[g.seeds.length - 1]} (max_seeds ${g.seeds.length}): regenerate it with ` +
          "`npx sim check --update-baseline`",
      );
    }
  }
}

/** A shell word: quoted when it holds anything but safe characters. */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_./,=:@%+-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`;
}

/** The replay command of one run, with its trace, into a folder of its own. */
export function replayCommand(g: Pick<SuiteGroup, "file" | "scenario" | "strategy">, seed: number, moduleFile: string | null): string {
  const out = `reports/replay/${g.scenario}-${g.strategy}-seed${seed}`;
  const module = moduleFile !== null ? ` --strategy-module ${shellWord(moduleFile)}` : "";
  return `npx sim run ${shellWord(g.file)} --strategy ${shellWord(g.strategy)} --seed ${seed} --seeds 1${module} --trace --out ${shellWord(out)}`;
}

/**
 * The `sim shrink` command of one run: its world reduced while `until` holds (src/harness/predicate.ts), into
 * reports/shrink/. until: "failed", or "<metric> > <the baseline's value on that seed>".
 */
export function shrinkCommand(g: Pick<SuiteGroup, "file" | "strategy">, seed: number, until: string, moduleFile: string | null): string {
  const module = moduleFile !== null ? ` --strategy-module ${shellWord(moduleFile)}` : "";
  return `npx sim shrink ${shellWord(g.file)} --seed ${seed} --strategy ${shellWord(g.strategy)}${module} --until ${shellWord(until)}`;
}

function judgeMetric(
  metric: CheckMetric,
  cur: readonly SeedResult[],
  base: BaselineGroup,
  idx: readonly number[],
  config: CheckConfig,
  alpha: number,
): MetricJudgement {
  // Pairs where either side is the metric's "absent" marker (an unknown bound) say nothing: left out.
  const spec = CHECK_METRICS[metric];
  const absent = spec.absent;
  const pairs = cur
    .map((r, i) => ({ r, b: base.metrics[metric][idx[i]], c: r.metrics[metric], i }))
    .filter((p) => absent === undefined || (p.b !== absent && p.c !== absent));
  const b = pairs.map((p) => p.b);
  const c = pairs.map((p) => p.c);
  const diffs = c.map((x, i) => x - b[i]);
  const baselineMean = mean(b);
  const currentMean = mean(c);
  const threshold = config.metrics[metric] ?? {};
  const j = judgeDifferences(diffs, marginOf(threshold, baselineMean), alpha);
  const w = worstSeed(diffs);
  const pctOf = (x: number, of: number) => (of === 0 ? null : (100 * x) / Math.abs(of));
  const causes = {} as Record<CheckCause, readonly [number, number]>;
  const worst = pairs[w.index];
  for (const k of CHECK_CAUSE_NAMES) causes[k] = [base.causes[k][idx[worst.i]], worst.r.causes[k]];
  const lo = pctOf(j.interval[0], baselineMean);
  const hi = pctOf(j.interval[1], baselineMean);
  return {
    metric,
    verdict: j.verdict,
    n: j.n,
    baselineMean,
    currentMean,
    changePct: pctOf(currentMean - baselineMean, baselineMean),
    interval: j.interval,
    intervalPct: lo === null || hi === null ? null : [lo, hi],
    margin: j.margin,
    worst: { seed: worst.r.seed, diff: w.diff, pct: pctOf(w.diff, b[w.index]), outlier: w.outlier, causes },
  };
}

/**
 * False when no seed has the metric on both sides: every pair holds its "absent" marker (no player: no start-up;
 * an unknown throughput bound). Fewer than two such seeds are judged, and come out inconclusive.
 */
function applies(metric: CheckMetric, cur: readonly SeedResult[], base: BaselineGroup, idx: readonly number[]): boolean {
  const spec = CHECK_METRICS[metric];
  const absent = spec.absent;
  if (absent === undefined) return true;
  return cur.some((r, i) => r.metrics[metric] !== absent && base.metrics[metric][idx[i]] !== absent);
}

/** "metric > v": v the baseline's value of the metric on its worst seed (what that seed's run now exceeds). */
function regressionPredicate(m: MetricJudgement, cur: readonly SeedResult[], base: BaselineGroup, idx: readonly number[]): string {
  const k = cur.findIndex((r) => r.seed === m.worst.seed);
  assert(k >= 0, "the worst seed {0} of {1} was run", m.worst.seed, m.metric);
  return `${m.metric} > ${base.metrics[m.metric][idx[k]]}`;
}

const VERDICT_ORDER: readonly MetricVerdict[] = ["regression", "inconclusive", "improved", "pass"];

/** Runs one group's seeds look by look until every metric is decided (or the cap), and judges it. */
export function judgeGroup(
  g: SuiteGroup,
  baseline: Baseline | null,
  config: CheckConfig,
  run: (seed: number) => SeedResult,
  moduleFile: string | null = null,
): GroupJudgement {
  const head = { scenario: g.scenario, file: g.file, strategy: g.strategy };
  const base = baseline === null ? undefined : findGroup(baseline, g.scenario, g.strategy);
  const idx = base === undefined ? null : baselineIndex(base, g.seeds);
  if (base === undefined || idx === null) {
    return { ...head, verdict: "no-baseline", seeds: 0, detail: "not in the baseline: run `npx sim check --update-baseline`", metrics: [], replay: null };
  }
  const judged = CHECK_METRIC_NAMES.filter((m) => config.metrics[m] !== undefined && (g.keepsBlockRule || !CHECK_METRICS[m].perBlock));
  const alpha = alphaPerLook(config);
  const cur: SeedResult[] = [];
  let metrics: MetricJudgement[] = [];
  let changed = false;
  for (const n of looks(config)) {
    while (cur.length < n) {
      const r = run(g.seeds[cur.length]);
      cur.push(r);
      if (r.error !== null) {
        return {
          ...head,
          verdict: "failed",
          seeds: cur.length,
          detail: `seed ${r.seed} failed: ${r.error}`,
          metrics: [],
          replay: replayCommand(g, r.seed, moduleFile),
          shrink: shrinkCommand(g, r.seed, "failed", moduleFile),
        };
      }
    }
    if (cur.every((r, i) => r.fingerprint === base.fingerprints[idx[i]])) continue; // identical so far
    changed = true;
    metrics = judged.filter((m) => applies(m, cur, base, idx)).map((m) => judgeMetric(m, cur, base, idx, config, alpha));
    if (metrics.every((m) => m.verdict !== "inconclusive")) break;
  }
  if (changed && metrics.length === 0) {
    return { ...head, verdict: "pass", seeds: cur.length, detail: "changed; the thresholds judge no metric of this strategy", metrics, replay: null };
  }
  if (!changed) {
    return { ...head, verdict: "identical", seeds: cur.length, detail: `every fingerprint of ${cur.length} seeds matches the baseline`, metrics, replay: null };
  }
  const verdict = VERDICT_ORDER.find((v) => metrics.some((m) => m.verdict === v)) ?? "pass";
  const named = (v: MetricVerdict) => metrics.filter((m) => m.verdict === v).map((m) => m.metric);
  const detail =
    verdict === "regression"
      ? `regression in ${named("regression").join(", ")}${named("inconclusive").length > 0 ? `; inconclusive: ${named("inconclusive").join(", ")}` : ""}`
      : verdict === "inconclusive"
        ? `inconclusive after ${cur.length} seeds: ${named("inconclusive").join(", ")}`
        : verdict === "improved"
          ? `changed; improved: ${named("improved").join(", ")}; the rest within the thresholds`
          : "changed, shown within the thresholds";
  // Replay the worst seed of the metric that matters most: the largest relative rise among the failing ones.
  const failing = metrics.filter((m) => m.verdict === verdict && (verdict === "regression" || verdict === "inconclusive"));
  const key = (m: MetricJudgement) => m.changePct ?? (m.currentMean > m.baselineMean ? Number.POSITIVE_INFINITY : 0);
  const focus = [...failing].sort((a, b) => key(b) - key(a))[0];
  return {
    ...head,
    verdict,
    seeds: cur.length,
    detail,
    metrics,
    replay: focus !== undefined ? replayCommand(g, focus.worst.seed, moduleFile) : null,
    ...(verdict === "regression" && focus !== undefined ? { shrink: shrinkCommand(g, focus.worst.seed, regressionPredicate(focus, cur, base, idx), moduleFile) } : {}),
  };
}

/** Runs every group of the suite on every seed up to max_seeds: the new baseline, and the runs that failed. */
export function runSuite(
  opts: CheckOptions,
): { baseline: Baseline; failures: readonly { scenario: string; strategy: string; seed: number; error: string }[] } {
  const config = opts.config ?? DEFAULT_CONFIG;
  const plan = planSuite(opts, config);
  const total = plan.groups.length * config.max_seeds;
  let done = 0;
  const baseline = emptyBaseline(config.max_seeds);
  const groups: BaselineGroup[] = [];
  const failures: { scenario: string; strategy: string; seed: number; error: string }[] = [];
  for (const g of plan.groups) {
    const rs = g.seeds.map((seed) => {
      const r = runSeed(g, seed, plan.create);
      opts.onProgress?.(++done, total);
      if (r.error !== null) failures.push({ scenario: g.scenario, strategy: g.strategy, seed, error: r.error });
      return r;
    });
    groups.push({
      scenario: g.scenario,
      file: g.file,
      strategy: g.strategy,
      seeds: [...g.seeds],
      fingerprints: rs.map((r) => r.fingerprint),
      metrics: Object.fromEntries(CHECK_METRIC_NAMES.map((m) => [m, rs.map((r) => r.metrics[m])])) as BaselineGroup["metrics"],
      causes: Object.fromEntries(CHECK_CAUSE_NAMES.map((c) => [c, rs.map((r) => r.causes[c])])) as BaselineGroup["causes"],
    });
  }
  return { baseline: { ...baseline, groups }, failures };
}

/** Plans the suite and checks the baseline against the plan, without running anything (CheckInputError if bad). */
export function prepareCheck(opts: CheckOptions): { plan: SuitePlan; config: CheckConfig } {
  const config = opts.config ?? DEFAULT_CONFIG;
  const plan = planSuite(opts, config);
  if (opts.baseline !== null) checkBaselineCovers(plan, opts.baseline);
  return { plan, config };
}

/** Runs the suite look by look and judges every group against the baseline. */
export function check(opts: CheckOptions): CheckResult {
  const { plan, config } = prepareCheck(opts);
  const total = plan.groups.length * config.max_seeds;
  let done = 0;
  const groups = plan.groups.map((g) => {
    const before = done;
    const judgement = judgeGroup(
      g,
      opts.baseline,
      config,
      (seed) => {
        const r = runSeed(g, seed, plan.create);
        opts.onProgress?.(++done, total);
        return r;
      },
      plan.moduleFile,
    );
    // The group's unused seeds count as done, so the progress reaches its end.
    done = before + config.max_seeds;
    opts.onProgress?.(done, total);
    return judgement;
  });
  const inSuite = new Set(plan.groups.map((g) => `${g.scenario}\u0000${g.strategy}`));
  const stale = (opts.baseline?.groups ?? []).filter((g) => !inSuite.has(`${g.scenario}\u0000${g.strategy}`));
  const notes =
    stale.length > 0 && opts.strategies === undefined
      ? [`the baseline has groups the suite no longer runs (${stale.map((g) => `${g.scenario}/${g.strategy}`).join(", ")}): \`npx sim check --update-baseline\` drops them`]
      : [];
  const allowed: readonly GroupVerdict[] = opts.allowInconclusive === true ? [...PASSING, "inconclusive"] : PASSING;
  const passed = groups.every((g) => allowed.includes(g.verdict));
  const report = { groups, config, notes, allowInconclusive: opts.allowInconclusive === true };
  return { passed, groups, notes, markdown: checkMarkdown(report), junit: checkJunit(report) };
}
