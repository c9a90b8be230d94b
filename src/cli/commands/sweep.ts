// `sim sweep <scenario>`: runs a grid of parameter values × strategies × seeds in a worker pool, storing each
// run as it finishes (an interrupted sweep resumes), then writes sweep.json, runs.csv, summary.json,
// summary.md and the sweep charts (src/harness/sweep-run.ts does both). `--shard i/n` runs a deterministic
// slice for `sim merge` (`--shard auto`: the slice of the array job that started it, src/cli/shard.ts). Exit 1
// when a run failed, 2 for bad input (a --param key the scenario does not have gets the loader's did-you-mean).

import { join } from "node:path";
import type { CommandModule } from "yargs";
import type { ParamValue } from "../../harness/sweep.ts";
import { quote } from "../../input/quote.ts";
import { checkSweepFlags, jobsFlag } from "../run-options.ts";
import { EXIT_CODES_TEXT, ExitCode, UsageError } from "../exit.ts";
import { FORCE_INTO_DESCRIPTION, WALL_S_DESCRIPTION, wallFlag } from "../out-options.ts";
import { makeProgress } from "../progress.ts";
import { shardFlag } from "../shard.ts";
import { checkFlags, parseStrategyFlag, STRATEGY_MODULE_OPTION, strategyModuleFlag } from "../run-options.ts";

interface Args {
  readonly scenario: string;
  readonly param?: string[];
  readonly seed?: number;
  readonly seeds?: number;
  readonly strategy?: string;
  readonly jobs?: number;
  readonly out?: string;
  readonly shard?: string;
  readonly shardCount?: number;
  readonly report: boolean;
  readonly forceInto: boolean;
  readonly wallS?: number;
  readonly strategyModule?: string;
}

/** Most values one --param may list, and most --param flags. */
const MAX_PARAM_VALUES = 10_000;
const MAX_PARAMS = 32;

/** `3` → 3, `true` → true, `tcp` → "tcp". */
export function parseParamValue(text: string): ParamValue {
  const t = text.trim();
  if (t === "true") return true;
  if (t === "false") return false;
  if (t !== "" && Number.isFinite(Number(t))) return Number(t);
  return t;
}

/** `key.path=v1,v2,…` → [key, values]; every problem is a UsageError naming the flag. */
export function parseParamFlag(text: string): [string, ParamValue[]] {
  const eq = text.indexOf("=");
  const key = eq < 0 ? "" : text.slice(0, eq).trim();
  const list = eq < 0 ? "" : text.slice(eq + 1);
  if (key === "" || list.trim() === "") {
    throw new UsageError(`--param expects key.path=v1,v2,… (e.g. agent.max_connections=2,4,8), found ${quote(text)}`);
  }
  const values = list.split(",").map(parseParamValue);
  if (values.some((v) => v === "")) throw new UsageError(`--param ${quote(key)}: empty value in ${quote(list)}`);
  if (values.length > MAX_PARAM_VALUES) throw new UsageError(`--param ${quote(key)}: more than ${MAX_PARAM_VALUES} values`);
  const unique = [...new Set(values)];
  if (unique.length !== values.length) throw new UsageError(`--param ${quote(key)}: a value is listed twice in ${quote(list)}`);
  return [key, values];
}

export function parseParamFlags(texts: readonly string[]): [string, ParamValue[]][] {
  if (texts.length > MAX_PARAMS) throw new UsageError(`at most ${MAX_PARAMS} --param flags`);
  const params = texts.map(parseParamFlag);
  const keys = params.map(([k]) => k);
  const dup = keys.find((k, i) => keys.indexOf(k) !== i);
  if (dup !== undefined) throw new UsageError(`--param ${quote(dup)} is given twice; list every value in one flag`);
  return params;
}

export function sweepCommand(setExit: (code: number) => void): CommandModule<object, Args> {
  return {
    command: "sweep <scenario>",
    describe: "Run a parameter grid × strategies × seeds in parallel; resumable and shardable",
    builder: (y) =>
      y
        .positional("scenario", { type: "string", demandOption: true, describe: "scenario YAML file" })
        .option("param", {
          type: "string",
          array: true,
          describe: "key.path=v1,v2,… to sweep (repeatable; default: the scenario's sweep: section)",
        })
        .option("seed", { type: "number", describe: "first seed (overrides the scenario's seed)" })
        .option("seeds", { type: "number", describe: "number of seeds (overrides the scenario's)" })
        .option("strategy", { type: "string", describe: "strategies, comma separated (overrides the scenario's)" })
        .option("strategy-module", STRATEGY_MODULE_OPTION)
        .option("jobs", { type: "number", describe: "parallel runs [default: number of cores]" })
        .option("out", { type: "string", describe: "output folder [default: reports/<scenario name>-sweep/]" })
        .option("force-into", { type: "boolean", default: false, describe: FORCE_INTO_DESCRIPTION })
        .option("wall-s", { type: "number", describe: WALL_S_DESCRIPTION })
        .option("shard", {
          type: "string",
          describe: "run only slice i of n (i/n, 1-based) for `sim merge`; auto: from the array job's environment",
        })
        .option("shard-count", { type: "number", describe: "with --shard auto in a Kubernetes Indexed Job: its completions" })
        .option("report", {
          type: "boolean",
          default: true,
          describe: "render the sweep charts and index.html (--no-report skips)",
        })
        .example(
          "$0 sweep scenarios/churn.yaml --param agent.max_connections=2,4,8 --seeds 10",
          "three points × the scenario's strategies × ten seeds",
        )
        .example("$0 sweep scenarios/churn.yaml --shard 2/4 --out shard-2", "the second of four slices")
        .example("$0 sweep scenarios/churn.yaml --shard auto --out shard-$SLURM_ARRAY_TASK_ID", "a Slurm array task's slice")
        .epilogue(EXIT_CODES_TEXT) as never,
    handler: async (args) => {
      // A signal during the final commit waits for it (src/files/signal-guard.ts).
      (await import("../../files/signal-guard.ts")).deferSignalsDuringCommits();
      checkFlags(args);
      const params = parseParamFlags(args.param ?? []);
      const { defaultJobs } = await import("../../harness/pool.ts");
      const jobs = jobsFlag(args.jobs, defaultJobs);
      const { parseShard } = await import("../../harness/sweep.ts");
      const shard = shardFlag(args.shard, args.shardCount, parseShard);
      const wallS = wallFlag(args.wallS);
      const { checkOutputFolder, defaultOutDir } = await import("../../files/output-folder.ts");
      if (args.out !== undefined) checkOutputFolder(args.out, { forceInto: args.forceInto });
      const strategyModule = await strategyModuleFlag(args.strategyModule);
      const { readScenarioInput, resolveScenario } = await import("../../scenario/load.ts");
      const { keyPathProblem } = await import("../../scenario/overrides.ts");
      const { strategyNames } = await import("../../scenario/strategy-names.ts");
      const names = [...strategyNames(), ...(strategyModule?.entries.map((e) => e.name) ?? [])];
      // Read once: the plan, the run keys and what the workers run all derive from this reading.
      const source = { file: args.scenario, ...readScenarioInput(args.scenario) };
      const base = resolveScenario(source.input, source.file, source.dir, { strategyNames: names });
      const { input } = source;
      for (const [key] of params) {
        const problem = keyPathProblem(input, key);
        if (problem !== null) {
          throw new UsageError(`--param ${quote(key)}: expected ${problem.expected}, found ${problem.found}`);
        }
      }
      const strategies = args.strategy !== undefined ? parseStrategyFlag(args.strategy, names) : undefined;
      const first = args.seed ?? base.scenario.seed;
      const seeds =
        args.seed !== undefined || args.seeds !== undefined
          ? Array.from({ length: args.seeds ?? base.scenario.seeds }, (_, i) => first + i)
          : undefined;
      const outDir = args.out ?? defaultOutDir(base.scenario.name, "-sweep");
      const { runSweep } = await import("../../harness/sweep-run.ts");
      checkSweepFlags(args, base.scenario, params, strategies);
      const progress = makeProgress(base.scenario.name, { countFailed: true });
      let outcome: Awaited<ReturnType<typeof runSweep>>;
      try {
        outcome = await runSweep({
          file: source,
          plan: {
            ...(params.length > 0 ? { params, paramsSource: "--param" } : {}),
            ...(strategies !== undefined ? { strategies } : {}),
            ...(seeds !== undefined ? { seeds } : {}),
          },
          jobs,
          outDir,
          shard,
          report: args.report && shard === undefined,
          wallS,
          forceInto: args.forceInto,
          ...(strategyModule !== null ? { strategyModule } : {}),
          onProgress: (done, failed, total) => progress?.onProgress(done, total, failed),
        });
      } finally {
        progress?.stop();
      }
      const { sweepComparison } = await import("../../report/sweep/comparison.ts");
      process.stdout.write(`${sweepComparison(outcome.plan.base.scenario, outcome.plan, outcome.results)}\n`);
      const covered = outcome.results.length;
      process.stdout.write(
        `${covered} run(s) of ${outcome.plan.runs.length}${shard !== undefined ? ` (shard ${shard.index}/${shard.count})` : ""}: ` +
          `${covered - outcome.reused} run, ${outcome.reused} reused from ${join(outDir, "runs")}/, ${outcome.failures.length} failed\n`,
      );
      process.stdout.write(`wrote ${outDir}\n`);
      for (const failure of outcome.failures) process.stderr.write(`run failed: ${failure}\n`);
      setExit(outcome.failures.length > 0 ? ExitCode.checkFailed : ExitCode.ok);
    },
  };
}
