// `sim check`: the CI gate. Runs the suite (scenarios/ci/), compares it with the committed baseline under the
// thresholds file, prints the markdown table (and appends it to $GITHUB_STEP_SUMMARY), writes JUnit XML on
// request, and exits 1 on a regression. `--update-baseline` rewrites the baseline from the current tree.

import { appendFileSync, existsSync, mkdirSync, statSync } from "node:fs";
import { dirname } from "node:path";
import type { CommandModule } from "yargs";
import { EXIT_CODES_TEXT, ExitCode, UsageError } from "../exit.ts";
import { makeProgress } from "../progress.ts";

interface Args {
  readonly suite: string;
  readonly baseline: string;
  readonly config: string;
  readonly junit?: string;
  readonly updateBaseline: boolean;
}

export const CHECK_DEFAULTS = {
  suite: "scenarios/ci/",
  baseline: "reports/baseline.json",
  config: "scenarios/ci/thresholds.yaml",
} as const;

/** Writes a file atomically, creating its folder. */
async function writeFile(path: string, text: string): Promise<void> {
  const { writeFileAtomic } = await import("../../report/atomic.ts");
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, text);
}

export function checkCommand(setExit: (code: number) => void): CommandModule<object, Args> {
  return {
    command: "check",
    describe: "CI gate: run the suite, compare with the baseline under the thresholds, exit 1 on a regression",
    builder: (y) =>
      y
        .option("suite", { type: "string", default: CHECK_DEFAULTS.suite, describe: "folder of scenario files" })
        .option("baseline", { type: "string", default: CHECK_DEFAULTS.baseline, describe: "baseline JSON file" })
        .option("config", {
          type: "string",
          default: CHECK_DEFAULTS.config,
          describe: "thresholds YAML (built-in defaults when the default file is absent)",
        })
        .option("junit", { type: "string", describe: "also write JUnit XML to this file" })
        .option("update-baseline", {
          type: "boolean",
          default: false,
          describe: "run the suite and write the baseline instead of comparing",
        })
        .example("$0 check", "the gate, as CI runs it")
        .example("$0 check --junit reports/check.xml", "also write a JUnit report")
        .example("$0 check --update-baseline", "accept the current results as the new baseline")
        .epilogue(EXIT_CODES_TEXT) as never,
    handler: async (args) => {
      if (!existsSync(args.suite) || !statSync(args.suite).isDirectory()) {
        throw new UsageError(`--suite: ${args.suite} is not a folder of scenario files`);
      }
      const { baselineJson, check, DEFAULT_CONFIG, loadBaseline, loadCheckConfig, runSuite, suiteFiles } =
        await import("../../harness/check.ts");
      if (suiteFiles(args.suite).length === 0) throw new UsageError(`--suite: ${args.suite} holds no .yaml scenario`);
      const progress = makeProgress("sim check");
      try {
        if (args.updateBaseline) {
          const baseline = runSuite({ suite: args.suite, baseline: null, onProgress: progress?.onProgress });
          progress?.stop();
          const failed = baseline.runs.filter((r) => r.error !== null);
          if (failed.length > 0) {
            for (const r of failed) process.stderr.write(`run failed: ${r.file} ${r.strategy} seed ${r.seed}: ${r.error}\n`);
            process.stderr.write(`not writing ${args.baseline}: a baseline must not hold failed runs\n`);
            setExit(ExitCode.checkFailed);
            return;
          }
          await writeFile(args.baseline, baselineJson(baseline));
          process.stdout.write(`wrote ${args.baseline} (${baseline.runs.length} runs); commit it with your change\n`);
          setExit(ExitCode.ok);
          return;
        }
        let config = DEFAULT_CONFIG;
        if (existsSync(args.config)) {
          try {
            config = loadCheckConfig(args.config);
          } catch (error) {
            throw new UsageError(`--config: ${(error as Error).message}`);
          }
        } else if (args.config !== CHECK_DEFAULTS.config) {
          throw new UsageError(`--config: ${args.config} does not exist`);
        }
        let baseline: ReturnType<typeof loadBaseline>;
        try {
          baseline = loadBaseline(args.baseline);
        } catch (error) {
          throw new UsageError(`--baseline: ${args.baseline} is not valid JSON (${(error as Error).message})`);
        }
        if (baseline === null || !Array.isArray(baseline.runs)) {
          throw new UsageError(
            `--baseline: ${args.baseline} ${baseline === null ? "does not exist" : "is not a baseline (no runs)"}; ` +
              `create it from the current tree with \`npx sim check --update-baseline${args.baseline === CHECK_DEFAULTS.baseline ? "" : ` --baseline ${args.baseline}`}\` and commit it`,
          );
        }
        const result = check({ suite: args.suite, baseline, config, onProgress: progress?.onProgress });
        progress?.stop();
        process.stdout.write(result.markdown);
        const summaryFile = process.env.GITHUB_STEP_SUMMARY;
        if (summaryFile !== undefined && summaryFile !== "") appendFileSync(summaryFile, `${result.markdown}\n`);
        if (args.junit !== undefined) {
          await writeFile(args.junit, result.junit);
          process.stdout.write(`wrote ${args.junit}\n`);
        }
        if (!result.passed) {
          const bad = result.groups.filter((g) => !["identical", "ok", "improved"].includes(g.verdict));
          process.stderr.write(
            `sim check failed: ${bad.map((g) => `${g.scenario}/${g.strategy} ${g.verdict}`).join(", ")}\n`,
          );
          if (bad.every((g) => g.verdict === "no-baseline")) {
            process.stderr.write("new groups only: if they are intended, run `npx sim check --update-baseline`\n");
          }
        }
        setExit(result.passed ? ExitCode.ok : ExitCode.checkFailed);
      } finally {
        progress?.stop();
      }
    },
  };
}
