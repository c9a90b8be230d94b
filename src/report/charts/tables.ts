// The tables index.html and summary.md show, as plain cells: the comparison table of `sim run`, each headline
// metric's mean with its 95% interval, and each strategy's paired difference to the reference (these two with a
// row per metric and a column per strategy), and for a swarm run the same two for the swarm's figures. The lead can
// pass other tables to buildCharts instead (ReportTable is the only contract).

import type { Scenario } from "../../scenario/schema.ts";
import type { RunResult } from "../../sim/metrics/records.ts";
import { findMetric, SUMMARY_METRICS, type SummaryMetric } from "../../metrics/registry.ts";
import { buildSummary, type MetricSummary, PER_BLOCK_METRICS, type PairedSummary } from "../summary.ts";
import { comparisonRows, TABLE_COLUMNS, TABLE_NOTE } from "../table.ts";
import { buildSwarmSummary, SWARM_METRICS } from "../swarm-summary.ts";
import { metricLabel } from "./labels.ts";

export interface ReportTable {
  readonly title: string;
  /** One line under the title saying how to read the table; may be empty. */
  readonly caption: string;
  readonly columns: readonly string[];
  /** Cells as text; rows have columns.length cells. The first column is left-aligned, the rest right. */
  readonly rows: readonly (readonly string[])[];
}

const NONE = "-";

/** A number for a table cell: about four significant digits, no exponent, no "-0". */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return NONE;
  const a = Math.abs(x);
  const s =
    a >= 1000 ? x.toFixed(0) : a >= 100 ? x.toFixed(1) : a >= 1 || a === 0 ? x.toFixed(3) : x.toFixed(4);
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

function signed(x: number): string {
  const s = formatNumber(x);
  return x > 0 && s !== NONE && !/^0(\.0*)?$/.test(s) ? `+${s}` : s;
}

/** "mean [lo, hi]" of a metric, scaled to its display unit by f; "-" when there is none. */
export function meanCell(m: MetricSummary | null, f: number): string {
  return m === null ? NONE : `${formatNumber(m.mean * f)} [${formatNumber(m.ci95[0] * f)}, ${formatNumber(m.ci95[1] * f)}]`;
}

/** "diff (relative) [lo, hi]" of a paired difference, scaled to the display unit by f; "-" when there is none. */
export function diffCell(d: PairedSummary | null, f: number): string {
  if (d === null) return NONE;
  const rel = d.relative_pct === null ? "" : ` (${formatPct(d.relative_pct)})`;
  return `${signed(d.mean_diff * f)}${rel} [${signed(d.ci95[0] * f)}, ${signed(d.ci95[1] * f)}]`;
}

/** A percentage with one decimal and a sign: "+12.3%", "-0.5%", "0.0%". */
export function formatPct(x: number): string {
  if (!Number.isFinite(x)) return NONE;
  const s = x.toFixed(1);
  if (/^-?0\.0$/.test(s)) return "0.0%";
  return `${x > 0 ? "+" : ""}${s}%`;
}

/** The caveat on the per-block columns of the means and differences tables. */
const PER_BLOCK_NOTE = `${PER_BLOCK_METRICS.map((m) => metricLabel(m).title).join(" and ")} compare only strategies that keep the block rule (see the comparison table's block_rule)`;

/**
 * The tables of a run folder's pages. The means and the differences have a row per metric and a column per
 * strategy: their width grows with the strategies, not with the ten metrics, so they fit the page.
 */
export function defaultTables(scenario: Scenario, results: readonly RunResult[]): ReportTable[] {
  const summary = buildSummary(scenario, results);
  const direction = (m: string) => {
    const better = findMetric(m)?.better;
    return better === "lower" ? " ↓" : better === "higher" ? " ↑" : "";
  };
  const metricCell = (m: SummaryMetric | (typeof SWARM_METRICS)[number]) => `${metricLabel(m).title}${direction(m)}`;
  const means: ReportTable = {
    title: "Means over seeds",
    caption: `mean [bootstrap 95% interval] over each strategy's successful runs; ↓: lower is better; ${PER_BLOCK_NOTE}`,
    columns: ["metric", ...summary.strategies.map((s) => s.name)],
    rows: [
      ["runs", ...summary.strategies.map((s) => (s.failed > 0 ? `${s.runs} (${s.failed} failed)` : String(s.runs)))],
      ...SUMMARY_METRICS.map((metric) => [
        metricCell(metric),
        ...summary.strategies.map((s) => meanCell(s.metrics[metric], metricLabel(metric).factor)),
      ]),
    ],
  };
  const tables: ReportTable[] = [
    {
      title: "Comparison",
      caption: `means over successful runs (block times over every completed block). ${TABLE_NOTE}`,
      columns: [...TABLE_COLUMNS],
      rows: comparisonRows(scenario, results),
    },
    means,
  ];
  const others = summary.strategies.filter((s) => s.vs_reference !== null);
  if (summary.reference !== null && others.length > 0) {
    tables.push({
      title: `Difference to ${summary.reference}`,
      caption: `strategy − ${summary.reference}, paired by seed: mean difference (relative) [bootstrap 95% interval]; ↓: lower is better; ${PER_BLOCK_NOTE}`,
      columns: ["metric", ...others.map((s) => `${s.name} − ${summary.reference}`)],
      rows: SUMMARY_METRICS.map((metric) => [
        metricCell(metric),
        ...others.map((s) => diffCell(s.vs_reference?.[metric] ?? null, metricLabel(metric).factor)),
      ]),
    });
  }
  // A swarm run: its figures (runs.csv's swarm columns) in the same two shapes.
  const swarm = buildSwarmSummary(scenario, results, summary.reference);
  if (swarm !== null) {
    tables.push({
      title: "Swarm: means over seeds",
      caption: "the swarm's figures of each run (every viewer, the scenario's agent included), mean [bootstrap 95% interval] over each strategy's successful runs; ↓: lower is better, ↑: higher is better",
      columns: ["metric", ...swarm.strategies.map((s) => s.name)],
      rows: SWARM_METRICS.map((metric) => [
        metricCell(metric),
        ...swarm.strategies.map((s) => meanCell(s.metrics[metric], metricLabel(metric).factor)),
      ]),
    });
    const swarmOthers = swarm.strategies.filter((s) => s.vs_reference !== null);
    if (swarm.reference !== null && swarmOthers.length > 0) {
      tables.push({
        title: `Swarm: difference to ${swarm.reference}`,
        caption: `strategy − ${swarm.reference}, paired by seed: mean difference (relative) [bootstrap 95% interval]`,
        columns: ["metric", ...swarmOthers.map((s) => `${s.name} − ${swarm.reference}`)],
        rows: SWARM_METRICS.map((metric) => [
          metricCell(metric),
          ...swarmOthers.map((s) => diffCell(s.vs_reference?.[metric] ?? null, metricLabel(metric).factor)),
        ]),
      });
    }
  }
  return tables;
}
