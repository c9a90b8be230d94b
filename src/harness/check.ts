// The CI gate for scheduler changes: runs a fixed suite (scenarios × their strategies × their seeds), compares
// with the committed baseline, and judges each metric with paired statistics over the seeds against the
// thresholds of a config file. Unchanged code reproduces the baseline exactly (fingerprints match); changed code
// regresses a metric when, with the configured one-sided confidence, it rose by more than the threshold.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import type { Strategy } from "../agent/strategy.ts";
import { loadScenario } from "../scenario/load.ts";
import type { RunMetrics } from "../sim/metrics/records.ts";
import { TOOL_NAME, TOOL_VERSION } from "../version.ts";
import { runOne } from "./run.ts";
import { bootstrapCi, mean } from "./stats.ts";

/** Metrics the gate judges, as named in runs.csv, with their place in RunMetrics. */
export const CHECK_METRICS = {
  completion_s: "completionS",
  mean_block_s: "meanBlockS",
  p95_block_s: "p95BlockS",
  t_star_ratio: "tStarRatio",
  stall_s: "stallS",
  redundant_bytes: "redundantBytes",
  origin_bytes: "originBytes",
} as const satisfies Record<string, keyof RunMetrics>;
export type CheckMetric = keyof typeof CHECK_METRICS;

const Threshold = z.strictObject({
  max_increase_pct: z.number().nonnegative().optional(),
  max_increase_abs: z.number().nonnegative().optional(),
});

export const CheckConfig = z.strictObject({
  /** One-sided confidence that a rise exceeds the threshold before it counts as a regression. */
  confidence: z.number().gt(0.5).lt(1).default(0.95),
  metrics: z.partialRecord(z.enum(Object.keys(CHECK_METRICS) as [CheckMetric, ...CheckMetric[]]), Threshold),
});
export type CheckConfig = z.infer<typeof CheckConfig>;

export const DEFAULT_CONFIG: CheckConfig = {
  confidence: 0.95,
  metrics: {
    mean_block_s: { max_increase_pct: 2 },
    completion_s: { max_increase_pct: 2 },
    stall_s: { max_increase_abs: 0.5 },
  },
};

export interface BaselineRun {
  readonly scenario: string;
  readonly file: string;
  readonly strategy: string;
  readonly seed: number;
  readonly fingerprint: string;
  readonly error: string | null;
  readonly metrics: Readonly<Record<CheckMetric, number>>;
}

export interface Baseline {
  readonly tool: { readonly name: string; readonly version: string };
  readonly runs: readonly BaselineRun[];
}

export type Verdict = "identical" | "ok" | "improved" | "regressed" | "failed" | "no-baseline";

export interface MetricJudgement {
  readonly metric: CheckMetric;
  readonly baselineMean: number;
  readonly currentMean: number;
  readonly diffCi: readonly [number, number];
  readonly relativePct: number | null;
  readonly verdict: "ok" | "improved" | "regressed";
  /** The seed with the largest rise, for the replay command. */
  readonly worstSeed: number;
}

export interface GroupJudgement {
  readonly scenario: string;
  readonly file: string;
  readonly strategy: string;
  readonly verdict: Verdict;
  readonly detail: string;
  readonly metrics: readonly MetricJudgement[];
  readonly replay: string | null;
}

export interface CheckResult {
  readonly passed: boolean;
  readonly groups: readonly GroupJudgement[];
  readonly current: Baseline;
  readonly markdown: string;
  readonly junit: string;
}

export interface CheckOptions {
  /** A folder of scenario files (every *.yaml in it) or a list of files. */
  readonly suite: string | readonly string[];
  readonly baseline: Baseline | null;
  readonly config?: CheckConfig;
  readonly strategyFactory?: (name: string) => Strategy;
  readonly onProgress?: (done: number, total: number) => void;
}

export function suiteFiles(suite: string | readonly string[]): string[] {
  if (typeof suite !== "string") return [...suite];
  if (!existsSync(suite)) throw new Error(`suite folder ${suite} does not exist`);
  return readdirSync(suite)
    .filter((f) => f.endsWith(".yaml") && f !== "thresholds.yaml")
    .sort()
    .map((f) => join(suite, f));
}

export function loadCheckConfig(file: string): CheckConfig {
  const r = CheckConfig.safeParse(parseYaml(readFileSync(file, "utf8")));
  if (!r.success) {
    const i = r.error.issues[0];
    throw new Error(`${file}: ${i.path.join(".") || "(top)"}: ${i.message}`);
  }
  return r.data;
}

export function loadBaseline(file: string): Baseline | null {
  if (!existsSync(file)) return null;
  return JSON.parse(readFileSync(file, "utf8")) as Baseline;
}

export function baselineJson(b: Baseline): string {
  return `${JSON.stringify(b, null, 2)}\n`;
}

/** Runs every (scenario, strategy, seed) of the suite. */
export function runSuite(opts: CheckOptions): Baseline {
  const files = suiteFiles(opts.suite);
  const loaded = files.map((f) => loadScenario(f));
  const total = loaded.reduce((n, l) => n + l.scenario.strategies.length * l.scenario.seeds, 0);
  let done = 0;
  const runs: BaselineRun[] = [];
  loaded.forEach((l, i) => {
    const s = l.scenario;
    for (const strategy of s.strategies) {
      for (let seed = s.seed; seed < s.seed + s.seeds; seed++) {
        const { result } = runOne(l, { strategy, seed, strategyFactory: opts.strategyFactory });
        const metrics = Object.fromEntries(
          Object.entries(CHECK_METRICS).map(([k, v]) => [k, result.metrics[v] as number]),
        ) as Record<CheckMetric, number>;
        runs.push({
          scenario: s.name,
          file: relative(process.cwd(), files[i]).split("\\").join("/"),
          strategy,
          seed,
          fingerprint: result.metrics.fingerprint,
          error: result.error,
          metrics,
        });
        opts.onProgress?.(++done, total);
      }
    }
  });
  return { tool: { name: TOOL_NAME, version: TOOL_VERSION }, runs };
}

function judgeMetric(
  metric: CheckMetric,
  cur: readonly BaselineRun[],
  base: readonly BaselineRun[],
  config: CheckConfig,
  label: string,
): MetricJudgement {
  const bySeed = new Map(base.map((r) => [r.seed, r.metrics[metric]]));
  const pairs = cur.filter((r) => bySeed.has(r.seed)).sort((a, b) => a.seed - b.seed);
  const diffs = pairs.map((r) => r.metrics[metric] - (bySeed.get(r.seed) as number));
  const baselineMean = mean(pairs.map((r) => bySeed.get(r.seed) as number));
  const currentMean = mean(pairs.map((r) => r.metrics[metric]));
  // A one-sided bound at `confidence` is the lower end of a two-sided interval at 2·confidence − 1.
  const ci = diffs.every((d) => d === diffs[0])
    ? ([diffs[0], diffs[0]] as const)
    : bootstrapCi(diffs, `check/${label}/${metric}`, { level: 2 * config.confidence - 1 });
  const t = config.metrics[metric] ?? {};
  const limits = [
    t.max_increase_pct !== undefined ? (t.max_increase_pct / 100) * Math.abs(baselineMean) : Number.NEGATIVE_INFINITY,
    t.max_increase_abs ?? Number.NEGATIVE_INFINITY,
  ];
  const limit = Math.max(...limits);
  let verdict: MetricJudgement["verdict"] = "ok";
  if (Number.isFinite(limit) && ci[0] > limit) verdict = "regressed";
  else if (Number.isFinite(limit) && ci[1] < -limit) verdict = "improved";
  let worst = 0;
  diffs.forEach((d, i) => {
    if (d > diffs[worst]) worst = i;
  });
  return {
    metric,
    baselineMean,
    currentMean,
    diffCi: ci,
    relativePct: baselineMean === 0 ? null : (100 * (currentMean - baselineMean)) / Math.abs(baselineMean),
    verdict,
    worstSeed: pairs[worst]?.seed ?? 0,
  };
}

const replayCommand = (file: string, strategy: string, seed: number) =>
  `npx sim run ${file} --strategy ${strategy} --seed ${seed} --seeds 1 --trace --out reports/replay`;

/** Compares current runs with the baseline, group by group (scenario, strategy). */
export function compare(current: Baseline, baseline: Baseline | null, config: CheckConfig = DEFAULT_CONFIG): GroupJudgement[] {
  const groups = new Map<string, BaselineRun[]>();
  for (const r of current.runs) {
    const k = `${r.scenario}\u0000${r.strategy}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const out: GroupJudgement[] = [];
  for (const cur of groups.values()) {
    const { scenario, strategy, file } = cur[0];
    const base = (baseline?.runs ?? []).filter((r) => r.scenario === scenario && r.strategy === strategy);
    const head = { scenario, file, strategy };
    const failed = cur.find((r) => r.error !== null);
    if (failed !== undefined) {
      out.push({ ...head, verdict: "failed", detail: `seed ${failed.seed}: ${failed.error}`, metrics: [], replay: replayCommand(file, strategy, failed.seed) });
      continue;
    }
    if (base.length === 0) {
      out.push({ ...head, verdict: "no-baseline", detail: "not in the baseline: run `sim check --update-baseline`", metrics: [], replay: null });
      continue;
    }
    const baseBySeed = new Map(base.map((r) => [r.seed, r.fingerprint]));
    if (cur.length === base.length && cur.every((r) => baseBySeed.get(r.seed) === r.fingerprint)) {
      out.push({ ...head, verdict: "identical", detail: "every fingerprint matches the baseline", metrics: [], replay: null });
      continue;
    }
    const metrics = (Object.keys(CHECK_METRICS) as CheckMetric[])
      .filter((m) => config.metrics[m] !== undefined)
      .map((m) => judgeMetric(m, cur, base, config, `${scenario}/${strategy}`));
    const regressed = metrics.filter((m) => m.verdict === "regressed");
    const verdict: Verdict = regressed.length > 0 ? "regressed" : metrics.some((m) => m.verdict === "improved") ? "improved" : "ok";
    const worst = regressed.sort((a, b) => (b.relativePct ?? 0) - (a.relativePct ?? 0))[0];
    out.push({
      ...head,
      verdict,
      detail: regressed.length > 0 ? `regressed: ${regressed.map((m) => m.metric).join(", ")}` : "changed, within thresholds",
      metrics,
      replay: worst !== undefined ? replayCommand(file, strategy, worst.worstSeed) : null,
    });
  }
  return out;
}

const num = (x: number) => (Number.isInteger(x) ? String(x) : x.toPrecision(6));

export function checkMarkdown(groups: readonly GroupJudgement[], config: CheckConfig): string {
  const failing = groups.filter((g) => g.verdict === "regressed" || g.verdict === "failed" || g.verdict === "no-baseline");
  const lines = [
    `### sim check: ${failing.length === 0 ? "passed" : `${failing.length} regression(s)`}`,
    "",
    `One-sided confidence ${config.confidence}; thresholds: ${Object.entries(config.metrics)
      .map(([m, t]) =>
        [m, t?.max_increase_pct !== undefined ? `+${t.max_increase_pct}%` : "", t?.max_increase_abs !== undefined ? `+${t.max_increase_abs}` : ""]
          .filter((x) => x !== "")
          .join(" "),
      )
      .join(", ")}`,
    "",
    "| scenario | strategy | verdict | metric | baseline | current | change | 95% CI of Δ |",
    "|---|---|---|---|---|---|---|---|",
  ];
  for (const g of groups) {
    if (g.metrics.length === 0) {
      lines.push(`| ${g.scenario} | ${g.strategy} | ${g.verdict} | ${g.detail.replaceAll("|", "\\|")} | | | | |`);
      continue;
    }
    for (const m of g.metrics) {
      const pct = m.relativePct === null ? "" : `${m.relativePct >= 0 ? "+" : ""}${m.relativePct.toFixed(2)}%`;
      lines.push(
        `| ${g.scenario} | ${g.strategy} | ${m.verdict === "regressed" ? "**regressed**" : m.verdict} | ${m.metric} | ${num(m.baselineMean)} | ${num(m.currentMean)} | ${pct} | [${num(m.diffCi[0])}, ${num(m.diffCi[1])}] |`,
      );
    }
  }
  const replays = groups.filter((g) => g.replay !== null && g.verdict !== "ok" && g.verdict !== "improved");
  if (replays.length > 0) {
    lines.push("", "Replay the worst seed with its event trace:", "");
    for (const g of replays) lines.push(`    ${g.replay}`);
  }
  return `${lines.join("\n")}\n`;
}

const xml = (s: string) => s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");

export function checkJunit(groups: readonly GroupJudgement[]): string {
  const byScenario = new Map<string, GroupJudgement[]>();
  for (const g of groups) byScenario.set(g.scenario, [...(byScenario.get(g.scenario) ?? []), g]);
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="sim check" tests="${groups.length}">`];
  for (const [scenario, gs] of byScenario) {
    const failures = gs.filter((g) => g.verdict === "regressed" || g.verdict === "failed" || g.verdict === "no-baseline").length;
    out.push(`  <testsuite name="${xml(scenario)}" tests="${gs.length}" failures="${failures}">`);
    for (const g of gs) {
      out.push(`    <testcase classname="${xml(scenario)}" name="${xml(g.strategy)}">`);
      if (g.verdict === "regressed" || g.verdict === "failed" || g.verdict === "no-baseline") {
        out.push(`      <failure message="${xml(`${g.verdict}: ${g.detail}`)}">${xml(g.replay ?? g.detail)}</failure>`);
      } else {
        out.push(`      <system-out>${xml(`${g.verdict}: ${g.detail}`)}</system-out>`);
      }
      out.push("    </testcase>");
    }
    out.push("  </testsuite>");
  }
  out.push("</testsuites>");
  return `${out.join("\n")}\n`;
}

/** Runs the suite and judges it against the baseline. */
export function check(opts: CheckOptions): CheckResult {
  const config = opts.config ?? DEFAULT_CONFIG;
  const current = runSuite(opts);
  const groups = compare(current, opts.baseline, config);
  const passed = groups.every((g) => g.verdict === "identical" || g.verdict === "ok" || g.verdict === "improved");
  return { passed, groups, current, markdown: checkMarkdown(groups, config), junit: checkJunit(groups) };
}
