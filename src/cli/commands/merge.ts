// `sim merge DIR… --out DIR`: combines the folders of a sharded sweep (`sim sweep --shard i/n`) into exactly
// the folder an unsharded sweep writes (src/harness/folders/merge.ts): the run store, sweep.json without
// `shard`, runs.csv, summary.json, summary.md and the charts. Folders of different plans are bad input (exit 2);
// missing runs exit 1 naming how many and which shards are incomplete.

import type { CommandModule } from "yargs";
import { EXIT_CODES_TEXT, ExitCode, UsageError } from "../exit.ts";
import { FORCE_INTO_DESCRIPTION } from "../out-options.ts";

interface Args {
  readonly dirs: string[];
  readonly out: string;
  readonly report: boolean;
  readonly forceInto: boolean;
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
      // A signal during the final commit waits for it (src/files/signal-guard.ts).
      (await import("../../files/signal-guard.ts")).deferSignalsDuringCommits();
      const dirs = [...new Set(args.dirs)];
      const { MAX_MERGE_DIRS, mergeSweepFolders } = await import("../../harness/folders/merge.ts");
      if (dirs.length > MAX_MERGE_DIRS) throw new UsageError(`at most ${MAX_MERGE_DIRS} folders`);
      if (args.out.trim() === "") throw new UsageError("--out expects a folder path");
      const outcome = await mergeSweepFolders(dirs, { outDir: args.out, report: args.report, forceInto: args.forceInto });
      if (outcome.kind === "incomplete") {
        const { count } = outcome;
        process.stderr.write(
          `${outcome.missing} of ${outcome.total} runs are missing; incomplete shard(s): ` +
            `${outcome.shards.map((s) => `${s}/${count}`).join(", ")} (rerun \`sim sweep … --shard i/${count}\` for them; ` +
            "finished runs are reused)\n",
        );
        setExit(ExitCode.checkFailed);
        return;
      }
      const { results } = outcome;
      const failed = results.filter((r) => r.error !== null);
      process.stdout.write(`merged ${outcome.folders} folder(s), ${results.length} runs, ${failed.length} failed\n`);
      process.stdout.write(`wrote ${args.out}\n`);
      for (const r of failed) {
        process.stderr.write(`run failed: point ${r.point} ${r.strategy} seed ${r.seed}: ${r.error}\n`);
      }
      setExit(failed.length > 0 ? ExitCode.checkFailed : ExitCode.ok);
    },
  };
}
