// `sim report DIR`: rebuilds a folder's report from its files alone (src/harness/folders/rebuild.ts): for a
// `sim run` folder the charts, index.html and summary.md from the CSVs and summary.json; for a sweep folder (it
// has sweep.json) the sweep charts, index.html and summary.md from sweep.json and the run store. Useful after a
// tool update changed the charts, or on a folder written with --no-report.

import { join } from "node:path";
import type { CommandModule } from "yargs";
import { EXIT_CODES_TEXT, ExitCode } from "../exit.ts";
import { FORCE_INTO_DESCRIPTION } from "../out-options.ts";

interface Args {
  readonly dir: string;
  readonly forceInto: boolean;
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
      // A signal during the final commit waits for it (src/files/signal-guard.ts).
      (await import("../../files/signal-guard.ts")).deferSignalsDuringCommits();
      const { rebuildReport } = await import("../../harness/folders/rebuild.ts");
      const outcome = await rebuildReport(args.dir, { forceInto: args.forceInto });
      if (outcome.kind === "run") {
        process.stdout.write(`rebuilt the report of ${args.dir} from ${outcome.runs} run(s)\n`);
        setExit(ExitCode.ok);
        return;
      }
      process.stdout.write(`rebuilt the sweep report of ${args.dir} from ${outcome.runs} stored run(s)\n`);
      if (outcome.missing > 0) {
        process.stderr.write(
          `${outcome.missing} run(s) of the sweep are not in ${join(args.dir, "runs")}/: the report leaves them out\n`,
        );
      }
      setExit(outcome.missing > 0 ? ExitCode.checkFailed : ExitCode.ok);
    },
  };
}
