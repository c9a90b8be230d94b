// What a sweep folder holds and how it is read back: the run store `runs/<key>.json` (written run by run by
// sweep-run.ts, read by ../sweep.ts), and the outputs built from it (sweep.json, runs.csv, summary.json,
// summary.md, and unless the report is off the sweep charts and index.html: src/report/sweep/), committed in one
// go through src/files/output-folder.ts. `sim sweep`, `sim merge` and `sim report` read and write sweep folders
// through here. A sweep.json or store entry that is not the tool's is bad input (OutputFolderError).

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { OutputFolderError } from "../../files/folder-error.ts";
import { commitOutputs, recoverFolder } from "../../files/output-folder.ts";
import type { SweepLayout, SweepRunResult } from "../../report/sweep/layout.ts";
import { layoutFromManifest, type SweepManifest } from "../../report/sweep/manifest.ts";
import type { Scenario } from "../../scenario/schema.ts";
import { isRunKey, readStoredEntry, storePath } from "../sweep.ts";

export interface SweepFolderInput {
  readonly outDir: string;
  /** The scenario file as given. */
  readonly file: string;
  /** The resolved base scenario. */
  readonly scenario: Scenario;
  readonly layout: SweepLayout;
  readonly results: readonly SweepRunResult[];
  readonly shard?: { readonly index: number; readonly count: number };
  /** Add the charts and index.html. */
  readonly report: boolean;
  /** Write into a folder that is not a sim output folder (--force-into). */
  readonly forceInto?: boolean;
}

/**
 * Writes the outputs of a sweep folder as one commit, after everything is built in memory: every top-level
 * output (an earlier commit's outputs it does not write are removed); the run store is left as it is.
 */
export async function writeSweepFolder(input: SweepFolderInput): Promise<void> {
  const { buildSweepOutputs, buildSweepReport } = await import("../../report/sweep/outputs.ts");
  const files = new Map<string, string | Uint8Array>();
  for (const [name, content] of buildSweepOutputs(input)) files.set(name, content);
  if (input.report) for (const [name, content] of await buildSweepReport(input)) files.set(name, content);
  commitOutputs(input.outDir, files, { kind: "sweep", forceInto: input.forceInto });
}

export interface SweepFolder {
  readonly dir: string;
  readonly manifest: SweepManifest;
  readonly layout: SweepLayout;
}

/**
 * Reads and checks a folder's sweep.json; a missing or foreign file is bad input. A commit that a killed
 * writer left half done in the folder is completed first (src/files/output-folder.ts).
 */
export function readSweepFolder(dir: string): SweepFolder {
  recoverFolder(dir);
  const file = join(dir, "sweep.json");
  if (!existsSync(file)) throw new OutputFolderError(`${dir}: no sweep.json (not a folder written by sim sweep)`);
  let manifest: SweepManifest;
  try {
    manifest = JSON.parse(readFileSync(file, "utf8")) as SweepManifest;
  } catch (error) {
    throw new OutputFolderError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  if (
    typeof manifest?.name !== "string" ||
    !Array.isArray(manifest.params) ||
    !Array.isArray(manifest.strategies) ||
    !Array.isArray(manifest.seeds) ||
    !Array.isArray(manifest.runs) ||
    typeof manifest.scenario?.name !== "string"
  ) {
    throw new OutputFolderError(`${file}: not a sweep manifest (needs name, scenario, params, strategies, seeds, runs)`);
  }
  // Keys name store files: anything but a run key could name another path.
  const badKey = manifest.runs.findIndex((k) => !isRunKey(k));
  if (badKey >= 0) throw new OutputFolderError(`${file}: runs[${badKey}] is not a run key (32 hexadecimal digits)`);
  try {
    return { dir, manifest, layout: layoutFromManifest(manifest) };
  } catch (error) {
    throw new OutputFolderError(`${file}: ${(error as Error).message}`);
  }
}

/**
 * A stored run, checked against the spec it is stored for; null when absent. An entry that is not a sound
 * result of that run (corrupt, `{}`, another run's) is bad input naming the file: rerun the sweep (or the
 * shard) into its folder, which redoes it.
 */
export function readStoredRun(dir: string, layout: SweepLayout, i: number): SweepRunResult | null {
  const spec = layout.runs[i];
  const entry = readStoredEntry(dir, spec);
  if (entry.kind === "absent") return null;
  if (entry.kind === "bad") {
    throw new OutputFolderError(
      `${storePath(dir, spec.key)}: not a stored result of point ${spec.point} ${spec.strategy} seed ${spec.seed} ` +
        `(${entry.problem}); rerun the sweep into ${dir} to redo that run`,
    );
  }
  return entry.result;
}
