// What `sim check` shows: a markdown table (printed, and appended to the GitHub job summary) with a row per judged
// metric of each changed group — verdict, seeds, means, the change and the bounds of the per-seed difference
// in the metric's unit and in %, the rise allowed, the worst seed with an outlier flag and the cause counts on
// that seed (baseline → current) — and JUnit XML (a testsuite per scenario, a testcase per strategy, a failure
// whose message says in one line which metric failed, by how much, over how many seeds).

import { alphaPerLook, CHECK_CAUSE_NAMES, CHECK_METRIC_NAMES, CHECK_METRICS, type CheckConfig, looks } from "./check-config.ts";
import type { GroupJudgement, GroupVerdict, MetricJudgement } from "./check-judgement.ts";

export interface CheckReport {
  readonly groups: readonly GroupJudgement[];
  readonly config: CheckConfig;
  readonly notes: readonly string[];
  readonly allowInconclusive: boolean;
}

const FAILING_ALWAYS: readonly GroupVerdict[] = ["regression", "failed", "no-baseline"];

function fails(v: GroupVerdict, allowInconclusive: boolean): boolean {
  return FAILING_ALWAYS.includes(v) || (v === "inconclusive" && !allowInconclusive);
}

/** A number with at most 4 significant digits (trailing zeros dropped), integers as they are, no exponent for everyday sizes. */
export function num(x: number): string {
  if (!Number.isFinite(x)) return x > 0 ? "∞" : x < 0 ? "-∞" : "-";
  if (Number.isInteger(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 1000) return x.toFixed(0);
  const s = x.toPrecision(4);
  if (s.includes("e")) return x.toExponential(3);
  return s.includes(".") ? s.replace(/\.?0+$/, "") : s;
}

const signed = (x: number) => (x > 0 ? `+${num(x)}` : num(x));
const pct = (x: number | null) => (x === null ? "-" : `${x > 0 ? "+" : ""}${x.toFixed(1)}%`);

function thresholdText(t: { max_increase_pct?: number; max_increase_abs?: number } | undefined): string {
  if (t === undefined) return "";
  return [t.max_increase_pct !== undefined ? `+${t.max_increase_pct}%` : "", t.max_increase_abs !== undefined ? `+${t.max_increase_abs}` : ""]
    .filter((x) => x !== "")
    .join(" or ");
}

/** The decision rule, the levels and the thresholds, in words. */
export function methodText(config: CheckConfig): string {
  const lk = looks(config);
  const oneSided = 100 * (1 - alphaPerLook(config));
  const perBlock = CHECK_METRIC_NAMES.filter((m) => CHECK_METRICS[m].perBlock);
  return (
    `Each metric is judged on the per-seed differences (current − baseline, paired by seed): Student t bounds of ` +
    `their mean, each one-sided at ${oneSided.toFixed(3).replace(/0+$/, "")}% (1 − ${config.confidence} split over ` +
    `${lk.length} look(s) of ${lk.join(", ")} seeds), against the rise allowed Δ (the larger of the % of the ` +
    "baseline mean and the absolute allowance): **regression** when the lower bound is above Δ, **pass** when the " +
    "upper bound is at most Δ, **improved** when it is below −Δ, **inconclusive** otherwise (seeds are added " +
    `until every metric is decided, up to ${config.max_seeds}). Allowed: ` +
    Object.entries(config.metrics)
      .map(([m, t]) => `${m} ${thresholdText(t)}`)
      .join(", ") +
    `. ${perBlock.join(", ")} are judged only for strategies that keep the block rule.`
  );
}

const esc = (s: string) => s.replaceAll("|", "\\|").replace(/\r?\n/g, " ");

function causeCell(pair: readonly [number, number]): string {
  return pair[0] === pair[1] ? num(pair[0]) : `${num(pair[0])}→${num(pair[1])}`;
}

function metricRow(g: GroupJudgement, m: MetricJudgement): string {
  const verdict = m.verdict === "regression" || m.verdict === "inconclusive" ? `**${m.verdict}**` : m.verdict;
  const bounds = `[${signed(m.interval[0])}, ${signed(m.interval[1])}]`;
  const boundsPct = m.intervalPct === null ? "-" : `[${pct(m.intervalPct[0])}, ${pct(m.intervalPct[1])}]`;
  const allowed = `${signed(m.margin)}${m.baselineMean !== 0 ? ` (${pct((100 * m.margin) / Math.abs(m.baselineMean))})` : ""}`;
  const worst = `${m.worst.seed}: ${signed(m.worst.diff)}${m.worst.pct !== null ? ` (${pct(m.worst.pct)})` : ""}${m.worst.outlier ? " outlier" : ""}`;
  return `| ${esc(g.scenario)} | ${esc(g.strategy)} | ${verdict} | ${m.metric} | ${m.n} | ${num(m.baselineMean)} | ${num(m.currentMean)} | ${pct(m.changePct)} | ${bounds} | ${boundsPct} | ${allowed} | ${worst} | ${CHECK_CAUSE_NAMES.map((c) => causeCell(m.worst.causes[c])).join(" | ")} |`;
}

export function checkMarkdown(r: CheckReport): string {
  const { groups, config } = r;
  const count = (v: GroupVerdict) => groups.filter((g) => g.verdict === v).length;
  const failing = groups.filter((g) => fails(g.verdict, r.allowInconclusive));
  const tally = (["identical", "pass", "improved", "inconclusive", "regression", "failed", "no-baseline"] as const)
    .filter((v) => count(v) > 0)
    .map((v) => `${count(v)} ${v}`)
    .join(", ");
  const lines = [
    `### sim check: ${failing.length === 0 ? "passed" : "failed"}`,
    "",
    `${groups.length} group(s) (scenario × strategy): ${tally}${r.allowInconclusive && count("inconclusive") > 0 ? " (inconclusive allowed)" : ""}.`,
    "",
    methodText(config),
    "",
    `| scenario | strategy | verdict | metric | seeds | baseline | current | change | bounds of Δ | bounds of Δ (%) | allowed | worst seed | ${CHECK_CAUSE_NAMES.join(" | ")} |`,
    `|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|${CHECK_CAUSE_NAMES.map(() => "---:").join("|")}|`,
  ];
  // Identical groups of a scenario share one row (where the first of them would be).
  const identical = new Map<string, GroupJudgement[]>();
  for (const g of groups) if (g.verdict === "identical") identical.set(g.scenario, [...(identical.get(g.scenario) ?? []), g]);
  for (const g of groups) {
    if (g.verdict === "identical") {
      const same = identical.get(g.scenario) ?? [];
      if (same[0] !== g) continue;
      const seeds = [...new Set(same.map((x) => x.seeds))].join("/");
      lines.push(`| ${esc(g.scenario)} | ${same.map((x) => esc(x.strategy)).join(", ")} | identical | every fingerprint matches the baseline | ${seeds} |${" |".repeat(7 + CHECK_CAUSE_NAMES.length)}`);
      continue;
    }
    if (g.metrics.length === 0) {
      const v = fails(g.verdict, r.allowInconclusive) ? `**${g.verdict}**` : g.verdict;
      lines.push(`| ${esc(g.scenario)} | ${esc(g.strategy)} | ${v} | ${esc(g.detail)} | ${g.seeds} |${" |".repeat(7 + CHECK_CAUSE_NAMES.length)}`);
      continue;
    }
    for (const m of g.metrics) lines.push(metricRow(g, m));
  }
  const replays = groups.filter((g) => g.replay !== null && fails(g.verdict, r.allowInconclusive));
  if (replays.length > 0) {
    lines.push("", "Replay the seed to look at (the worst seed of the worst metric, or the failed run) with its event trace:", "");
    for (const g of replays) lines.push(`    ${g.replay}`);
  }
  const shrinks = groups.filter((g) => g.shrink !== undefined && fails(g.verdict, r.allowInconclusive));
  if (shrinks.length > 0) {
    lines.push("", "Shrink that seed's world to a small scenario that still shows the regression or the failure (docs/explain.md):", "");
    for (const g of shrinks) lines.push(`    ${g.shrink}`);
  }
  if (r.notes.length > 0) lines.push("", ...r.notes.map((n) => `Note: ${n}`));
  return `${lines.join("\n")}\n`;
}

/** One line per metric that did not pass: "completion_s regression: +7.1% (bounds +3.2% to +11.0%, allowed +2.0%) over 24 seeds". */
export function metricSentence(m: MetricJudgement): string {
  const change = m.changePct !== null ? pct(m.changePct) : signed(m.currentMean - m.baselineMean);
  const bounds =
    m.intervalPct !== null
      ? `${pct(m.intervalPct[0])} to ${pct(m.intervalPct[1])}`
      : `${signed(m.interval[0])} to ${signed(m.interval[1])}`;
  const allowed = m.baselineMean !== 0 ? pct((100 * m.margin) / Math.abs(m.baselineMean)) : signed(m.margin);
  return `${m.metric} ${m.verdict}: ${change} (bounds ${bounds}, allowed ${allowed}) over ${m.n} seeds; worst seed ${m.worst.seed}${m.worst.outlier ? " (an outlier)" : ""}`;
}

const xml = (s: string) =>
  s
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    // eslint-disable-next-line no-control-regex -- XML 1.0 cannot hold these characters at all
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");

export function checkJunit(r: CheckReport): string {
  const byScenario = new Map<string, GroupJudgement[]>();
  for (const g of r.groups) byScenario.set(g.scenario, [...(byScenario.get(g.scenario) ?? []), g]);
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="sim check" tests="${r.groups.length}" failures="${r.groups.filter((g) => fails(g.verdict, r.allowInconclusive)).length}">`];
  for (const [scenario, gs] of byScenario) {
    const failures = gs.filter((g) => fails(g.verdict, r.allowInconclusive)).length;
    out.push(`  <testsuite name="${xml(scenario)}" tests="${gs.length}" failures="${failures}">`);
    for (const g of gs) {
      out.push(`    <testcase classname="${xml(scenario)}" name="${xml(g.strategy)}">`);
      const notPassed = g.metrics.filter((m) => m.verdict === "regression" || m.verdict === "inconclusive");
      const lines = notPassed.map(metricSentence);
      if (fails(g.verdict, r.allowInconclusive)) {
        const message = notPassed.length > 0 ? `${g.verdict}: ${notPassed.map((m) => metricSentence(m).replace(/; worst seed.*$/, "")).join("; ")}` : `${g.verdict}: ${g.detail}`;
        const body = [...lines, ...(g.replay !== null ? [`replay: ${g.replay}`] : []), ...(g.shrink !== undefined ? [`shrink: ${g.shrink}`] : [])].join("\n");
        out.push(`      <failure message="${xml(message)}" type="${g.verdict}">${xml(body === "" ? g.detail : body)}</failure>`);
      } else {
        out.push(`      <system-out>${xml([`${g.verdict}: ${g.detail}`, ...lines].join("\n"))}</system-out>`);
      }
      out.push("    </testcase>");
    }
    out.push("  </testsuite>");
  }
  out.push("</testsuites>");
  return `${out.join("\n")}\n`;
}
