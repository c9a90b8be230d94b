// `sim merge DIR… --out DIR`: combines the folders of a sharded sweep (`sim sweep --shard i/n`) into exactly
// the folder an unsharded sweep writes: the run store, sweep.json without `shard`, runs.csv, summary.json,
// summary.md and the charts. Folders of different plans are bad input (exit 2); missing runs exit 1 naming
// how many and which shards are incomplete.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { CommandModule } from "yargs";
import type { SweepRunResult } from "../../harness/sweep.ts";
import type { SweepLayout, SweepManifest } from "../../report/sweep-outputs.ts";
import { EXIT_CODES_TEXT, ExitCode, UsageError } from "../exit.ts";
import { FORCE_INTO_DESCRIPTION } from "../out-options.ts";

interface Args {
  readonly dirs: string[];
  readonly out: string;
  readonly report: boolean;
  readonly forceInto: boolean;
}

/** Most folders one merge reads. */
const MAX_DIRS = 10_000;

export interface SweepFolder {
  readonly dir: string;
  readonly manifest: SweepManifest;
  readonly layout: SweepLayout;
}

/**
 * Reads and checks a folder's sweep.json; a missing or foreign file is a UsageError. A commit that a killed
 * writer left half done in the folder is completed first (output-folder.ts).
 */
export async function readSweepFolder(dir: string): Promise<SweepFolder> {
  const { recoverFolder } = await import("../../report/output-folder.ts");
  recoverFolder(dir);
  const file = join(dir, "sweep.json");
  if (!existsSync(file)) throw new UsageError(`${dir}: no sweep.json (not a folder written by sim sweep)`);
  let manifest: SweepManifest;
  try {
    manifest = JSON.parse(readFileSync(file, "utf8")) as SweepManifest;
  } catch (error) {
    throw new UsageError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  const { isRunKey } = await import("../../harness/sweep.ts");
  if (
    typeof manifest?.name !== "string" ||
    !Array.isArray(manifest.params) ||
    !Array.isArray(manifest.strategies) ||
    !Array.isArray(manifest.seeds) ||
    !Array.isArray(manifest.runs) ||
    typeof manifest.scenario?.name !== "string"
  ) {
    throw new UsageError(`${file}: not a sweep manifest (needs name, scenario, params, strategies, seeds, runs)`);
  }
  // Keys name store files: anything but a run key could name another path.
  const badKey = manifest.runs.findIndex((k) => !isRunKey(k));
  if (badKey >= 0) throw new UsageError(`${file}: runs[${badKey}] is not a run key (32 hexadecimal digits)`);
  const { layoutFromManifest } = await import("../../report/sweep-outputs.ts");
  try {
    return { dir, manifest, layout: layoutFromManifest(manifest) };
  } catch (error) {
    throw new UsageError(`${file}: ${(error as Error).message}`);
  }
}

/**
 * A stored run, checked against the spec it is stored for; null when absent. An entry that is not a sound
 * result of that run (corrupt, `{}`, another run's) is bad input naming the file: rerun the sweep (or the
 * shard) into its folder, which redoes it.
 */
export async function readStoredRun(dir: string, layout: SweepLayout, i: number): Promise<SweepRunResult | null> {
  const { readStoredEntry, storePath } = await import("../../harness/sweep.ts");
  const spec = layout.runs[i];
  const entry = readStoredEntry(dir, spec);
  if (entry.kind === "absent") return null;
  if (entry.kind === "bad") {
    throw new UsageError(
      `${storePath(dir, spec.key)}: not a stored result of point ${spec.point} ${spec.strategy} seed ${spec.seed} ` +
        `(${entry.problem}); rerun the sweep into ${dir} to redo that run`,
    );
  }
  return entry.result;
}

/** What makes two manifests the same plan: everything but `shard`. */
function planText(m: SweepManifest): string {
  const { shard: _shard, ...rest } = m;
  return JSON.stringify(rest);
}

export function mergeCommand(setExit: (code: number) => void): CommandModule<object, Args> {
  return {
    command: "merge <dirs..>",
    describe: "Combine the folders of a sharded sweep into the folder an unsharded sweep writes",
    builder: (y) =>
      y
        .positional("dirs", { type: "string", array: true, demandOption: true, describe: "shard folders" })
        .option("out", { type: "string", demandOption: true, describe: "output folder" })
        .option("force-into", { type: "boolean", default: false, describe: FORCE_INTO_DESCRIPTION })
        .option("report", {
          type: "boolean",
          default: true,
          describe: "render the sweep charts and index.html (--no-report skips)",
        })
        .example("$0 merge shard-1 shard-2 shard-3 shard-4 --out reports/churn-sweep", "four shards → one sweep")
        .epilogue(EXIT_CODES_TEXT) as never,
    handler: async (args) => {
      // A signal during the final commit waits for it (src/report/signal-guard.ts).
      (await import("../../report/signal-guard.ts")).deferSignalsDuringCommits();
      const dirs = [...new Set(args.dirs)];
      if (dirs.length > MAX_DIRS) throw new UsageError(`at most ${MAX_DIRS} folders`);
      if (args.out.trim() === "") throw new UsageError("--out expects a folder path");
      const { checkOutputFolder, claimOutputFolder, FileStager } = await import("../../report/output-folder.ts");
      checkOutputFolder(args.out, { forceInto: args.forceInto });
      const folders: SweepFolder[] = [];
      for (const dir of dirs) folders.push(await readSweepFolder(dir));
      const first = folders[0];
      for (const f of folders.slice(1)) {
        if (planText(f.manifest) !== planText(first.manifest)) {
          throw new UsageError(
            `${f.dir}/sweep.json describes another sweep than ${first.dir}/sweep.json ` +
              "(scenario, parameters, strategies, seeds or tool version differ); merge only shards of one sweep",
          );
        }
      }
      const counts = [...new Set(folders.map((f) => f.manifest.shard?.count ?? 1))];
      if (counts.length > 1) {
        throw new UsageError(`the folders were sharded differently (shard counts ${counts.join(", ")})`);
      }
      const count = counts[0];
      const { layout, manifest } = first;
      const { storePath } = await import("../../harness/sweep.ts");
      const results: SweepRunResult[] = [];
      const sources: string[] = [];
      const missing: number[] = [];
      for (let i = 0; i < layout.runs.length; i++) {
        let found: SweepRunResult | null = null;
        for (const f of folders) {
          found = await readStoredRun(f.dir, layout, i);
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
        process.stderr.write(
          `${missing.length} of ${layout.runs.length} runs are missing; incomplete shard(s): ` +
            `${shards.map((s) => `${s}/${count}`).join(", ")} (rerun \`sim sweep … --shard i/${count}\` for them; ` +
            "finished runs are reused)\n",
        );
        setExit(ExitCode.checkFailed);
        return;
      }
      // The run store: the entries' bytes as the shards wrote them (so a later `sim sweep` resumes from it).
      claimOutputFolder(args.out, { kind: "sweep", forceInto: args.forceInto });
      const stager = new FileStager(args.out);
      try {
        layout.runs.forEach((spec, i) => {
          if (sources[i] !== storePath(args.out, spec.key)) stager.write(`runs/${spec.key}.json`, readFileSync(sources[i]));
        });
      } finally {
        stager.close();
      }
      const { writeSweepFolder } = await import("./sweep.ts");
      const { shard: _shard, ...unsharded } = manifest;
      await writeSweepFolder({
        outDir: args.out,
        file: unsharded.file,
        scenario: unsharded.scenario,
        layout,
        results,
        report: args.report,
        forceInto: args.forceInto,
      });
      const failed = results.filter((r) => r.error !== null);
      process.stdout.write(`merged ${folders.length} folder(s), ${results.length} runs, ${failed.length} failed\n`);
      process.stdout.write(`wrote ${args.out}\n`);
      for (const r of failed) {
        process.stderr.write(`run failed: point ${r.point} ${r.strategy} seed ${r.seed}: ${r.error}\n`);
      }
      setExit(failed.length > 0 ? ExitCode.checkFailed : ExitCode.ok);
    },
  };
}
