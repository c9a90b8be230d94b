// The `sim` command line: parses arguments with yargs, dispatches to a command, and turns every outcome into
// an exit code through src/cli/exit.ts. Commands load their heavy modules on demand so start-up stays fast.
// Integer flags are checked as text before yargs reads them (yargs turns "" into 0), and a closed pipe on
// stdout or stderr ends output quietly.

import yargs from "yargs";
import { TOOL_VERSION } from "../version.ts";
import { calibrateCommand } from "./commands/calibrate.ts";
import { checkCommand } from "./commands/check.ts";
import { diffCommand } from "./commands/diff.ts";
import { explainCommand } from "./commands/explain.ts";
import { fetchCommand } from "./commands/fetch.ts";
import { manifestCommand } from "./commands/manifest.ts";
import { mergeCommand } from "./commands/merge.ts";
import { reportCommand } from "./commands/report.ts";
import { runCommand } from "./commands/run.ts";
import { schemaCommand } from "./commands/schema.ts";
import { shrinkCommand } from "./commands/shrink.ts";
import { strategiesCommand } from "./commands/strategies.ts";
import { sweepCommand } from "./commands/sweep.ts";
import { testbedCommand } from "./commands/testbed.ts";
import { validateCommand } from "./commands/validate.ts";
import { EXIT_CODES_TEXT, ExitCode, reportError, UsageError } from "./exit.ts";
import { checkIntegerFlagTexts } from "./run-options.ts";
import { explainUnknownArguments, notANumberFlag } from "./unknown-flags.ts";
import { unbrokenExamples } from "./examples.ts";

const WRAP = 110;

let pipesGuarded = false;

/**
 * A reader that goes away (`sim run | head -c1`) ends the output quietly: the write error (EPIPE) is caught,
 * later writes to that stream are dropped, and the command finishes its work (its files stay whole) and exits
 * with its own code. Any other error on the stream is an internal error, reported on stderr.
 */
function guardPipes(): void {
  if (pipesGuarded) return;
  pipesGuarded = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      stream.write = (() => true) as typeof stream.write;
      if (error.code === "EPIPE" || error.code === "ERR_STREAM_DESTROYED") return;
      process.exitCode = ExitCode.internal;
      if (stream !== process.stderr) process.stderr.write(`internal error: cannot write output (${error.code})\n`);
    });
  }
}

/** Runs the CLI on `args` (without node and script) and returns the exit code. */
export async function main(args: readonly string[]): Promise<number> {
  guardPipes();
  try {
    checkIntegerFlagTexts(args);
  } catch (error) {
    return reportError(error);
  }
  let code: number = ExitCode.ok;
  const setExit = (c: number) => {
    code = c;
  };
  const cli = unbrokenExamples(yargs([...args]), WRAP)
    .scriptName("sim")
    .usage(
      "$0 <command> [options]\n\nDeterministic simulator for multi-source streaming download schedulers.",
    )
    .command(runCommand(setExit))
    .command(validateCommand(setExit))
    .command(sweepCommand(setExit))
    .command(mergeCommand(setExit))
    .command(reportCommand(setExit))
    .command(checkCommand(setExit))
    .command(explainCommand(setExit))
    .command(diffCommand(setExit))
    .command(shrinkCommand(setExit))
    .command(fetchCommand(setExit))
    .command(manifestCommand(setExit))
    .command(testbedCommand(setExit))
    .command(calibrateCommand(setExit))
    .command(schemaCommand())
    .command(strategiesCommand())
    .demandCommand(
      1,
      "name a command: run, sweep, merge, report, check, explain, diff, shrink, fetch, manifest, testbed, calibrate, validate, schema or strategies",
    )
    .example("$0 run scenarios/churn.yaml", "run the demo scenario and write reports/churn/")
    .example("$0 validate scenarios/*.yaml", "check scenarios without running them")
    .example("$0 sweep scenarios/churn.yaml --param agent.max_connections=2,4,8", "a parameter sweep")
    .example("$0 check", "the CI regression gate")
    .epilogue(EXIT_CODES_TEXT)
    .middleware((argv) => {
      const problem = notANumberFlag(argv, args);
      if (problem !== null) throw new UsageError(problem);
    })
    .strict()
    .recommendCommands()
    .version(TOOL_VERSION)
    .help()
    .alias("h", "help")
    .wrap(WRAP)
    .exitProcess(false)
    .fail((message, error, usage) => {
      if (error !== undefined && error !== null) throw error;
      throw new UsageError(`${explainUnknownArguments(message, usage, args)}\n(see sim --help)`);
    });
  try {
    await cli.parseAsync();
  } catch (error) {
    return reportError(error);
  }
  return code;
}
