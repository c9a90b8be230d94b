// The comparison table `sim run` prints: one row per strategy (scenario order) with block times, distance to
// the lower bound, stalls and bytes, over the strategy's successful runs. Plain text with aligned columns
// for the terminal, and a markdown variant for summary.md.

import { mean, median } from "../harness/stats.ts";
import type { Scenario } from "../scenario/schema.ts";
import type { RunResult } from "../sim/metrics/records.ts";
import { orderResults, strategyOrder } from "./order.ts";

/**
 * Columns. mean_block_s / median_block_s: over every completed block of every successful run;
 * t_star_ratio, stalls (count), stall_s, redundant_MB and origin_MB (10⁶ bytes): means over successful runs.
 */
export const TABLE_COLUMNS = [
  "strategy",
  "runs",
  "failed",
  "mean_block_s",
  "median_block_s",
  "t_star_ratio",
  "stalls",
  "stall_s",
  "redundant_MB",
  "origin_MB",
] as const;

/** Shown where a strategy has no successful run. */
const NONE = "-";

function fixed(x: number, decimals: number): string {
  if (!Number.isFinite(x)) return NONE;
  const s = x.toFixed(decimals);
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

/** One row of cells per strategy, in TABLE_COLUMNS order. */
export function comparisonRows(scenario: Scenario, results: readonly RunResult[]): string[][] {
  const sorted = orderResults(scenario.strategies, results);
  return strategyOrder(scenario.strategies, results).map((name) => {
    const runs = sorted.filter((r) => r.strategy === name);
    const ok = runs.filter((r) => r.error === null);
    const blockS: number[] = [];
    for (const r of ok)
      for (const b of r.blocks)
        if (b.startUs >= 0 && b.endUs >= b.startUs) blockS.push((b.endUs - b.startUs) / 1e6);
    const avg = (f: (r: RunResult) => number): number => {
      const xs = ok.map(f).filter(Number.isFinite);
      return xs.length === 0 ? Number.NaN : mean(xs);
    };
    return [
      name,
      String(runs.length),
      String(runs.length - ok.length),
      blockS.length === 0 ? NONE : fixed(mean(blockS), 3),
      blockS.length === 0 ? NONE : fixed(median(blockS), 3),
      fixed(
        avg((r) => r.metrics.tStarRatio),
        3,
      ),
      fixed(
        avg((r) => r.metrics.stallCount),
        1,
      ),
      fixed(
        avg((r) => r.metrics.stallS),
        3,
      ),
      fixed(
        avg((r) => r.metrics.redundantBytes / 1e6),
        2,
      ),
      fixed(
        avg((r) => r.metrics.originBytes / 1e6),
        2,
      ),
    ];
  });
}

/** Aligned plain text: strategy names left-aligned, numbers right-aligned, a dashed rule under the header. */
export function comparisonTable(scenario: Scenario, results: readonly RunResult[]): string {
  const rows = [[...TABLE_COLUMNS], ...comparisonRows(scenario, results)];
  const widths = TABLE_COLUMNS.map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
      .join("  ")
      .trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return `${[line(rows[0]), rule, ...rows.slice(1).map(line)].join("\n")}\n`;
}

/** A GitHub-flavoured markdown table (numbers right-aligned); `|` in strategy names is escaped. */
export function comparisonTableMarkdown(scenario: Scenario, results: readonly RunResult[]): string {
  const esc = (s: string) => s.replace(/\|/g, "\\|");
  const head = `| ${TABLE_COLUMNS.join(" | ")} |`;
  const align = `|${TABLE_COLUMNS.map((_, c) => (c === 0 ? " --- " : " ---: ")).join("|")}|`;
  const body = comparisonRows(scenario, results).map((row) => `| ${row.map(esc).join(" | ")} |`);
  return `${[head, align, ...body].join("\n")}\n`;
}
