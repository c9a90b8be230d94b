// `sim calibrate SCENARIO [--strategy a,b] [--seed N] [--out DIR]`: runs the scenario in the simulator and for
// real against the loopback testbed with the same agent and strategies (src/real/calibrate.ts), writes both run
// folders and the comparison, and prints the errors. Exit 1 when a run failed (or, with --strict, when a
// target was missed), 2 for bad input.

import type { CommandModule } from "yargs";
import { EXIT_CODES_TEXT, ExitCode } from "../exit.ts";
import { FORCE_INTO_DESCRIPTION } from "../out-options.ts";
import { wantProgress } from "../progress.ts";
import { parseStrategyFlag } from "../run-options.ts";
import { asUsage, intFlag } from "./real-errors.ts";

interface Args {
  readonly scenario: string;
  readonly strategy?: string;
  readonly seed?: number;
  readonly out?: string;
  readonly charts: boolean;
  readonly strict: boolean;
  readonly forceInto: boolean;
}

export function calibrateCommand(setExit: (code: number) => void): CommandModule<object, Args> {
  return {
    command: "calibrate <scenario>",
    describe: "Compare a scenario's simulated runs with real runs on the loopback testbed",
    builder: (y) =>
      y
        .positional("scenario", { type: "string", demandOption: true, describe: "scenario YAML file (scenarios/calibration/)" })
        .option("strategy", { type: "string", describe: "strategies, comma separated [default: the scenario's]" })
        .option("seed", { type: "number", describe: "seed [default: the scenario's]" })
        .option("out", { type: "string", describe: "output folder [default: reports/<scenario name>/]" })
        .option("charts", { type: "boolean", default: true, describe: "render charts (--no-charts skips)" })
        .option("strict", { type: "boolean", default: false, describe: "exit 1 when a target is missed" })
        .option("force-into", { type: "boolean", default: false, describe: FORCE_INTO_DESCRIPTION })
        .example("$0 calibrate scenarios/calibration/servers-4.yaml", "static, index and rebalance, simulated and real")
        .epilogue(EXIT_CODES_TEXT) as never,
    handler: async (args) => {
      intFlag("seed", args.seed, 0);
      const { checkOutputFolder, defaultOutDir } = await import("../../files/output-folder.ts");
      if (args.out !== undefined) checkOutputFolder(args.out, { forceInto: args.forceInto });
      const { loadScenario } = await import("../../scenario/load.ts");
      const { strategyNames } = await import("../../scenario/strategy-names.ts");
      const loaded = loadScenario(args.scenario);
      const strategies = args.strategy !== undefined ? parseStrategyFlag(args.strategy, strategyNames()) : [...loaded.scenario.strategies];
      const seed = args.seed ?? loaded.scenario.seed;
      const outDir = args.out ?? defaultOutDir(loaded.scenario.name);
      if (args.out === undefined) checkOutputFolder(outDir, { forceInto: args.forceInto });
      const { calibrate, calibrationTable } = await import("../../real/calibrate.ts");
      const tty = wantProgress();
      const outcome = await asUsage(() => calibrate(loaded, {
        strategies,
        seed,
        outDir,
        forceInto: args.forceInto,
        charts: args.charts,
        onProgress: tty ? (t) => process.stderr.write(`${t}\n`) : undefined,
      }));
      process.stdout.write(`${calibrationTable(outcome.comparisons)}\n`);
      for (const n of outcome.notes) process.stdout.write(`note: ${n}\n`);
      process.stdout.write(`wrote ${outDir}\n`);
      const failed = outcome.comparisons.filter((c) => c.error !== null);
      for (const c of failed) process.stderr.write(`run failed: ${c.strategy}: ${c.error}\n`);
      const missed = outcome.comparisons.some((c) => !c.targetsMet);
      setExit(failed.length > 0 || (args.strict && missed) ? ExitCode.checkFailed : ExitCode.ok);
    },
  };
}
