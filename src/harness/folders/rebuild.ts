// `sim report DIR`: rebuilds a folder's report from its files alone, replacing only the report's own files
// (charts/, index.html, summary.md; charts it no longer draws are removed): for a run folder from its CSVs and
// summary.json (src/report/read.ts), for a sweep folder (it has sweep.json) from sweep.json and the run store.

import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { OutputFolderError } from "../../files/folder-error.ts";
import { checkOutputFolder, commitOutputs, recoverFolder } from "../../files/output-folder.ts";
import type { SweepRunResult } from "../../report/sweep/layout.ts";
import { shardRuns } from "../sweep.ts";
import { readStoredRun, readSweepFolder } from "./sweep-folder.ts";

export type RebuildOutcome =
  | { readonly kind: "run"; readonly runs: number }
  /** `missing`: runs of the sweep (or of its shard) not in the store, left out of the report. */
  | { readonly kind: "sweep"; readonly runs: number; readonly missing: number };

/** The report's own files: a rebuild replaces these (and removes the charts it no longer draws), nothing else. */
function isReportFile(name: string): boolean {
  return name.startsWith("charts/") || name === "index.html" || name === "summary.md";
}

async function rebuildSweep(dir: string, forceInto: boolean): Promise<RebuildOutcome> {
  const { layout, manifest } = readSweepFolder(dir);
  const covered =
    manifest.shard !== undefined ? new Set(shardRuns(layout.runs, manifest.shard).map((r) => r.key)) : null;
  const results: SweepRunResult[] = [];
  let missing = 0;
  for (let i = 0; i < layout.runs.length; i++) {
    if (covered !== null && !covered.has(layout.runs[i].key)) continue;
    const r = readStoredRun(dir, layout, i);
    if (r === null) missing++;
    else results.push(r);
  }
  const { buildSweepReport } = await import("../../report/sweep/outputs.ts");
  const input = { file: manifest.file, scenario: manifest.scenario, layout, results, shard: manifest.shard };
  commitOutputs(dir, await buildSweepReport(input), { kind: "sweep", replaces: isReportFile, forceInto });
  return { kind: "sweep", runs: results.length, missing };
}

async function rebuildRun(dir: string, forceInto: boolean): Promise<RebuildOutcome> {
  const { readRunOutputs } = await import("../../report/read.ts");
  let folder: ReturnType<typeof readRunOutputs>;
  try {
    folder = readRunOutputs(dir);
  } catch (error) {
    throw new OutputFolderError(`${dir}: ${(error as Error).message}`);
  }
  const { buildCharts } = await import("../../report/charts/index.ts");
  const { strategyModuleNote } = await import("../../report/provenance.ts");
  // The charts need only the resolved scenario; traces are not re-read (summary.json holds what was run).
  const loaded = { scenario: folder.scenario, file: join(dir, "summary.json"), dir, traces: new Map() };
  const module = folder.summary.strategy_module;
  const notes = module !== undefined ? [strategyModuleNote(module)] : [];
  commitOutputs(dir, await buildCharts(loaded, folder.results, { notes }), { kind: "run", replaces: isReportFile, forceInto });
  return { kind: "run", runs: folder.results.length };
}

/** Rebuilds the report of the run or sweep folder `dir`. */
export async function rebuildReport(dir: string, opts: { readonly forceInto?: boolean } = {}): Promise<RebuildOutcome> {
  const forceInto = opts.forceInto ?? false;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new OutputFolderError(`${dir} is not a folder`);
  // Complete a commit that a killed writer left half done before reading anything (src/files/output-folder.ts),
  // and refuse a folder sim may not write into before rendering anything.
  recoverFolder(dir);
  const sweep = existsSync(join(dir, "sweep.json"));
  if (!sweep && (!existsSync(join(dir, "summary.json")) || !existsSync(join(dir, "runs.csv")))) {
    throw new OutputFolderError(`${dir}: neither a run folder (summary.json, runs.csv) nor a sweep folder (sweep.json)`);
  }
  checkOutputFolder(dir, { forceInto });
  return sweep ? rebuildSweep(dir, forceInto) : rebuildRun(dir, forceInto);
}
