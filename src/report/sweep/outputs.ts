// The files of a sweep folder, built in memory from the layout and the run results: sweep.json (manifest.ts),
// runs.csv (runs-csv.ts), summary.json (summary.ts) and summary.md (tables.ts); buildSweepReport adds the sweep
// charts (charts.ts), index.html and summary.md with links to the charts. Pure: the same layout and results
// give the same bytes, whatever order or thread ran them. The harness commits them (src/harness/folders/).

import { assert } from "../../assert.ts";
import type { Scenario } from "../../scenario/schema.ts";
import { buildSummaryMd } from "../markdown.ts";
import { renderSweepCharts } from "./charts.ts";
import { MAX_SWEEP_RUNS, orderSweepResults, paramCell, SWEEP_FILES, type SweepLayout, type SweepRunResult } from "./layout.ts";
import { manifestJson, sweepManifest } from "./manifest.ts";
import { sweepRunsCsv } from "./runs-csv.ts";
import { buildSweepSummary, sweepSummaryJson } from "./summary.ts";
import { sweepTables } from "./tables.ts";

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
  if (layout.params.length > 2) {
    notes.push(
      "Each sweep chart panel varies one parameter with the others at their first value; runs.csv holds the whole grid.",
    );
  }
  return notes;
}

/** sweep.json, runs.csv, summary.json and summary.md (without chart links; buildSweepReport adds them). */
export function buildSweepOutputs(input: SweepOutputsInput): Map<string, string> {
  const { layout } = input;
  assert(layout.runs.length <= MAX_SWEEP_RUNS, "sweep of {0} runs exceeds {1}", layout.runs.length, MAX_SWEEP_RUNS);
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
  const charts = await renderSweepCharts(summary, layout, files);
  const { buildIndexHtml } = await import("../html.ts");
  files.set(SWEEP_FILES.index, buildIndexHtml({ scenario, tables, charts, notes }));
  files.set(SWEEP_FILES.summaryMd, buildSummaryMd({ scenario, tables, charts, notes }));
  return files;
}
