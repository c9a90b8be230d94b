// The files of a sweep folder, built in memory from the plan and the run results: sweep.json (the manifest
// that `sim merge` and `sim report` read back), runs.csv (swept parameters, then the runs.csv columns of a run
// folder), summary.json (per parameter point and strategy: aggregates over seeds and paired differences to
// the reference) and summary.md (one table per metric); buildSweepReport adds the sweep charts and
// index.html. Pure: the same plan and results give the same bytes, whatever order or thread ran them.

import type { TopLevelSpec } from "vega-lite";
import type { ParamValue, SweepRunResult, SweepRunSpec } from "../harness/sweep.ts";
import type { Scenario } from "../scenario/schema.ts";
import type { RunMetrics, RunResult } from "../sim/metrics/records.ts";
import { TOOL_NAME, TOOL_VERSION } from "../version.ts";
import { metricLabel } from "./charts/labels.ts";
import type { SweepPoint } from "./charts/sweep.ts";
import { diffCell, meanCell, type ReportTable } from "./charts/tables.ts";
import { csvText, formatFixed, formatInt, formatRatio, formatSeconds, RUNS_COLUMNS } from "./csv.ts";
import { buildSummaryMd } from "./markdown.ts";
import {
  buildSummary,
  resolveReference,
  SUMMARY_METRICS,
  type SummaryMetric,
  type StrategySummary,
} from "./summary.ts";

/** File names of a sweep folder (the run store `runs/<key>.json` is written by src/harness/sweep.ts). */
export const SWEEP_FILES = {
  manifest: "sweep.json",
  runs: "runs.csv",
  summary: "summary.json",
  summaryMd: "summary.md",
  index: "index.html",
} as const;

/** Most runs one sweep folder describes (a limit on every loop over the plan). */
export const MAX_SWEEP_RUNS = 1_000_000;

/** What the outputs need of a plan: no loaded scenarios, so `sim merge` can rebuild it from sweep.json. */
export interface SweepLayout {
  readonly name: string;
  readonly params: readonly (readonly [string, readonly ParamValue[]])[];
  /** Parameter values of each grid point, in point order. */
  readonly points: readonly { readonly index: number; readonly values: Readonly<Record<string, ParamValue>> }[];
  readonly strategies: readonly string[];
  readonly seeds: readonly number[];
  /** Every run of the grid in plan order: point, then strategy, then seed. */
  readonly runs: readonly SweepRunSpec[];
}

/** sweep.json. `shard` is present only in the folder of one shard. */
export interface SweepManifest {
  readonly tool: { readonly name: string; readonly version: string };
  /** The scenario file as given on the command line. */
  readonly file: string;
  readonly name: string;
  /** The resolved base scenario (before parameter overrides), for the report pages. */
  readonly scenario: Scenario;
  readonly params: readonly (readonly [string, readonly ParamValue[]])[];
  readonly strategies: readonly string[];
  readonly seeds: readonly number[];
  /** Run keys in plan order (names of the store entries `runs/<key>.json`). */
  readonly runs: readonly string[];
  readonly shard?: { readonly index: number; readonly count: number };
}

export function sweepManifest(
  file: string,
  scenario: Scenario,
  layout: SweepLayout,
  shard?: { readonly index: number; readonly count: number },
): SweepManifest {
  const m: SweepManifest = {
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    file,
    name: layout.name,
    scenario,
    params: layout.params.map(([k, vs]) => [k, [...vs]] as const),
    strategies: [...layout.strategies],
    seeds: [...layout.seeds],
    runs: layout.runs.map((r) => r.key),
  };
  return shard === undefined ? m : { ...m, shard: { index: shard.index, count: shard.count } };
}

export function manifestJson(m: SweepManifest): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}

/** Cartesian product of the parameters, the first varying slowest (the order of src/harness/sweep.ts). */
function gridValues(params: SweepLayout["params"]): Record<string, ParamValue>[] {
  let out: Record<string, ParamValue>[] = [{}];
  for (const [key, values] of params) {
    const next: Record<string, ParamValue>[] = [];
    for (const o of out) for (const v of values) next.push({ ...o, [key]: v });
    if (next.length > MAX_SWEEP_RUNS) throw new Error(`sweep grid exceeds ${MAX_SWEEP_RUNS} points`);
    out = next;
  }
  return out;
}

/** The layout a manifest describes; run i is point ⌊i/(S·N)⌋, strategy ⌊i/N⌋ mod S, seed i mod N. */
export function layoutFromManifest(m: SweepManifest): SweepLayout {
  const points = gridValues(m.params).map((values, index) => ({ index, values }));
  const s = m.strategies.length;
  const n = m.seeds.length;
  if (m.runs.length !== points.length * s * n) {
    throw new Error(
      `sweep.json: ${m.runs.length} run keys for ${points.length} points × ${s} strategies × ${n} seeds`,
    );
  }
  const runs = m.runs.map((key, i) => ({
    point: Math.floor(i / (s * n)),
    strategy: m.strategies[Math.floor(i / n) % s],
    seed: m.seeds[i % n],
    key,
  }));
  return { name: m.name, params: m.params, points, strategies: m.strategies, seeds: m.seeds, runs };
}

/** A result as it reads back from the store: JSON round trip, so NaN and ±Infinity become null everywhere. */
export function normalizeResult(r: SweepRunResult): SweepRunResult {
  return JSON.parse(JSON.stringify(r)) as SweepRunResult;
}

/** A metric that the store turned into null (not finite) comes back as NaN. */
function metricValue(m: RunMetrics, key: keyof RunMetrics): number {
  const v = m[key] as unknown;
  return typeof v === "number" ? v : Number.NaN;
}

type RunsColumn = (typeof RUNS_COLUMNS)[number];

/** The cells of runs.csv of a run folder; a Record over the columns, so a new column fails to type-check. */
const RUN_CELLS: Readonly<Record<RunsColumn, (r: SweepRunResult) => string>> = {
  strategy: (r) => r.strategy,
  seed: (r) => String(r.seed),
  completion_s: (r) => formatSeconds(metricValue(r.metrics, "completionS")),
  throughput_bps: (r) => formatInt(metricValue(r.metrics, "throughputBps")),
  t_star_ratio: (r) => formatRatio(metricValue(r.metrics, "tStarRatio")),
  t_g_ratio: (r) => formatRatio(metricValue(r.metrics, "tGRatio")),
  throughput_bound_s: (r) => formatSeconds(metricValue(r.metrics, "throughputBoundS")),
  throughput_bound_ratio: (r) => formatRatio(metricValue(r.metrics, "throughputBoundRatio")),
  mean_block_s: (r) => formatSeconds(metricValue(r.metrics, "meanBlockS")),
  p95_block_s: (r) => formatSeconds(metricValue(r.metrics, "p95BlockS")),
  redundant_bytes: (r) => formatInt(metricValue(r.metrics, "redundantBytes")),
  failed_bytes: (r) => formatInt(metricValue(r.metrics, "failedBytes")),
  origin_bytes: (r) => formatInt(metricValue(r.metrics, "originBytes")),
  rebalances: (r) => formatInt(metricValue(r.metrics, "rebalances")),
  blacklisted: (r) => formatInt(metricValue(r.metrics, "blacklisted")),
  fallbacks: (r) => formatInt(metricValue(r.metrics, "fallbacks")),
  request_timeouts: (r) => formatInt(metricValue(r.metrics, "requestTimeouts")),
  startup_delay_s: (r) => formatSeconds(metricValue(r.metrics, "startupDelayS")),
  stall_count: (r) => formatInt(metricValue(r.metrics, "stallCount")),
  stall_s: (r) => formatSeconds(metricValue(r.metrics, "stallS")),
  rebuffer_ratio: (r) => formatRatio(metricValue(r.metrics, "rebufferRatio")),
  events: (r) => formatInt(metricValue(r.metrics, "events")),
  fingerprint: (r) => r.metrics.fingerprint,
  error: (r) => r.error ?? "",
};

/** A parameter value as a CSV cell: numbers in shortest round-trip form, booleans as true/false. */
function paramCell(v: ParamValue | undefined): string {
  if (v === undefined) return "";
  return typeof v === "number" ? (Number.isFinite(v) ? String(v) : formatFixed(v, 0)) : String(v);
}

/** runs.csv: one row per run in plan order; the swept parameters (named by key path) come first. */
export function sweepRunsCsv(layout: SweepLayout, results: readonly SweepRunResult[]): string {
  const keys = layout.params.map(([k]) => k);
  const rows = results.map((r) => {
    const values = layout.points[r.point]?.values;
    if (values === undefined) throw new Error(`sweep result names point ${r.point}, not in the plan`);
    return [...keys.map((k) => paramCell(values[k])), ...RUNS_COLUMNS.map((c) => RUN_CELLS[c](r))];
  });
  return csvText([...keys, ...RUNS_COLUMNS], rows);
}

/** One parameter point of summary.json. */
export interface SweepPointSummary {
  readonly point: number;
  readonly values: Readonly<Record<string, ParamValue>>;
  /** Strategies with at least one run at this point, in plan order (see src/report/summary.ts). */
  readonly strategies: readonly StrategySummary[];
}

export interface SweepSummary {
  readonly tool: { readonly name: string; readonly version: string };
  readonly name: string;
  readonly params: readonly (readonly [string, readonly ParamValue[]])[];
  /** The strategy paired differences are taken against: `static` when swept, else the first strategy. */
  readonly reference: string | null;
  readonly metrics: readonly SummaryMetric[];
  readonly points: readonly SweepPointSummary[];
}

/** What buildSummary reads of a run: strategy, seed, error, metrics (the record arrays stay empty). */
function asRunResult(name: string, r: SweepRunResult): RunResult {
  const metrics = Object.fromEntries(
    Object.entries(r.metrics).map(([k, v]) => [k, v === null ? Number.NaN : v]),
  ) as unknown as RunMetrics;
  return {
    scenario: name,
    strategy: r.strategy,
    seed: r.seed,
    error: r.error,
    metrics,
    blocks: [],
    subBlocks: [],
    rebalances: [],
    bufferSeries: [],
    stalls: [],
    peersOnlineSeries: [],
    wall: { simMs: 0 },
  };
}

export function buildSweepSummary(
  scenario: Scenario,
  layout: SweepLayout,
  results: readonly SweepRunResult[],
): SweepSummary {
  const reference = resolveReference(layout.strategies);
  const byPoint = new Map<number, RunResult[]>();
  for (const r of results) {
    const list = byPoint.get(r.point) ?? [];
    list.push(asRunResult(layout.name, r));
    byPoint.set(r.point, list);
  }
  const pointScenario = { ...scenario, strategies: [...layout.strategies] };
  const points: SweepPointSummary[] = [];
  for (const p of layout.points) {
    const runs = byPoint.get(p.index);
    if (runs === undefined) continue; // a shard that covers no run of this point
    const s = buildSummary(pointScenario, runs, { reference: reference ?? undefined });
    points.push({ point: p.index, values: p.values, strategies: s.strategies });
  }
  return {
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    name: layout.name,
    params: layout.params,
    reference,
    metrics: SUMMARY_METRICS,
    points,
  };
}

export function sweepSummaryJson(s: SweepSummary): string {
  return `${JSON.stringify(s, null, 2)}\n`;
}

// ---- tables (summary.md, index.html) ---------------------------------------------------------------------

function displayName(metric: SummaryMetric): string {
  return metric.endsWith("_bytes") ? `${metric.slice(0, -"_bytes".length)}_MB` : metric;
}

/**
 * One table per metric: a row per parameter point, a column per strategy with its mean [95% interval], then
 * a column per other strategy with its paired difference to the reference (relative) [95% interval].
 */
export function sweepTables(summary: SweepSummary, layout: SweepLayout): ReportTable[] {
  const keys = layout.params.map(([k]) => k);
  const ref = summary.reference;
  const others = layout.strategies.filter((s) => s !== ref);
  return SUMMARY_METRICS.map((metric): ReportTable => {
    const f = metricLabel(metric).factor;
    const columns = [
      ...(keys.length === 0 ? ["point"] : keys),
      ...layout.strategies,
      ...(ref === null ? [] : others.map((s) => `${s} − ${ref}`)),
    ];
    const rows = summary.points.map((p) => {
      const byName = new Map(p.strategies.map((s) => [s.name, s]));
      return [
        ...(keys.length === 0 ? [String(p.point)] : keys.map((k) => paramCell(p.values[k]))),
        ...layout.strategies.map((s) => meanCell(byName.get(s)?.metrics[metric] ?? null, f)),
        ...(ref === null ? [] : others.map((s) => diffCell(byName.get(s)?.vs_reference?.[metric] ?? null, f))),
      ];
    });
    return {
      title: displayName(metric),
      caption:
        ref === null
          ? "mean [bootstrap 95% interval] over seeds"
          : `mean [bootstrap 95% interval] over seeds; strategy − ${ref}: paired by seed, mean difference (relative) [95% interval]`,
      columns,
      rows,
    };
  });
}

/** The scenario as the report pages describe it: the sweep's strategies and seeds. */
function reportScenario(scenario: Scenario, layout: SweepLayout): Scenario {
  const seeds = layout.seeds;
  return {
    ...scenario,
    strategies: [...layout.strategies],
    seed: seeds.length > 0 ? seeds[0] : scenario.seed,
    seeds: seeds.length,
  };
}

function sweepNotes(layout: SweepLayout, results: readonly SweepRunResult[]): string[] {
  const notes = [
    `Sweep of ${layout.params.length === 0 ? "no parameter" : layout.params.map(([k, vs]) => `${k} ∈ {${vs.map(paramCell).join(", ")}}`).join(" × ")}: ${results.length} of ${layout.runs.length} runs.`,
  ];
  const seeds = layout.seeds;
  const contiguous = seeds.every((s, i) => i === 0 || s === seeds[i - 1] + 1);
  if (!contiguous) notes.push(`Seeds: ${seeds.join(", ")}.`);
  const failed = results.filter((r) => r.error !== null);
  if (failed.length > 0) {
    notes.push(
      `${failed.length} run(s) failed and are left out of the statistics: ${failed
        .slice(0, 20)
        .map((r) => `point ${r.point} ${r.strategy} seed ${r.seed}`)
        .join(", ")}${failed.length > 20 ? ", …" : ""}.`,
    );
  }
  if (layout.params.length > 1) {
    notes.push(
      "Each sweep chart panel varies one parameter with the others at their first value; runs.csv holds the whole grid.",
    );
  }
  return notes;
}

export interface SweepOutputsInput {
  /** The scenario file as given. */
  readonly file: string;
  /** The resolved base scenario. */
  readonly scenario: Scenario;
  readonly layout: SweepLayout;
  /** Results of the runs covered (the whole grid, or one shard), any order. */
  readonly results: readonly SweepRunResult[];
  readonly shard?: { readonly index: number; readonly count: number };
}

/** Results sorted into plan order (point, strategy order, seed order), after the store's JSON round trip. */
export function orderSweepResults(layout: SweepLayout, results: readonly SweepRunResult[]): SweepRunResult[] {
  const sRank = new Map(layout.strategies.map((s, i) => [s, i]));
  const nRank = new Map(layout.seeds.map((s, i) => [s, i]));
  const rank = (r: SweepRunResult) =>
    (r.point * layout.strategies.length + (sRank.get(r.strategy) ?? 0)) * layout.seeds.length + (nRank.get(r.seed) ?? 0);
  return results.map(normalizeResult).sort((a, b) => rank(a) - rank(b));
}

/** sweep.json, runs.csv, summary.json and summary.md (without chart links; buildSweepReport adds them). */
export function buildSweepOutputs(input: SweepOutputsInput): Map<string, string> {
  const { layout } = input;
  if (layout.runs.length > MAX_SWEEP_RUNS) throw new Error(`sweep of ${layout.runs.length} runs exceeds ${MAX_SWEEP_RUNS}`);
  const results = orderSweepResults(layout, input.results);
  const summary = buildSweepSummary(input.scenario, layout, results);
  return new Map([
    [SWEEP_FILES.manifest, manifestJson(sweepManifest(input.file, input.scenario, layout, input.shard))],
    [SWEEP_FILES.runs, sweepRunsCsv(layout, results)],
    [SWEEP_FILES.summary, sweepSummaryJson(summary)],
    [
      SWEEP_FILES.summaryMd,
      buildSummaryMd({
        scenario: reportScenario(input.scenario, layout),
        tables: sweepTables(summary, layout),
        charts: [],
        notes: sweepNotes(layout, results),
      }),
    ],
  ]);
}

// ---- charts --------------------------------------------------------------------------------------------------

/**
 * The points of one metric's sweep chart: per parameter, the grid points where every other parameter is at
 * its first value (with one parameter, every point), one per strategy with a mean.
 */
export function sweepChartPoints(summary: SweepSummary, layout: SweepLayout, metric: SummaryMetric): SweepPoint[] {
  const out: SweepPoint[] = [];
  for (const [key] of layout.params) {
    const others = layout.params.filter(([k]) => k !== key);
    for (const p of summary.points) {
      if (!others.every(([k, vs]) => p.values[k] === vs[0])) continue;
      const v = p.values[key];
      for (const s of p.strategies) {
        const m = s.metrics[metric];
        if (m === null) continue;
        out.push({
          param: key,
          value: typeof v === "boolean" ? String(v) : v,
          strategy: s.name,
          mean: m.mean,
          lo: m.ci95[0],
          hi: m.ci95[1],
        });
      }
    }
  }
  return out;
}

/**
 * The report of a sweep folder: charts/sweep-<metric>.{vl.json,svg,png}, index.html and summary.md with links
 * to the charts. Loads the chart modules (vega) on demand. Same input ⇒ same bytes.
 */
export async function buildSweepReport(input: SweepOutputsInput): Promise<Map<string, string | Uint8Array>> {
  const { layout } = input;
  const results = orderSweepResults(layout, input.results);
  const summary = buildSweepSummary(input.scenario, layout, results);
  const scenario = reportScenario(input.scenario, layout);
  const tables = sweepTables(summary, layout);
  const notes = sweepNotes(layout, results);
  const files = new Map<string, string | Uint8Array>();
  const rendered: { name: string; title: string; svg: string }[] = [];
  if (layout.params.length > 0) {
    // The one call site of the chart modules (src/report/charts/sweep.ts, src/report/render.ts).
    const { sweepChart } = await import("./charts/sweep.ts");
    const { renderPng, renderSvg } = await import("./render.ts");
    for (const metric of SUMMARY_METRICS) {
      const points = sweepChartPoints(summary, layout, metric);
      if (points.length === 0) continue;
      const spec: TopLevelSpec = sweepChart(points, metric, layout.strategies);
      const name = `sweep-${metric}`;
      const svg = await renderSvg(spec);
      files.set(`charts/${name}.vl.json`, `${JSON.stringify(spec, null, 2)}\n`);
      files.set(`charts/${name}.svg`, svg);
      files.set(`charts/${name}.png`, renderPng(svg));
      rendered.push({ name, title: `Sweep: ${displayName(metric)}`, svg });
    }
  }
  const { buildIndexHtml } = await import("./html.ts");
  files.set(SWEEP_FILES.index, buildIndexHtml({ scenario, tables, charts: rendered, notes }));
  files.set(SWEEP_FILES.summaryMd, buildSummaryMd({ scenario, tables, charts: rendered, notes }));
  return files;
}
