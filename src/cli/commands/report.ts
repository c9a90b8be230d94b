// `sim report DIR`: rebuilds a folder's report from its files alone: for a `sim run` folder the charts,
// index.html and summary.md from the CSVs and summary.json; for a sweep folder (it has sweep.json) the
// sweep charts, index.html and summary.md from sweep.json and the run store. Useful after a tool update
// changed the charts, or on a folder written with --no-report.

import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import type { CommandModule } from "yargs";
import type { SweepRunResult } from "../../harness/sweep.ts";
import { EXIT_CODES_TEXT, ExitCode, UsageError } from "../exit.ts";
import { FORCE_INTO_DESCRIPTION } from "../out-options.ts";

interface Args {
  readonly dir: string;
  readonly forceInto: boolean;
}

/** The report's own files: a rebuild replaces these (and removes the charts it no longer draws), nothing else. */
function isReportFile(name: string): boolean {
  return name.startsWith("charts/") || name === "index.html" || name === "summary.md";
}

async function reportSweep(dir: string, forceInto: boolean): Promise<number> {
  const { readSweepFolder, readStoredRun } = await import("./merge.ts");
  const folder = await readSweepFolder(dir);
  const { layout, manifest } = folder;
  const { shardRuns } = await import("../../harness/sweep.ts");
  const covered =
    manifest.shard !== undefined ? new Set(shardRuns(layout.runs, manifest.shard).map((r) => r.key)) : null;
  const results: SweepRunResult[] = [];
  let missing = 0;
  for (let i = 0; i < layout.runs.length; i++) {
    if (covered !== null && !covered.has(layout.runs[i].key)) continue;
    const r = await readStoredRun(dir, layout, i);
    if (r === null) missing++;
    else results.push(r);
  }
  const { buildSweepReport } = await import("../../report/sweep-outputs.ts");
  const { commitOutputs } = await import("../../report/output-folder.ts");
  const input = { file: manifest.file, scenario: manifest.scenario, layout, results, shard: manifest.shard };
  commitOutputs(dir, await buildSweepReport(input), { kind: "sweep", replaces: isReportFile, forceInto });
  process.stdout.write(`rebuilt the sweep report of ${dir} from ${results.length} stored run(s)\n`);
  if (missing > 0) {
    process.stderr.write(`${missing} run(s) of the sweep are not in ${join(dir, "runs")}/: the report leaves them out\n`);
    return ExitCode.checkFailed;
  }
  return ExitCode.ok;
}

async function reportRun(dir: string, forceInto: boolean): Promise<number> {
  const { readRunOutputs } = await import("../../report/read.ts");
  let folder: ReturnType<typeof readRunOutputs>;
  try {
    folder = readRunOutputs(dir);
  } catch (error) {
    throw new UsageError(`${dir}: ${(error as Error).message}`);
  }
  const { buildCharts } = await import("../../report/charts/index.ts");
  const { commitOutputs } = await import("../../report/output-folder.ts");
  const { strategyModuleNote } = await import("../../report/provenance.ts");
  // The charts need only the resolved scenario; traces are not re-read (summary.json holds what was run).
  const loaded = { scenario: folder.scenario, file: join(dir, "summary.json"), dir, traces: new Map() };
  const module = folder.summary.strategy_module;
  const notes = module !== undefined ? [strategyModuleNote(module)] : [];
  commitOutputs(dir, await buildCharts(loaded, folder.results, { notes }), { kind: "run", replaces: isReportFile, forceInto });
  process.stdout.write(`rebuilt the report of ${dir} from ${folder.results.length} run(s)\n`);
  return ExitCode.ok;
}

export function reportCommand(setExit: (code: number) => void): CommandModule<object, Args> {
  return {
    command: "report <dir>",
    describe: "Rebuild the charts, index.html and summary.md of a run or sweep folder from its files",
    builder: (y) =>
      y
        .positional("dir", { type: "string", demandOption: true, describe: "a folder written by sim run or sim sweep" })
        .option("force-into", { type: "boolean", default: false, describe: FORCE_INTO_DESCRIPTION })
        .example("$0 report reports/churn", "redraw the charts of a run")
        .example("$0 report reports/churn-sweep", "redraw a sweep's charts from its run store")
        .epilogue(EXIT_CODES_TEXT) as never,
    handler: async (args) => {
      // A signal during the final commit waits for it (src/report/signal-guard.ts).
      (await import("../../report/signal-guard.ts")).deferSignalsDuringCommits();
      if (!existsSync(args.dir) || !statSync(args.dir).isDirectory()) {
        throw new UsageError(`${args.dir} is not a folder`);
      }
      // Complete a commit that a killed writer left half done before reading anything (output-folder.ts), and
      // refuse a folder sim may not write into before rendering anything.
      const { checkOutputFolder, recoverFolder } = await import("../../report/output-folder.ts");
      recoverFolder(args.dir);
      const sweep = existsSync(join(args.dir, "sweep.json"));
      if (!sweep && (!existsSync(join(args.dir, "summary.json")) || !existsSync(join(args.dir, "runs.csv")))) {
        throw new UsageError(`${args.dir}: neither a run folder (summary.json, runs.csv) nor a sweep folder (sweep.json)`);
      }
      checkOutputFolder(args.dir, { forceInto: args.forceInto });
      setExit(sweep ? await reportSweep(args.dir, args.forceInto) : await reportRun(args.dir, args.forceInto));
    },
  };
}
