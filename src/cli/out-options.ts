// The flags every command that writes an output folder or runs simulations shares: --force-into (write into a
// folder that is not a sim output folder) and --wall-s (the wall-clock budget of each run). Bad values are a
// UsageError naming the flag.

import { UsageError } from "./exit.ts";

/** Largest --wall-s (the schema's bound of `limits.wall_s`: about 23 days). */
export const MAX_WALL_S = 2_000_000;

export const FORCE_INTO_DESCRIPTION =
  "write into --out even if it is not empty and was not written by sim; files with the names of outputs are " +
  "replaced, nothing else is touched";

export const WALL_S_DESCRIPTION =
  "wall-clock budget of each run in seconds: a run still going is stopped and fails (overrides limits.wall_s)";

/** --wall-s: a positive number of seconds, at most MAX_WALL_S. */
export function wallFlag(value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || value > MAX_WALL_S) {
    throw new UsageError(
      `--wall-s expects a number of seconds > 0 and ≤ ${MAX_WALL_S}, found ${Number.isNaN(value) ? "not a number" : value}`,
    );
  }
  return value;
}
