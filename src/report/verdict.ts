// The verdict: the answer a reader wants first, above every table (the CLI output of `sim run`, summary.md and
// index.html). For each headline metric (SUMMARY_METRICS of src/metrics/registry.ts) it names the best strategy
// by mean, which way is better, and its paired difference to the reference with the bootstrap 95% interval;
// it says plainly when that interval includes 0 (the seeds cannot tell the two apart), collapses metrics on
// which every strategy is equal into one sentence, and warns when fewer than SMALL_SAMPLE_SEEDS seeds ran (a
// percentile bootstrap over 2 seeds is just their range). Per-block metrics compare only strategies that keep
// the block rule (src/report/table.ts). Built from summary.json's figures, so it says what the tables say; a swarm
// run adds lines for the swarm metrics that have a better direction (swarm-summary.ts), after the headline ones.

import { findMetric, type RunMetricName, SUMMARY_METRICS } from "../metrics/registry.ts";
import type { Scenario } from "../scenario/schema.ts";
import type { RunResult } from "../sim/metrics/records.ts";
import { formatNumber, formatPct } from "./charts/tables.ts";
import { buildSummary, type MetricSummary, type PairedSummary, PER_BLOCK_METRICS, type Summary } from "./summary.ts";
import { buildSwarmSummary, SWARM_VERDICT_METRICS, type SwarmSummary } from "./swarm-summary.ts";
import { blocksOverlap } from "./table.ts";

/** Fewer seeds than this get the small-sample warning. */
export const SMALL_SAMPLE_SEEDS = 5;

/** How a metric's comparison came out. */
export type VerdictKind =
  /** The interval of the quoted difference excludes 0: the seeds support it. */
  | "supported"
  /** The interval includes 0, or one seed gives no interval: the seeds cannot tell the two apart. */
  | "unclear"
  /** No paired difference (the reference has no value for this metric). */
  | "unpaired";

export interface VerdictLine {
  /** A headline metric, or (swarm runs) a swarm metric. */
  readonly metric: RunMetricName;
  /** The metric's name without its unit, e.g. "completion time". */
  readonly name: string;
  /** Display unit ("s", "MB"), or "" for counts and ratios. */
  readonly unit: string;
  readonly better: "lower" | "higher";
  readonly kind: VerdictKind;
  /** The best strategy by mean (the first in report order on a tie). */
  readonly best: string;
  /** The strategy whose difference to the reference is quoted: the best, or the runner-up when the reference is best. */
  readonly compared: string;
  /** compared − reference, paired by seed, in raw units (null when unpaired). */
  readonly diff: PairedSummary | null;
  /** The sentence shown. */
  readonly text: string;
}

export interface Verdict {
  /** The strategy differences are taken against; null when there are no runs. */
  readonly reference: string | null;
  /** Distinct seeds run. */
  readonly seeds: number;
  /** The small-sample warning, or null with enough seeds. */
  readonly warning: string | null;
  readonly lines: readonly VerdictLine[];
  /** One sentence for the metrics on which every strategy is equal, or null. */
  readonly equal: string | null;
  /** Further remarks: one strategy only, strategies left out of the per-block metrics. */
  readonly notes: readonly string[];
}

/** Name and display unit of a metric from its registry label, e.g. "completion time (s)" → ["completion time", "s"]. */
function nameAndUnit(metric: RunMetricName): { name: string; unit: string; factor: number; better: "lower" | "higher" } {
  const spec = findMetric(metric);
  const label = spec?.label ?? metric;
  const m = /^(.*) \(([^)]*)\)$/.exec(label);
  const name = m?.[1] ?? label;
  // Counts, ratios and quotients spelled out ("stall / watch time") are shown without a unit.
  const unit = m === null || m[2] === "count" || m[2] === "ratio" || m[2].includes(" / ") ? "" : m[2];
  return { name, unit, factor: spec?.displayFactor ?? 1, better: spec?.better === "higher" ? "higher" : "lower" };
}

/** A value with its unit: "12.30 s", "3.000". */
function withUnit(x: number, unit: string): string {
  const text = x === 0 ? "0" : formatNumber(x);
  return unit === "" ? text : `${text} ${unit}`;
}

function signed(x: number): string {
  const s = formatNumber(x);
  return x > 0 && !/^0(\.0*)?$/.test(s) ? `+${s}` : s;
}

/** True when the seeds cannot tell a difference from none: one seed, or an interval holding 0. */
export function unclear(d: PairedSummary): boolean {
  return d.n < 2 || (d.ci95[0] <= 0 && d.ci95[1] >= 0);
}

/** "−2.5 s (−22.7%), 95% interval [−3.0, −2.0] s" in display units. */
function diffText(d: PairedSummary, factor: number, unit: string): string {
  const u = unit === "" ? "" : ` ${unit}`;
  const rel = d.relative_pct === null ? "" : ` (${formatPct(d.relative_pct)})`;
  const interval =
    d.n < 2 ? "one seed, no interval" : `95% interval [${signed(d.ci95[0] * factor)}, ${signed(d.ci95[1] * factor)}]${u}`;
  return `${signed(d.mean_diff * factor)}${u}${rel}, ${interval}`;
}

/** A strategy's figures as the verdict reads them (summary.json's StrategySummary, or a swarm summary's). */
interface StrategyFigures<M extends RunMetricName> {
  readonly name: string;
  readonly metrics: Readonly<Record<M, MetricSummary | null>>;
  readonly vs_reference: Readonly<Record<M, PairedSummary | null>> | null;
}

/** The verdict lines of `metricNames`, and the metrics on which every strategy is equal ("name value"). */
function metricLines<M extends RunMetricName>(
  strategies: readonly StrategyFigures<M>[],
  ref: string,
  metricNames: readonly M[],
  leaveOut: (strategy: string, metric: M) => boolean,
): { lines: VerdictLine[]; equal: string[] } {
  const lines: VerdictLine[] = [];
  const equal: string[] = [];
  const byName = new Map(strategies.map((s) => [s.name, s]));
  for (const metric of metricNames) {
    const { name, unit, factor, better } = nameAndUnit(metric);
    const candidates = strategies.filter((s) => s.metrics[metric] !== null && !leaveOut(s.name, metric));
    if (candidates.length < 2) continue;
    const meanOf = (n: string) => byName.get(n)?.metrics[metric]?.mean ?? Number.NaN;
    const means = candidates.map((s) => meanOf(s.name));
    if (means.every((m) => m === means[0])) {
      equal.push(`${name} ${withUnit(means[0] * factor, unit)}`);
      continue;
    }
    const ranked = [...candidates].sort((a, b) =>
      better === "lower" ? meanOf(a.name) - meanOf(b.name) : meanOf(b.name) - meanOf(a.name),
    ); // stable: ties keep report order
    const best = ranked[0].name;
    const direction = `${better} is better`;
    const bestValue = withUnit(meanOf(best) * factor, unit);
    if (!candidates.some((s) => s.name === ref)) {
      lines.push({
        metric,
        name,
        unit,
        better,
        kind: "unpaired",
        best,
        compared: best,
        diff: null,
        text: `${name} (${direction}): ${best} is best with ${bestValue}; ${ref} has no value to compare with.`,
      });
      continue;
    }
    const compared = best === ref ? ranked[1].name : best;
    const diff = byName.get(compared)?.vs_reference?.[metric] ?? null;
    if (diff === null) {
      lines.push({
        metric,
        name,
        unit,
        better,
        kind: "unpaired",
        best,
        compared,
        diff,
        text: `${name} (${direction}): ${best} is best with ${bestValue}; no seed of ${compared} matches one of ${ref}.`,
      });
      continue;
    }
    const kind: VerdictKind = unclear(diff) ? "unclear" : "supported";
    const judged =
      kind === "unclear"
        ? `the seeds cannot tell ${compared} and ${ref} apart${diff.n < 2 ? "" : " (the interval includes 0)"}.`
        : "the seeds support the difference.";
    const lead =
      best === ref
        ? `${ref} (the reference) is best with ${bestValue}; next, ${compared}: ${diffText(diff, factor, unit)}`
        : `${best} is best with ${bestValue} against ${withUnit(meanOf(ref) * factor, unit)} for ${ref}: ${diffText(diff, factor, unit)}`;
    lines.push({
      metric,
      name,
      unit,
      better,
      kind,
      best,
      compared,
      diff,
      text: `${name} (${direction}): ${lead}; ${judged}`,
    });
  }
  return { lines, equal };
}

/**
 * The verdict of a summary. `overlapping` names the strategies that pipeline blocks: they are left out of the
 * per-block metrics. Pure: the same summary gives the same verdict.
 */
export function buildVerdict(
  summary: Summary,
  overlapping: ReadonlySet<string> = new Set(),
  swarm: SwarmSummary | null = null,
): Verdict {
  const ref = summary.reference;
  const seeds = new Set(summary.strategies.flatMap((s) => s.seeds)).size;
  const warning =
    seeds > 0 && seeds < SMALL_SAMPLE_SEEDS
      ? `only ${seeds} seed${seeds === 1 ? "" : "s"}: the 95% intervals are rough (over 2 seeds a bootstrap interval is just their range). Run at least ${SMALL_SAMPLE_SEEDS} seeds (--seeds ${SMALL_SAMPLE_SEEDS}) before trusting a difference.`
      : null;
  const notes: string[] = [];
  const lines: VerdictLine[] = [];
  const equal: string[] = [];
  if (summary.strategies.length < 2 || ref === null) {
    notes.push(summary.strategies.length === 0 ? "no runs: nothing to compare." : "one strategy ran: nothing to compare.");
    return { reference: ref, seeds, warning, lines, equal: null, notes };
  }
  const leftOut = summary.strategies.filter((s) => overlapping.has(s.name)).map((s) => s.name);
  if (leftOut.length > 0) {
    notes.push(
      `per-block metrics compare only strategies that keep the block rule; left out (they pipeline blocks): ${leftOut.join(", ")}.`,
    );
  }
  const headline = metricLines(summary.strategies, ref, SUMMARY_METRICS, (name, metric) =>
    PER_BLOCK_METRICS.includes(metric) && overlapping.has(name),
  );
  lines.push(...headline.lines);
  equal.push(...headline.equal);
  if (swarm !== null) {
    const more = metricLines(swarm.strategies, ref, SWARM_VERDICT_METRICS, () => false);
    lines.push(...more.lines);
    equal.push(...more.equal);
  }
  return {
    reference: ref,
    seeds,
    warning,
    lines,
    equal: equal.length === 0 ? null : `Equal for every strategy: ${equal.join("; ")}.`,
    notes,
  };
}

/** The verdict of a run folder's results (the reference as in summary.json). */
export function verdictOf(scenario: Scenario, results: readonly RunResult[], reference?: string): Verdict {
  const summary = buildSummary(scenario, results, reference === undefined ? {} : { reference });
  const overlapping = new Set<string>();
  for (const s of summary.strategies) {
    const ok = results.filter((r) => r.strategy === s.name && r.error === null);
    if (blocksOverlap(ok)) overlapping.add(s.name);
  }
  return buildVerdict(summary, overlapping, buildSwarmSummary(scenario, results, summary.reference));
}

/** The verdict's heading: what it compares against, over how many seeds. */
export function verdictHeading(v: Verdict): string {
  return v.reference === null
    ? "Verdict"
    : `Verdict (against ${v.reference}, ${v.seeds} seed${v.seeds === 1 ? "" : "s"}; 95% intervals of paired differences)`;
}

/** Plain text for the terminal: heading, warning, one line per metric, the equal metrics and notes. */
export function verdictText(v: Verdict): string {
  const out = [`${verdictHeading(v)}:`];
  if (v.warning !== null) out.push(`  WARNING: ${v.warning}`);
  for (const l of v.lines) out.push(`  - ${l.text}`);
  if (v.equal !== null) out.push(`  - ${v.equal}`);
  for (const n of v.notes) out.push(`  note: ${n}`);
  return `${out.join("\n")}\n`;
}

/** Markdown: a heading, the warning as a quote, a bullet per metric. */
export function verdictMarkdown(v: Verdict, escape: (s: string) => string = (s) => s): string {
  const out = [`## ${verdictHeading(v)}`];
  if (v.warning !== null) out.push(`> **Warning:** ${escape(v.warning)}`);
  const bullets = [...v.lines.map((l) => l.text), ...(v.equal === null ? [] : [v.equal]), ...v.notes];
  if (bullets.length > 0) out.push(bullets.map((b) => `- ${escape(b)}`).join("\n"));
  return out.join("\n\n");
}
