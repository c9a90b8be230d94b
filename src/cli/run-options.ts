// Turns `sim run` flags and the scenario into experiment options: flags override the scenario's seeds and
// strategies; every bad flag value is a UsageError naming the flag and what it accepts.

import { join } from "node:path";
import type { StrategyModule } from "../harness/strategy-module.ts";
import { didYouMean } from "../scenario/did-you-mean.ts";
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

/** The most seeds one `sim run` accepts (a sweep is the tool for more). */
export const MAX_SEEDS = 10_000;

function integerFlag(name: string, value: number | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < min) {
    throw new UsageError(
      `--${name} expects an integer ≥ ${min}, found ${Number.isNaN(value) ? "not a number" : value}`,
    );
  }
  return value;
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
        `--strategy: unknown strategy "${name}"${guess !== undefined ? ` (did you mean "${guess}"?)` : ""}; ` +
          `valid: ${known.join(", ")}`,
      );
    }
  }
  return [...new Set(names)];
}

/** Checks flags that need no scenario (so a bad flag is reported before the scenario is read). */
export function checkFlags(flags: RunFlags): void {
  integerFlag("seed", flags.seed, 0);
  const seeds = integerFlag("seeds", flags.seeds, 1);
  if (seeds !== undefined && seeds > MAX_SEEDS)
    throw new UsageError(`--seeds expects at most ${MAX_SEEDS}, found ${seeds}`);
  if (flags.out !== undefined && flags.out.trim() === "") throw new UsageError("--out expects a folder path");
}

export function resolveRun(flags: RunFlags, scenario: Scenario, known: readonly string[]): ResolvedRun {
  checkFlags(flags);
  const first = flags.seed ?? scenario.seed;
  const count = flags.seeds ?? scenario.seeds;
  const strategies =
    flags.strategy !== undefined ? parseStrategyFlag(flags.strategy, known) : [...scenario.strategies];
  return {
    strategies,
    seeds: Array.from({ length: count }, (_, i) => first + i),
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
