// The comparison table `sim run` prints (and the first table of summary.md and index.html): one row per strategy
// (scenario order), over the strategy's successful runs. It leads with what every strategy can be ranked by
// (completion time, start-up delay, stalls, bytes wasted and bytes from the origin); the per-block columns come
// last, after a `block_rule` column, because block times overlap when a strategy pipelines blocks: there a
// longer mean block time goes with an earlier completion, so per-block figures only compare strategies that
// keep the block rule (one block at a time). Plain text with aligned columns for the terminal, and a markdown
// variant.

import { metricValue, type RunMetricName } from "../metrics/registry.ts";
import { mean, median } from "../stats/aggregate.ts";
import type { Scenario } from "../scenario/schema.ts";
import type { RunResult } from "../sim/metrics/records.ts";
import { orderResults, strategyOrder } from "./order.ts";

/** Shown where a strategy has no successful run (or no value, e.g. no start-up delay without a player). */
const NONE = "-";

function fixed(x: number, decimals: number): string {
  if (!Number.isFinite(x)) return NONE;
  const s = x.toFixed(decimals);
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

/** What a column is computed from: a strategy's successful runs. */
interface StrategyRuns {
  readonly ok: readonly RunResult[];
  /** Every completed block's time (s), over the successful runs. */
  readonly blockS: readonly number[];
}

interface Column {
  readonly name: string;
  readonly cell: (s: StrategyRuns) => string;
}

/** Mean over successful runs of a per-run value; values that are not finite (or not applicable) are skipped. */
function avg(s: StrategyRuns, f: (r: RunResult) => number): number {
  const xs = s.ok.map(f).filter(Number.isFinite);
  return xs.length === 0 ? Number.NaN : mean(xs);
}

/**
 * A column of a run metric (src/metrics/registry.ts): its mean over the successful runs where it applies, divided
 * by `divisor` (10⁶ for the MB columns), with `decimals` decimals.
 */
function metricColumn(name: string, metric: RunMetricName, decimals: number, divisor = 1): Column {
  return { name, cell: (s) => fixed(avg(s, (r) => metricValue(r.metrics, metric) / divisor), decimals) };
}

/** True when, in some successful run, a block started before the previous one ended (the strategy pipelines). */
export function blocksOverlap(runs: readonly RunResult[]): boolean {
  for (const r of runs) {
    let prevEndUs = -1;
    for (const b of r.blocks) {
      if (b.startUs < 0 || b.endUs < 0) continue;
      if (prevEndUs >= 0 && b.startUs < prevEndUs) return true;
      prevEndUs = b.endUs;
    }
  }
  return false;
}

/** `block_rule` cell: `kept` (one block at a time) or `overlap` (the strategy pipelines blocks). */
export const BLOCK_RULE_KEPT = "kept";
export const BLOCK_RULE_OVERLAP = "overlap";

/**
 * The columns, headline first. completion_s, bound_ratio (completion ÷ the run's throughput bound, runs.csv's
 * throughput_bound_ratio: 1 is the best any strategy could do), startup_delay_s (runs with a player only),
 * stalls (count), stall_s, redundant_MB and origin_MB (10⁶ bytes): means over successful runs.
 * mean_block_s / median_block_s: over every completed block of every successful run; t_star_ratio and
 * t_g_ratio (block time ÷ the per-block bounds T* and T_g): means over successful runs.
 */
const COLUMNS: readonly Column[] = [
  metricColumn("completion_s", "completion_s", 3),
  metricColumn("bound_ratio", "throughput_bound_ratio", 3),
  metricColumn("startup_delay_s", "startup_delay_s", 3),
  metricColumn("stalls", "stall_count", 1),
  metricColumn("stall_s", "stall_s", 3),
  metricColumn("redundant_MB", "redundant_bytes", 2, 1e6),
  metricColumn("origin_MB", "origin_bytes", 2, 1e6),
  {
    name: "block_rule",
    cell: (s) => (s.ok.length === 0 ? NONE : blocksOverlap(s.ok) ? BLOCK_RULE_OVERLAP : BLOCK_RULE_KEPT),
  },
  { name: "mean_block_s", cell: (s) => (s.blockS.length === 0 ? NONE : fixed(mean(s.blockS), 3)) },
  { name: "median_block_s", cell: (s) => (s.blockS.length === 0 ? NONE : fixed(median(s.blockS), 3)) },
  metricColumn("t_star_ratio", "t_star_ratio", 3),
  metricColumn("t_g_ratio", "t_g_ratio", 3),
];

export const TABLE_COLUMNS: readonly string[] = ["strategy", "runs", "failed", ...COLUMNS.map((c) => c.name)];

/** The per-block columns: meaningful only between strategies whose block_rule is `kept`. */
export const PER_BLOCK_COLUMNS: readonly string[] = TABLE_COLUMNS.slice(TABLE_COLUMNS.indexOf("block_rule") + 1);

/** How to read the table, printed under it (and the caption of the report's table). */
export const TABLE_NOTE =
  "Rank strategies by the columns before block_rule; bound_ratio is completion ÷ the run's throughput bound " +
  `(1 = as fast as the sources allowed). The per-block columns (${PER_BLOCK_COLUMNS.join(", ")}) ` +
  `compare only strategies that keep the block rule (block_rule ${BLOCK_RULE_KEPT}); a strategy marked ` +
  `${BLOCK_RULE_OVERLAP} pipelines blocks, so its blocks overlap and its per-block times are longer even when ` +
  "it finishes first.";

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
    const s: StrategyRuns = { ok, blockS };
    return [name, String(runs.length), String(runs.length - ok.length), ...COLUMNS.map((c) => c.cell(s))];
  });
}

/** Words of `text` in lines of at most `width` characters (a longer word stays whole on its own line). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  if (line !== "") lines.push(line);
  return lines;
}

/**
 * Aligned plain-text lines: the header, a dashed rule, the rows; the first `left` columns left-aligned, the
 * others (numbers) right-aligned.
 */
export function alignedLines(header: readonly string[], body: readonly (readonly string[])[], left = 1): string[] {
  const rows = [header, ...body];
  const widths = header.map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, c) => (c < left ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
      .join("  ")
      .trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [line(header), rule, ...body.map(line)];
}

/** Aligned plain text: strategy names left-aligned, numbers right-aligned, a dashed rule under the header. */
export function comparisonTable(scenario: Scenario, results: readonly RunResult[]): string {
  const lines = alignedLines(TABLE_COLUMNS, comparisonRows(scenario, results));
  return `${[...lines, "", ...wrap(TABLE_NOTE, 110)].join("\n")}\n`;
}

/** A GitHub-flavoured markdown table (numbers right-aligned); `|` in strategy names is escaped. */
export function comparisonTableMarkdown(scenario: Scenario, results: readonly RunResult[]): string {
  const esc = (s: string) => s.replace(/\|/g, "\\|");
  const head = `| ${TABLE_COLUMNS.join(" | ")} |`;
  const align = `|${TABLE_COLUMNS.map((_, c) => (c === 0 ? " --- " : " ---: ")).join("|")}|`;
  const body = comparisonRows(scenario, results).map((row) => `| ${row.map(esc).join(" | ")} |`);
  return `${[head, align, ...body].join("\n")}\n`;
}
