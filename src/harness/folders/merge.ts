// Merging the folders of a sharded sweep (`sim sweep --shard i/n`) into exactly the folder an unsharded sweep
// writes: every run's store entry (its bytes as the shard wrote them, so a later `sim sweep` resumes from it),
// then the outputs (sweep-folder.ts). Folders of different plans or shardings are bad input; when runs are
// missing nothing is written and the outcome says which shards are incomplete.

import { readFileSync } from "node:fs";
import { assert } from "../../assert.ts";
import { OutputFolderError } from "../../files/folder-error.ts";
import { checkOutputFolder, claimOutputFolder, FileStager } from "../../files/output-folder.ts";
import type { SweepRunResult } from "../../report/sweep/layout.ts";
import type { SweepManifest } from "../../report/sweep/manifest.ts";
import { STORE_DIR, storePath } from "../sweep.ts";
import { readStoredRun, readSweepFolder, type SweepFolder, writeSweepFolder } from "./sweep-folder.ts";

export interface MergeOptions {
  readonly outDir: string;
  /** Render the sweep charts and index.html. */
  readonly report: boolean;
  /** Write into a folder that is not a sim output folder (--force-into). */
  readonly forceInto?: boolean;
}

export type MergeOutcome =
  | { readonly kind: "merged"; readonly folders: number; readonly results: readonly SweepRunResult[] }
  | {
      readonly kind: "incomplete";
      /** Runs of the plan found in no folder, of `total`. */
      readonly missing: number;
      readonly total: number;
      /** The 1-based shards (of `count`) those runs belong to, ascending. */
      readonly shards: readonly number[];
      readonly count: number;
    };

/** What makes two manifests the same plan: everything but `shard`. */
function planText(m: SweepManifest): string {
  const { shard: _shard, ...rest } = m;
  return JSON.stringify(rest);
}

/** Most folders one merge reads (`sim merge` says so as bad input before calling). */
export const MAX_MERGE_DIRS = 10_000;

/** Merges the sweep folders `dirs` (distinct, 1 to MAX_MERGE_DIRS) into `opts.outDir`. */
export async function mergeSweepFolders(dirs: readonly string[], opts: MergeOptions): Promise<MergeOutcome> {
  assert(dirs.length >= 1 && dirs.length <= MAX_MERGE_DIRS, "merge: {0} folders, expected 1 to {1}", dirs.length, MAX_MERGE_DIRS);
  checkOutputFolder(opts.outDir, { forceInto: opts.forceInto });
  const folders: SweepFolder[] = dirs.map(readSweepFolder);
  const first = folders[0];
  for (const f of folders.slice(1)) {
    if (planText(f.manifest) !== planText(first.manifest)) {
      throw new OutputFolderError(
        `${f.dir}/sweep.json describes another sweep than ${first.dir}/sweep.json ` +
          "(scenario, parameters, strategies, seeds or tool version differ); merge only shards of one sweep",
      );
    }
  }
  const counts = [...new Set(folders.map((f) => f.manifest.shard?.count ?? 1))];
  if (counts.length > 1) {
    throw new OutputFolderError(`the folders were sharded differently (shard counts ${counts.join(", ")})`);
  }
  const count = counts[0];
  const { layout, manifest } = first;
  const results: SweepRunResult[] = [];
  const sources: string[] = [];
  const missing: number[] = [];
  for (let i = 0; i < layout.runs.length; i++) {
    let found: SweepRunResult | null = null;
    for (const f of folders) {
      found = readStoredRun(f.dir, layout, i);
      if (found !== null) {
        sources.push(storePath(f.dir, layout.runs[i].key));
        break;
      }
    }
    if (found === null) missing.push(i);
    else results.push(found);
  }
  if (missing.length > 0) {
    const shards = [...new Set(missing.map((i) => (i % count) + 1))].sort((a, b) => a - b);
    return { kind: "incomplete", missing: missing.length, total: layout.runs.length, shards, count };
  }
  // The run store: the entries' bytes as the shards wrote them (so a later `sim sweep` resumes from it).
  claimOutputFolder(opts.outDir, { kind: "sweep", forceInto: opts.forceInto });
  const stager = new FileStager(opts.outDir);
  try {
    layout.runs.forEach((spec, i) => {
      if (sources[i] !== storePath(opts.outDir, spec.key)) {
        stager.write(`${STORE_DIR}/${spec.key}.json`, readFileSync(sources[i]));
      }
    });
  } finally {
    stager.close();
  }
  const { shard: _shard, ...unsharded } = manifest;
  await writeSweepFolder({
    outDir: opts.outDir,
    file: unsharded.file,
    scenario: unsharded.scenario,
    layout,
    results,
    report: opts.report,
    forceInto: opts.forceInto,
  });
  return { kind: "merged", folders: folders.length, results };
}
