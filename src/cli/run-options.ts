// Turns `sim run` flags and the scenario into experiment options: flags override the scenario's seeds and
// strategies; every bad flag value is a UsageError naming the flag and what it accepts. Also the checks
// `sim sweep` shares: integer flags as text, --jobs, the run count.

import { availableParallelism } from "node:os";
import { join } from "node:path";
import type { StrategyModule } from "../harness/strategy-module.ts";
import { didYouMean } from "../scenario/did-you-mean.ts";
import { MAX_JOBS_PER_CORE, MAX_SEEDS } from "../input/limit-values.ts";
import { runCountProblem } from "../scenario/limits.ts";
import { quote } from "../input/quote.ts";
import type { Scenario } from "../scenario/schema.ts";
import { UsageError } from "./exit.ts";

export interface RunFlags {
  readonly seed?: number;
  readonly seeds?: number;
  readonly strategy?: string;
  readonly out?: string;
}

export interface ResolvedRun {
  readonly strategies: string[];
  readonly seeds: number[];
  readonly outDir: string;
}

/** The most seeds one `sim run` accepts (a sweep is the tool for more); a scenario's `seeds` has the same cap. */
export { MAX_SEEDS };

/** Integer flags, with their least value: their text is checked before yargs turns it into a number. */
const INTEGER_FLAGS: Readonly<Record<string, number>> = { seed: 0, seeds: 1, jobs: 1, "shard-count": 1 };

function integerExpected(min: number): string {
  return `an integer from ${min} to ${Number.MAX_SAFE_INTEGER}`;
}

/**
 * Checks the text of every `--seed`, `--seeds` and `--jobs` in raw arguments (up to `--`): plain decimal digits
 * within exact integers, given once, with a value. yargs alone would read "" as 0, "1e3" as 1000, "0x10" as 16
 * and 2^53 + 1 as 2^53, and take the last of repeated flags.
 */
export function checkIntegerFlagTexts(args: readonly string[]): void {
  const seen = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") return;
    const match = /^--([a-z-]+)(?:=([\s\S]*))?$/.exec(arg);
    if (match === null || !Object.hasOwn(INTEGER_FLAGS, match[1])) continue;
    const name = match[1];
    const min = INTEGER_FLAGS[name];
    let text = match[2];
    if (text === undefined) {
      const next = args[i + 1];
      if (next === undefined || (next.startsWith("--") && next.length > 2)) {
        throw new UsageError(`--${name} expects ${integerExpected(min)}, found nothing`);
      }
      text = next;
      i++;
    }
    if (seen.has(name)) throw new UsageError(`--${name} is given twice; give it once`);
    seen.add(name);
    const value = /^[0-9]{1,20}$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < min) {
      throw new UsageError(`--${name} expects ${integerExpected(min)}, found ${text === "" ? "an empty value" : quote(text)}`);
    }
  }
}

function integerFlag(name: string, value: number | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new UsageError(
      `--${name} expects ${integerExpected(min)}, found ${Number.isNaN(value) ? "not a number" : value}`,
    );
  }
  return value;
}

/** The most parallel runs `--jobs` may ask for: a few per core (more only thrash a machine). */
export function maxJobs(cores: number = availableParallelism()): number {
  return MAX_JOBS_PER_CORE * Math.max(1, cores);
}

/** `--jobs`: an integer from 1 to maxJobs(); `fallback` when not given. */
export function jobsFlag(jobs: number | undefined, fallback: () => number, cores?: number): number {
  if (jobs === undefined) return fallback();
  const max = maxJobs(cores);
  if (!Number.isSafeInteger(jobs) || jobs < 1 || jobs > max) {
    throw new UsageError(
      `--jobs expects an integer from 1 to ${max} (${MAX_JOBS_PER_CORE} per core), found ${Number.isNaN(jobs) ? "not a number" : jobs}`,
    );
  }
  return jobs;
}

/** `a,b` → ["a", "b"], each checked against the registry. */
export function parseStrategyFlag(text: string, known: readonly string[]): string[] {
  const names = text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (names.length === 0)
    throw new UsageError(`--strategy expects names separated by commas; valid: ${known.join(", ")}`);
  for (const name of names) {
    if (!known.includes(name)) {
      const guess = didYouMean(name, known);
      throw new UsageError(
        `--strategy: unknown strategy ${quote(name)}${guess !== undefined ? ` (did you mean "${guess}"?)` : ""}; ` +
          `valid: ${known.join(", ")}`,
      );
    }
  }
  return [...new Set(names)];
}

/** Checks flags that need no scenario (so a bad flag is reported before the scenario is read). */
export function checkFlags(flags: RunFlags): void {
  const seed = integerFlag("seed", flags.seed, 0);
  const seeds = integerFlag("seeds", flags.seeds, 1);
  if (seeds !== undefined && seeds > MAX_SEEDS)
    throw new UsageError(`--seeds expects at most ${MAX_SEEDS}, found ${seeds}`);
  // Compared this way round: seed + seeds - 1 itself would round back into range near 2^53.
  if (seed !== undefined && seed > Number.MAX_SAFE_INTEGER - ((seeds ?? 1) - 1)) {
    throw new UsageError(`--seed ${seed} with ${seeds ?? 1} seeds goes past ${Number.MAX_SAFE_INTEGER}`);
  }
  if (flags.out !== undefined && flags.out.trim() === "") throw new UsageError("--out expects a folder path");
}

/** The seeds flags and the scenario give: first .. first + count - 1, all exact integers. */
export function resolveSeeds(flags: RunFlags, scenario: Scenario): number[] {
  checkFlags(flags);
  const first = flags.seed ?? scenario.seed;
  const count = flags.seeds ?? scenario.seeds;
  if (first > Number.MAX_SAFE_INTEGER - (count - 1)) {
    throw new UsageError(`${count} seeds from ${first} go past ${Number.MAX_SAFE_INTEGER}`);
  }
  return Array.from({ length: count }, (_, i) => first + i);
}

/** Refuses more runs than the scenario's limits.max_runs, before any runs. */
export function checkRunCount(scenario: Scenario, runs: number): void {
  const problem = runCountProblem(scenario, runs);
  if (problem !== null) throw new UsageError(problem);
}

/**
 * `sim sweep`'s bounds before any run: the seed range the flags give, and the runs of the grid (--param points,
 * or the scenario's own sweep, × strategies × seeds) against limits.max_runs.
 */
export function checkSweepFlags(
  flags: RunFlags,
  scenario: Scenario,
  params: readonly (readonly [string, readonly unknown[]])[],
  strategies: readonly string[] | undefined,
): void {
  const seeds = resolveSeeds(flags, scenario);
  const grid = params.length > 0 ? params.map(([, values]) => values.length) : Object.values(scenario.sweep?.params ?? {}).map((v) => v.length);
  const points = grid.reduce((n, k) => n * k, 1);
  checkRunCount(scenario, points * (strategies ?? scenario.strategies).length * seeds.length);
}

export function resolveRun(flags: RunFlags, scenario: Scenario, known: readonly string[]): ResolvedRun {
  const seeds = resolveSeeds(flags, scenario);
  const strategies =
    flags.strategy !== undefined ? parseStrategyFlag(flags.strategy, known) : [...scenario.strategies];
  checkRunCount(scenario, strategies.length * seeds.length);
  return {
    strategies,
    seeds,
    outDir: flags.out ?? join("reports", scenario.name),
  };
}

/** Describes --strategy-module for run, sweep and check. */
export const STRATEGY_MODULE_OPTION = {
  type: "string",
  describe:
    "a .ts or .js file whose StrategyEntry exports (default: an entry or an array; or named exports) join the built-in strategies",
} as const;

/** Loads --strategy-module (null without the flag); a bad module is bad input (exit 2) before anything runs. */
export async function strategyModuleFlag(file: string | undefined): Promise<StrategyModule | null> {
  if (file === undefined) return null;
  if (file.trim() === "") throw new UsageError("--strategy-module expects a file path");
  const { loadStrategyModule, StrategyModuleError } = await import("../harness/strategy-module.ts");
  try {
    return await loadStrategyModule(file);
  } catch (error) {
    if (error instanceof StrategyModuleError) throw new UsageError(error.message);
    throw error;
  }
}
