// `sim explain DIR [--strategy S] [--seed N] [--block K]`: a run of a run folder in words (src/harness/explain.ts):
// per connection where the time went, the decisions made, and the blocks furthest above their bound T_g with
// what each waited for; with --block, that block's timeline and what made it slower than T_g. Reads the
// folder's trace (written by --trace), or runs the run again from summary.json (src/cli/run-view.ts).

import type { CommandModule } from "yargs";
import { EXIT_CODES_TEXT, ExitCode, UsageError } from "../exit.ts";

interface Args {
  readonly dir: string;
  readonly strategy?: string;
  readonly seed?: number;
  readonly block?: number;
}

export function explainCommand(setExit: (code: number) => void): CommandModule<object, Args> {
  return {
    command: "explain <dir>",
    describe: "Explain a run of a run folder: where each connection's time went, the decisions, what made blocks slower than their bound",
    builder: (y) =>
      y
        .positional("dir", { type: "string", demandOption: true, describe: "a sim run output folder" })
        .option("strategy", { type: "string", describe: "the run's strategy [default: the folder's first]" })
        .option("seed", { type: "number", describe: "the run's seed [default: the strategy's first]" })
        .option("block", { type: "number", describe: "explain this block: its timeline and what made it slower than T_g" })
        .example("$0 explain reports/churn", "the first run of the folder")
        .example("$0 explain reports/churn --strategy static --seed 2 --block 9", "why block 9 took so long")
        .epilogue(EXIT_CODES_TEXT) as never,
    handler: async (args) => {
      for (const [flag, v] of [["seed", args.seed], ["block", args.block]] as const) {
        if (v !== undefined && (!Number.isInteger(v) || v < 0)) throw new UsageError(`--${flag} expects an integer ≥ 0, found ${v}`);
      }
      const { loadRunView } = await import("../run-view.ts");
      const view = await loadRunView(args.dir, { strategy: args.strategy, seed: args.seed });
      const { explainBlock, explainRun } = await import("../../harness/explain.ts");
      for (const n of view.notes ?? []) process.stderr.write(`${n}\n`);
      process.stdout.write(args.block !== undefined ? explainBlock(view, args.block) : explainRun(view));
      setExit(ExitCode.ok);
    },
  };
}
