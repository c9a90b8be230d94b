// `sim diff`: two runs of one scenario and seed side by side (before and after a code change, or two
// strategies): their metrics with the difference, the blocks whose times differ most, and the first decision
// that differs, with its context (the decisions both made just before, and what each run was told since).

import { type CsvFormat, metricValue, RUN_METRICS } from "../metrics/registry.ts";
import type { RunMetrics } from "../sim/metrics/records.ts";
import type { TraceRecord } from "../sim/world/trace.ts";
import type { RunView } from "./explain.ts";
import { firstTraceDifference, sameRecord } from "./trace-file.ts";
import { recordLine, shortSeconds } from "./trace-text.ts";

/** Decimals shown per runs.csv format. */
const DIGITS: Readonly<Record<CsvFormat, number>> = { seconds: 6, ratio: 4, integer: 0 };

/** Records shown before the first differing decision, per kind of context. */
const CONTEXT_DECISIONS = 3;
const CONTEXT_WORLD = 8;

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ").trimEnd());
}

const fmt = (x: number, digits: number) => (Number.isFinite(x) ? x.toFixed(digits) : "-");

/** The metrics of the two runs side by side. */
function metricRows(a: RunMetrics, b: RunMetrics): string[] {
  const rows: string[][] = [["metric", "A", "B", "B − A", "change"]];
  for (const spec of RUN_METRICS) {
    const name = spec.column;
    const digits = DIGITS[spec.format];
    const x = metricValue(a, name);
    const y = metricValue(b, name);
    const d = y - x;
    const pct = Number.isFinite(d) && x !== 0 && Number.isFinite(x) ? `${d >= 0 ? "+" : ""}${((100 * d) / Math.abs(x)).toFixed(1)}%` : "";
    rows.push([name, fmt(x, digits), fmt(y, digits), Number.isFinite(d) ? `${d > 0 ? "+" : ""}${d.toFixed(digits)}` : "-", d === 0 ? "" : pct]);
  }
  rows.push(["fingerprint", a.fingerprint, b.fingerprint, a.fingerprint === b.fingerprint ? "same" : "differ", ""]);
  return table(rows);
}

/** The differing decision with the decisions both made before it and what each run was told since. */
function decisionContext(a: RunView, b: RunView, d: { a: number; b: number }): string[] {
  const isDecision = (r: TraceRecord) => r.type === "decision";
  const lines: string[] = [];
  const shared: TraceRecord[] = [];
  for (let i = d.a - 1; i >= 0 && shared.length < CONTEXT_DECISIONS; i--) if (isDecision(a.trace[i])) shared.unshift(a.trace[i]);
  if (shared.length > 0) {
    lines.push("  both runs decided, just before:");
    for (const r of shared) lines.push(`    ${recordLine(r)}`);
  }
  const since = (t: readonly TraceRecord[], k: number) => {
    let j = k - 1;
    while (j >= 0 && !isDecision(t[j])) j--;
    return t.slice(j + 1, k).slice(-CONTEXT_WORLD);
  };
  const show = (label: string, run: RunView, k: number) => {
    const told = since(run.trace, k);
    lines.push(`  run ${label} (${run.result.strategy}):`);
    for (const r of told) lines.push(`    ${recordLine(r)}`);
    lines.push(`  → ${k < run.trace.length ? recordLine(run.trace[k]) : "no further decision (the run ended)"}`);
  };
  show("A", a, d.a);
  show("B", b, d.b);
  return lines;
}

/** The comparison of two runs, as text. labelA/labelB: where each came from (folder, strategy, seed). */
export function diffRuns(a: RunView, b: RunView, labelA: string, labelB: string, notes: readonly string[] = []): string {
  const lines: string[] = [`A: ${labelA}`, `B: ${labelB}`, ...notes, ""];
  lines.push(...metricRows(a.result.metrics, b.result.metrics));

  const blocksA = new Map(a.result.blocks.map((x) => [x.block, x.endUs - x.startUs]));
  const changed = b.result.blocks
    .filter((x) => blocksA.has(x.block))
    .map((x) => ({ block: x.block, a: blocksA.get(x.block)!, b: x.endUs - x.startUs }))
    .filter((x) => x.a !== x.b)
    .sort((x, y) => Math.abs(y.b - y.a) - Math.abs(x.b - x.a) || x.block - y.block);
  lines.push("");
  if (changed.length === 0) {
    lines.push("Every block took the same time in both runs.");
  } else {
    lines.push(`${changed.length} blocks took a different time; the largest differences:`);
    for (const x of changed.slice(0, 5)) {
      lines.push(`  block ${x.block}: A ${shortSeconds(x.a)}, B ${shortSeconds(x.b)} (${x.b > x.a ? "+" : "−"}${shortSeconds(Math.abs(x.b - x.a))})`);
    }
  }

  lines.push("");
  if (a.trace.length === 0 || b.trace.length === 0) {
    lines.push("No decisions to compare: a run has no trace.");
    return `${lines.join("\n")}\n`;
  }
  const any = firstTraceDifference(a.trace, b.trace);
  const decision = firstTraceDifference(a.trace, b.trace, (r) => r.type === "decision");
  if (decision === null) {
    lines.push(any === null ? "The runs made the same decisions and met the same world events." : "The runs made the same decisions.");
  } else {
    const n = a.trace.slice(0, decision.a).filter((r) => r.type === "decision").length;
    lines.push(`The first decision that differs (after ${n} identical decisions):`);
    lines.push(...decisionContext(a, b, decision));
  }
  if (any !== null && (decision === null || any.a < decision.a)) {
    const ra = a.trace[any.a];
    const rb = b.trace[any.b];
    if (ra === undefined || rb === undefined || !sameRecord(ra, rb)) {
      lines.push("", "The first record of any kind that differs (what the runs were told diverged first):");
      lines.push(`  A: ${ra !== undefined ? recordLine(ra) : "the end of the run"}`);
      lines.push(`  B: ${rb !== undefined ? recordLine(rb) : "the end of the run"}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
