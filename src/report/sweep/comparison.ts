// The comparison table `sim sweep` prints: a row per parameter point and strategy with the means over seeds of
// the metrics that rank every strategy (as `sim run`'s table), then the completion time's paired difference to
// the reference with a `?` when its 95% interval includes 0 (the seeds cannot tell the two apart). At most
// MAX_PRINTED_ROWS rows; summary.md and summary.json hold the whole grid.

import { metricLabel } from "../charts/labels.ts";
import { formatPct } from "../charts/tables.ts";
import type { MetricSummary } from "../summary.ts";
import { alignedLines } from "../table.ts";
import { SMALL_SAMPLE_SEEDS, unclear } from "../verdict.ts";
import type { Scenario } from "../../scenario/schema.ts";
import { orderSweepResults, paramCell, type SweepLayout, type SweepRunResult } from "./layout.ts";
import { buildSweepSummary, type SweepSummary } from "./summary.ts";

/** Most rows printed; a longer grid ends with a line saying how many were left out. */
export const MAX_PRINTED_ROWS = 200;

/** The printed columns: header, metric and decimals (display units: MB for bytes). */
const COLUMNS = [
  ["completion_s", "completion_s", 3],
  ["bound_ratio", "throughput_bound_ratio", 3],
  ["startup_delay_s", "startup_delay_s", 3],
  ["stalls", "stall_count", 1],
  ["stall_s", "stall_s", 3],
  ["redundant_MB", "redundant_bytes", 2],
  ["origin_MB", "origin_bytes", 2],
] as const;

function cell(m: MetricSummary | null, factor: number, decimals: number): string {
  if (m === null || !Number.isFinite(m.mean)) return "-";
  const s = (m.mean * factor).toFixed(decimals);
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

/** The table as aligned text with a line saying how to read it. */
export function sweepComparisonTable(summary: SweepSummary, layout: SweepLayout): string {
  const keys = layout.params.map(([k]) => k);
  const ref = summary.reference;
  const vsRef = ref === null ? [] : [`completion_vs_${ref}`];
  const header = [...(keys.length === 0 ? ["point"] : keys), "strategy", "runs", "failed", ...COLUMNS.map((c) => c[0]), ...vsRef];
  const rows: string[][] = [];
  let total = 0;
  for (const p of summary.points) {
    for (const s of p.strategies) {
      total++;
      if (rows.length >= MAX_PRINTED_ROWS) continue;
      const d = s.vs_reference?.completion_s ?? null;
      const diff =
        d === null || d.relative_pct === null ? "-" : `${formatPct(d.relative_pct)}${unclear(d) ? " ?" : ""}`;
      rows.push([
        ...(keys.length === 0 ? [String(p.point)] : keys.map((k) => paramCell(p.values[k]))),
        s.name,
        String(s.runs),
        String(s.failed),
        ...COLUMNS.map(([, metric, decimals]) => cell(s.metrics[metric], metricLabel(metric).factor, decimals)),
        ...(ref === null ? [] : [s.name === ref ? "(reference)" : diff]),
      ]);
    }
  }
  const lines = alignedLines(header, rows, keys.length === 0 ? 2 : keys.length + 1);
  if (total > rows.length) lines.push(`… ${total - rows.length} more rows in summary.md`);
  const seeds = layout.seeds.length;
  if (seeds > 0 && seeds < SMALL_SAMPLE_SEEDS) {
    lines.unshift(
      `WARNING: only ${seeds} seed${seeds === 1 ? "" : "s"} per point: the 95% intervals are rough; run at least ${SMALL_SAMPLE_SEEDS} (--seeds ${SMALL_SAMPLE_SEEDS}) before trusting a difference.`,
      "",
    );
  }
  lines.push(
    "",
    "Means over seeds at each point." +
      (ref === null
        ? ""
        : ` completion_vs_${ref}: the mean paired difference to ${ref} at the same point, relative; "?" when its 95% interval includes 0 (the seeds cannot tell them apart).`),
  );
  return `${lines.join("\n")}\n`;
}

/** The table of a sweep's results (the whole grid or a shard's part), as `sim sweep` prints it. */
export function sweepComparison(scenario: Scenario, layout: SweepLayout, results: readonly SweepRunResult[]): string {
  return sweepComparisonTable(buildSweepSummary(scenario, layout, orderSweepResults(layout, results)), layout);
}
