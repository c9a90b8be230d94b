// `sim run <scenario>`: checks flags and the scenario (bad input exits 2 before anything is written), runs
// every strategy on every seed, prints the comparison table, and exits 1 when a run failed or
// --check-determinism found a difference (then nothing is written). --record-schedule FILE writes the world the
// runs met (one seed) as a scenario with an explicit schedule (src/harness/schedule-file.ts).

import type { CommandModule } from "yargs";
import { EXIT_CODES_TEXT, ExitCode, UsageError } from "../exit.ts";
import { FORCE_INTO_DESCRIPTION, WALL_S_DESCRIPTION, wallFlag } from "../out-options.ts";
import { makeProgress } from "../progress.ts";
import { checkFlags, resolveRun, STRATEGY_MODULE_OPTION, strategyModuleFlag } from "../run-options.ts";

interface Args {
  readonly scenario: string;
  readonly seed?: number;
  readonly seeds?: number;
  readonly strategy?: string;
  readonly out?: string;
  readonly trace: boolean;
  readonly checkDeterminism: boolean;
  readonly report: boolean;
  readonly forceInto: boolean;
  readonly wallS?: number;
  readonly strategyModule?: string;
  readonly recordSchedule?: string;
}

export function runCommand(setExit: (code: number) => void): CommandModule<object, Args> {
  return {
    command: "run <scenario>",
    describe: "Run a scenario: every strategy on every seed, then write CSVs, charts and a report",
    builder: (y) =>
      y
        .positional("scenario", { type: "string", demandOption: true, describe: "scenario YAML file" })
        .option("seed", { type: "number", describe: "first seed (overrides the scenario's seed)" })
        .option("seeds", {
          type: "number",
          describe: "number of seeds: seed, seed+1, ... (overrides the scenario's)",
        })
        .option("strategy", {
          type: "string",
          describe: "strategies to run, comma separated (overrides the scenario's)",
        })
        .option("strategy-module", STRATEGY_MODULE_OPTION)
        .option("out", { type: "string", describe: "output folder [default: reports/<scenario name>/]" })
        .option("force-into", { type: "boolean", default: false, describe: FORCE_INTO_DESCRIPTION })
        .option("wall-s", { type: "number", describe: WALL_S_DESCRIPTION })
        .option("trace", {
          type: "boolean",
          default: false,
          describe: "also write events.jsonl (every event)",
        })
        .option("check-determinism", {
          type: "boolean",
          default: false,
          describe: "run everything twice; if any run differs, name its first differing decision or world event, write nothing and exit 1",
        })
        .option("record-schedule", {
          type: "string",
          describe:
            "write the world the runs met (one seed) to FILE as a scenario whose schedule: lists its node events; it replays each run exactly",
        })
        .option("report", {
          type: "boolean",
          default: true,
          describe: "render charts and the HTML report (--no-report skips)",
        })
        .example("$0 run scenarios/churn.yaml", "the demo: three strategies, three seeds")
        .example(
          "$0 run scenarios/churn.yaml --seed 7 --seeds 10 --strategy index,rebalance",
          "ten seeds, two strategies",
        )
        .example("$0 run scenarios/churn.yaml --strategy-module mine.ts --strategy static,mine", "your own strategy beside static")
        .example(
          "$0 run scenarios/ci/small.yaml --check-determinism --no-report --out /tmp/out",
          "a quick determinism check",
        )
        .example("$0 run scenarios/churn.yaml --seed 4 --seeds 1 --record-schedule churn-4.yaml", "seed 4's world as explicit events")
        .epilogue(EXIT_CODES_TEXT) as never,
    handler: async (args) => {
      // A signal during the final commit waits for it (src/files/signal-guard.ts).
      (await import("../../files/signal-guard.ts")).deferSignalsDuringCommits();
      checkFlags(args);
      const wallS = wallFlag(args.wallS);
      const { checkOutputFolder, defaultOutDir } = await import("../../files/output-folder.ts");
      // The folder given is checked before the scenario is even read; the default one once its name is known.
      if (args.out !== undefined) checkOutputFolder(args.out, { forceInto: args.forceInto });
      const { checkScenarioTarget, writeScenarioFile } = await import("../scenario-file-out.ts");
      if (args.recordSchedule !== undefined) checkScenarioTarget("record-schedule", args.recordSchedule);
      const strategyModule = await strategyModuleFlag(args.strategyModule);
      const { loadScenario } = await import("../../scenario/load.ts");
      const { strategyNames } = await import("../../scenario/strategy-names.ts");
      const names = [...strategyNames(), ...(strategyModule?.entries.map((e) => e.name) ?? [])];
      const loaded = loadScenario(args.scenario, { strategyNames: names });
      const run = resolveRun(args, loaded.scenario, names);
      if (args.recordSchedule !== undefined && run.seeds.length !== 1) {
        throw new UsageError(`--record-schedule records one seed's world; this run has ${run.seeds.length} seeds (add --seeds 1)`);
      }
      const outDir = args.out ?? defaultOutDir(loaded.scenario.name);
      const { runExperiment } = await import("../../harness/experiment.ts");
      const { formatIssue } = await import("../../scenario/errors.ts");
      for (const note of loaded.notes ?? []) process.stderr.write(`note: ${formatIssue(note)}\n`);
      const progress = makeProgress(loaded.scenario.name);
      let outcome: Awaited<ReturnType<typeof runExperiment>>;
      try {
        outcome = await runExperiment(loaded, {
          strategies: run.strategies,
          seeds: run.seeds,
          outDir,
          wallS,
          forceInto: args.forceInto,
          trace: args.trace,
          checkDeterminism: args.checkDeterminism,
          report: args.report,
          recordSchedule: args.recordSchedule !== undefined,
          onProgress: progress?.onProgress,
          ...(strategyModule !== null ? { strategyModule } : {}),
        });
      } finally {
        progress?.stop();
      }
      process.stdout.write(outcome.table.endsWith("\n") ? outcome.table : `${outcome.table}\n`);
      if (outcome.written) process.stdout.write(`wrote ${outDir}\n`);
      for (const failure of outcome.failures) process.stderr.write(`run failed: ${failure}\n`);
      if (outcome.determinismFailure !== null) {
        process.stderr.write(`determinism check failed: ${outcome.determinismFailure}\nnothing was written\n`);
      } else if (args.checkDeterminism) {
        process.stdout.write(`determinism check: each of the ${outcome.determinismChecked} runs, made twice, gave the same trace and fingerprint\n`);
      }
      const recorded = outcome.recordedSchedule;
      if (args.recordSchedule !== undefined && recorded !== undefined && outcome.determinismFailure === null) {
        const { readScenarioInput } = await import("../../scenario/load.ts");
        const { recordedScenario, scenarioYaml } = await import("../../harness/schedule-file.ts");
        const raw = readScenarioInput(args.scenario).input as { schedule?: unknown };
        const faultKinds = ["refuse", "ignore", "corrupt", "tracker-down"];
        const kept = Array.isArray(raw.schedule) ? raw.schedule.filter((e) => faultKinds.includes((e as { event?: string }).event ?? "")) : [];
        const seed = run.seeds[0];
        const reachedS = (recorded.reachedUs / 1e6).toFixed(6);
        const comment = [
          `Recorded by \`sim run ${args.scenario} --seed ${seed} --record-schedule\`: the world of seed ${seed} up to ${reachedS} s`,
          `(the furthest run: ${recorded.strategy}) as explicit events; connections refused or unanswered, corrupt`,
          "sub-blocks, request jitter and the tracker's samples are still drawn from the seed. Each recorded run replays",
          `exactly (same fingerprint): sim run ${args.recordSchedule} --strategy ${run.strategies.join(",")}`,
        ];
        const scenario = recordedScenario(raw, { seed, events: recorded.events, keptEntries: kept, strategies: run.strategies });
        await writeScenarioFile(args.recordSchedule, scenarioYaml(scenario, comment));
        process.stdout.write(`wrote ${args.recordSchedule} (${recorded.events.length} world events up to ${reachedS} s)\n`);
      }
      const failed = outcome.failures.length > 0 || outcome.determinismFailure !== null;
      setExit(failed ? ExitCode.checkFailed : ExitCode.ok);
    },
  };
}
