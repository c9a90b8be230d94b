// What a run folder holds and how it is written: the CSVs, summary.json and (with a trace) events.jsonl,
// plus the charts, index.html and summary.md unless the report is off, all built in memory by src/report and
// committed in one go through src/files/output-folder.ts (all or nothing; outputs of an earlier run that this
// one does not write are removed, so a folder never mixes two runs). `sim run` (experiment.ts), `sim fetch --out`
// and `sim calibrate` (its sim/ and real/ folders) write run folders through here.

import { commitOutputs } from "../../files/output-folder.ts";
import { buildRunOutputs } from "../../report/outputs.ts";
import { type StrategyModuleInfo, strategyModuleNote } from "../../report/provenance.ts";
import type { LoadedScenario } from "../../scenario/load.ts";
import type { RunResult } from "../../sim/metrics/records.ts";
import type { RenderWorker } from "../../report/render-client.ts";

export interface RunFolderContent {
  /** Render the charts, index.html and summary.md after the CSVs. */
  readonly report: boolean;
  /** Text of events.jsonl; the file is written only when given. */
  readonly events?: string;
  /** The user's strategy module the strategies came from: recorded in summary.json and noted in the report. */
  readonly strategyModule?: StrategyModuleInfo;
  /** A render worker started earlier (report/render-client.ts) to render the charts on; closed when done. */
  readonly worker?: RenderWorker | null;
}

/** Every file of a run folder, by name (charts under `charts/`). */
export async function runFolderFiles(
  loaded: LoadedScenario,
  results: readonly RunResult[],
  content: RunFolderContent,
): Promise<Map<string, string | Uint8Array>> {
  const outputs = () =>
    buildRunOutputs(loaded, results, {
      ...(content.events !== undefined ? { events: content.events } : {}),
      ...(content.strategyModule !== undefined ? { strategyModule: content.strategyModule } : {}),
    });
  if (!content.report) {
    content.worker?.close();
    return new Map(outputs());
  }
  // Loaded on demand: vega and the renderer cost start-up time that `--no-report` runs should not pay.
  const { buildCharts } = await import("../../report/charts/index.ts");
  const notes = content.strategyModule !== undefined ? [strategyModuleNote(content.strategyModule)] : [];
  // The CSVs and summary.json are built while the last PNGs rasterise on other threads; they come first.
  let data: Map<string, string> | undefined;
  const charts = await buildCharts(loaded, results, {
    notes,
    meanwhile: () => (data = outputs()),
    ...(content.worker !== undefined ? { worker: content.worker } : {}),
  });
  const files = new Map<string, string | Uint8Array>(data ?? outputs());
  for (const [name, file] of charts) files.set(name, file);
  return files;
}

/** Builds a run folder's files and commits them as the folder's whole output. */
export async function writeRunFolder(
  outDir: string,
  loaded: LoadedScenario,
  results: readonly RunResult[],
  content: RunFolderContent & { readonly forceInto?: boolean },
): Promise<void> {
  const files = await runFolderFiles(loaded, results, content);
  commitOutputs(outDir, files, { kind: "run", forceInto: content.forceInto });
}
