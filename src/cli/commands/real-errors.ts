// Shared by the real-network commands (fetch, testbed, manifest, calibrate): their bad input (RealInputError)
// becomes the CLI's UsageError (exit 2, message only), and their integer flags are checked the same way.

import { UsageError } from "../exit.ts";

/** Runs fn; a RealInputError it throws becomes a UsageError. */
export async function asUsage<T>(fn: () => Promise<T>): Promise<T> {
  const { RealInputError } = await import("../../real/input-error.ts");
  try {
    return await fn();
  } catch (e) {
    if (e instanceof RealInputError) throw new UsageError(e.message);
    throw e;
  }
}

/** An optional integer flag ≥ min (and ≤ max), or a UsageError naming it. */
export function intFlag(name: string, value: number | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} expects an integer in [${min}, ${max}], found ${Number.isNaN(value) ? "not a number" : value}`);
  }
  return value;
}

/** An optional positive number flag (seconds, …), or a UsageError naming it. */
export function positiveFlag(name: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!(value > 0) || !Number.isFinite(value)) throw new UsageError(`--${name} expects a positive number, found ${Number.isNaN(value) ? "not a number" : value}`);
  return value;
}
