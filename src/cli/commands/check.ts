// `sim check`: the CI gate. Runs the suite (scenarios/ci/ × every strategy, plus --strategy-module's), compares
// it seed by seed with the committed baseline under the thresholds file, prints the markdown table (and appends
// it to $GITHUB_STEP_SUMMARY), writes JUnit XML on request, and exits 1 on a regression, an inconclusive verdict
// (unless --allow-inconclusive), a failed run or a group missing from the baseline. `--update-baseline` rewrites
// the baseline from the current tree. Every input (suite, thresholds, baseline, output paths, module) is checked
// before anything runs: bad input exits 2.

import { accessSync, appendFileSync, constants, existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { CommandModule } from "yargs";
import { EXIT_CODES_TEXT, ExitCode, UsageError } from "../exit.ts";
import { makeProgress } from "../progress.ts";
import { parseStrategyFlag, STRATEGY_MODULE_OPTION, strategyModuleFlag } from "../run-options.ts";

interface Args {
  readonly suite: string;
  readonly baseline: string;
  readonly config?: string;
  readonly junit?: string;
  readonly updateBaseline: boolean;
  readonly allowInconclusive: boolean;
  readonly strategy?: string;
  readonly strategyModule?: string;
}

export const CHECK_DEFAULTS = {
  suite: "scenarios/ci/",
  baseline: "reports/baseline.json",
  /** In the suite folder. */
  config: "thresholds.yaml",
} as const;

/** A file the command will write: not a folder, and under a folder that exists or can be made (exit 2 if not). */
export function checkWritablePath(flag: string, path: string): void {
  if (path.trim() === "") throw new UsageError(`--${flag} expects a file path`);
  if (existsSync(path) && statSync(path).isDirectory()) {
    throw new UsageError(`--${flag}: ${path} is a folder; give a file path (for example ${path.replace(/\/+$/, "")}/sim-check.${flag === "junit" ? "xml" : "json"})`);
  }
  let dir = dirname(resolve(path));
  for (let i = 0; i < 256 && !existsSync(dir); i++) dir = dirname(dir);
  if (!statSync(dir).isDirectory()) throw new UsageError(`--${flag}: ${path} is under ${dir}, which is a file`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new UsageError(`--${flag}: cannot write under ${dir} (permission denied)`);
  }
}

/** Writes a file atomically, creating its folder. */
async function writeFile(path: string, text: string): Promise<void> {
  const { writeFileAtomic } = await import("../../files/atomic.ts");
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, text);
}

/** Turns the harness's bad-input errors into UsageErrors (exit 2), naming the flag when there is one. */
async function asUsage<T>(f: () => T, flag?: string): Promise<T> {
  const { CheckInputError } = await import("../../harness/check-config.ts");
  try {
    return f();
  } catch (error) {
    if (error instanceof CheckInputError) throw new UsageError(flag !== undefined ? `--${flag}: ${error.message}` : error.message);
    throw error;
  }
}

export function checkCommand(setExit: (code: number) => void): CommandModule<object, Args> {
  return {
    command: "check",
    describe: "CI gate: run the suite, compare with the baseline seed by seed under the thresholds, exit 1 unless it passes",
    builder: (y) =>
      y
        .option("suite", { type: "string", default: CHECK_DEFAULTS.suite, describe: "folder of scenario files" })
        .option("baseline", { type: "string", default: CHECK_DEFAULTS.baseline, describe: "baseline JSON file" })
        .option("config", {
          type: "string",
          describe: "thresholds YAML [default: thresholds.yaml in the suite folder; built-in defaults when absent]",
        })
        .option("junit", { type: "string", describe: "also write JUnit XML to this file" })
        .option("update-baseline", {
          type: "boolean",
          default: false,
          describe: "run the suite and write the baseline instead of comparing",
        })
        .option("allow-inconclusive", {
          type: "boolean",
          default: false,
          describe: "pass (exit 0) when a verdict stays inconclusive at max_seeds",
        })
        .option("strategy", { type: "string", describe: "gate only these strategies, comma separated [default: all]" })
        .option("strategy-module", STRATEGY_MODULE_OPTION)
        .example("$0 check", "the gate, as CI runs it")
        .example("$0 check --junit reports/check.xml", "also write a JUnit report")
        .example("$0 check --update-baseline", "accept the current results as the new baseline")
        .example(
          "$0 check --strategy-module mine.ts --strategy mine --baseline mine-baseline.json",
          "gate your own strategy against your own baseline",
        )
        .epilogue(EXIT_CODES_TEXT) as never,
    handler: async (args) => {
      if (!existsSync(args.suite) || !statSync(args.suite).isDirectory()) {
        throw new UsageError(`--suite: ${args.suite} is not a folder of scenario files`);
      }
      const check = await import("../../harness/check.ts");
      if (check.suiteFiles(args.suite).length === 0) throw new UsageError(`--suite: ${args.suite} holds no .yaml scenario`);
      const strategyModule = await strategyModuleFlag(args.strategyModule);
      const { strategyNames } = await import("../../scenario/strategy-names.ts");
      const names = [...strategyNames(), ...(strategyModule?.entries.map((e) => e.name) ?? [])];
      const strategies = args.strategy !== undefined ? parseStrategyFlag(args.strategy, names) : undefined;
      let config = check.DEFAULT_CONFIG;
      const configFile = args.config ?? join(args.suite, CHECK_DEFAULTS.config);
      if (existsSync(configFile)) {
        config = await asUsage(() => check.loadCheckConfig(configFile), "config");
      } else if (args.config !== undefined) {
        throw new UsageError(`--config: ${args.config} does not exist`);
      }
      if (args.junit !== undefined) checkWritablePath("junit", args.junit);
      const base = {
        suite: args.suite,
        config,
        ...(strategies !== undefined ? { strategies } : {}),
        ...(strategyModule !== null ? { strategyModule } : {}),
      };
      if (args.updateBaseline) {
        checkWritablePath("baseline", args.baseline);
        await asUsage(() => check.prepareCheck({ ...base, baseline: null }));
        const progress = makeProgress("sim check");
        let outcome: ReturnType<typeof check.runSuite>;
        try {
          outcome = check.runSuite({ ...base, baseline: null, onProgress: progress?.onProgress });
        } finally {
          progress?.stop();
        }
        if (outcome.failures.length > 0) {
          for (const r of outcome.failures) process.stderr.write(`run failed: ${r.scenario} ${r.strategy} seed ${r.seed}: ${r.error}\n`);
          process.stderr.write(`not writing ${args.baseline}: a baseline must not hold failed runs\n`);
          setExit(ExitCode.checkFailed);
          return;
        }
        await writeFile(args.baseline, check.baselineJson(outcome.baseline));
        const runs = outcome.baseline.groups.length * config.max_seeds;
        process.stdout.write(
          `wrote ${args.baseline} (${outcome.baseline.groups.length} groups × ${config.max_seeds} seeds = ${runs} runs); commit it with your change\n`,
        );
        setExit(ExitCode.ok);
        return;
      }
      const baseline = await asUsage(() => check.loadBaseline(args.baseline), "baseline");
      if (baseline === null) {
        throw new UsageError(
          `--baseline: ${args.baseline} does not exist; create it from the current tree with ` +
            `\`npx sim check --update-baseline${args.baseline === CHECK_DEFAULTS.baseline ? "" : ` --baseline ${args.baseline}`}\` and commit it`,
        );
      }
      const opts = { ...base, baseline, allowInconclusive: args.allowInconclusive };
      await asUsage(() => check.prepareCheck(opts));
      const progress = makeProgress("sim check");
      let result: ReturnType<typeof check.check>;
      try {
        result = check.check({ ...opts, onProgress: progress?.onProgress });
      } finally {
        progress?.stop();
      }
      process.stdout.write(result.markdown);
      const summaryFile = process.env.GITHUB_STEP_SUMMARY;
      if (summaryFile !== undefined && summaryFile !== "") appendFileSync(summaryFile, `${result.markdown}\n`);
      if (args.junit !== undefined) {
        await writeFile(args.junit, result.junit);
        process.stdout.write(`wrote ${args.junit}\n`);
      }
      if (!result.passed) {
        const bad = result.groups.filter((g) => !["identical", "pass", "improved"].includes(g.verdict) && !(args.allowInconclusive && g.verdict === "inconclusive"));
        process.stderr.write(`sim check failed: ${bad.map((g) => `${g.scenario}/${g.strategy} ${g.verdict}`).join(", ")}\n`);
        if (bad.every((g) => g.verdict === "no-baseline")) {
          process.stderr.write("new groups only: if they are intended, run `npx sim check --update-baseline`\n");
        } else if (bad.some((g) => g.verdict === "inconclusive")) {
          process.stderr.write(
            "inconclusive: the change could not be shown within the thresholds nor beyond them; if it is intended, " +
              "update the baseline (`npx sim check --update-baseline`), or pass --allow-inconclusive\n",
          );
        }
      }
      setExit(result.passed ? ExitCode.ok : ExitCode.checkFailed);
    },
  };
}
