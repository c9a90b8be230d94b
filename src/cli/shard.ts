// `--shard`: `i/n` as given, or `auto`, which takes the slice from the array-job engine that started the
// process: a Kubernetes Indexed Job (JOB_COMPLETION_INDEX, 0-based; Kubernetes does not tell the pod how many
// completions there are, so --shard-count N gives it), a Slurm job array (SLURM_ARRAY_TASK_ID counted from
// SLURM_ARRAY_TASK_MIN in steps of SLURM_ARRAY_TASK_STEP, SLURM_ARRAY_TASK_COUNT tasks; the ids must be
// contiguous: --array=0-7 or 1-8:1, not 1,3,5) or an AWS Batch array job (AWS_BATCH_JOB_ARRAY_INDEX, 0-based,
// and AWS_BATCH_JOB_ARRAY_SIZE). Every problem (no engine's variable set, two engines' set, a value that is not
// an integer, an index outside the count, a --shard-count that disagrees with the engine's) is a UsageError
// that names the variable and quotes its value.

import { quote } from "../input/quote.ts";
import { UsageError } from "./exit.ts";

export interface Shard {
  /** 1-based. */
  readonly index: number;
  readonly count: number;
}

/** The engines `--shard auto` knows, by the variable that says a process is one of an array's tasks. */
const ENGINES = [
  { variable: "JOB_COMPLETION_INDEX", name: "a Kubernetes Indexed Job" },
  { variable: "SLURM_ARRAY_TASK_ID", name: "a Slurm job array" },
  { variable: "AWS_BATCH_JOB_ARRAY_INDEX", name: "an AWS Batch array job" },
] as const;

/** The largest shard count accepted (an array job of more tasks than this is not a sweep's shape). */
const MAX_SHARDS = 1_000_000;

type Env = Readonly<Record<string, string | undefined>>;

/** A variable's value as a non-negative integer; undefined when unset; a UsageError when malformed. */
function integerVar(env: Env, name: string): number | undefined {
  const text = env[name];
  if (text === undefined) return undefined;
  const value = /^[0-9]{1,9}$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isSafeInteger(value)) {
    throw new UsageError(`--shard auto: ${name} is ${quote(text)}: expected an integer from 0 to 999999999`);
  }
  return value;
}

function required(env: Env, name: string, engine: string): number {
  const value = integerVar(env, name);
  if (value === undefined) throw new UsageError(`--shard auto: ${engine} sets ${name}, but it is not set`);
  return value;
}

/** 0-based index and count of this task of the array job that started the process. */
function fromEnvironment(env: Env, countFlag: number | undefined): { index0: number; count?: number; source: string } {
  const set = ENGINES.filter((e) => env[e.variable] !== undefined);
  if (set.length === 0) {
    throw new UsageError(
      "--shard auto: no array-job index in the environment: expected JOB_COMPLETION_INDEX (a Kubernetes Indexed Job, " +
        "with --shard-count N), SLURM_ARRAY_TASK_ID (a Slurm job array) or AWS_BATCH_JOB_ARRAY_INDEX (an AWS Batch " +
        "array job); or give the slice as --shard i/n",
    );
  }
  if (set.length > 1) {
    throw new UsageError(`--shard auto: both ${set[0].variable} and ${set[1].variable} are set; give the slice as --shard i/n`);
  }
  const engine = set[0];
  const id = required(env, engine.variable, engine.name);
  if (engine.variable === "JOB_COMPLETION_INDEX") {
    if (countFlag === undefined) {
      throw new UsageError(
        "--shard auto: a Kubernetes Indexed Job does not tell a pod how many completions it has: give --shard-count N (its completions)",
      );
    }
    return { index0: id, count: countFlag, source: "JOB_COMPLETION_INDEX" };
  }
  if (engine.variable === "SLURM_ARRAY_TASK_ID") {
    const min = integerVar(env, "SLURM_ARRAY_TASK_MIN") ?? 0;
    const step = integerVar(env, "SLURM_ARRAY_TASK_STEP") ?? 1;
    const count = integerVar(env, "SLURM_ARRAY_TASK_COUNT");
    const max = integerVar(env, "SLURM_ARRAY_TASK_MAX");
    if (step < 1 || id < min || (id - min) % step !== 0) {
      throw new UsageError(`--shard auto: SLURM_ARRAY_TASK_ID ${id} is not SLURM_ARRAY_TASK_MIN ${min} plus a multiple of the step ${step}`);
    }
    if (count !== undefined && max !== undefined && (max - min) / step + 1 !== count) {
      throw new UsageError(
        `--shard auto: the Slurm array's ids are not contiguous (${count} tasks from ${min} to ${max} in steps of ${step}); ` +
          "use --array=MIN-MAX, or give the slice as --shard i/n",
      );
    }
    return { index0: (id - min) / step, ...(count !== undefined ? { count } : {}), source: "SLURM_ARRAY_TASK_ID" };
  }
  const size = integerVar(env, "AWS_BATCH_JOB_ARRAY_SIZE");
  return { index0: id, ...(size !== undefined ? { count: size } : {}), source: "AWS_BATCH_JOB_ARRAY_INDEX" };
}

/**
 * The shard `--shard` (and `--shard-count`) ask for; undefined without --shard. `parse` reads `i/n` (the
 * sweep's own parser) and throws on anything else.
 */
export function shardFlag(
  text: string | undefined,
  countFlag: number | undefined,
  parse: (text: string) => Shard,
  env: Env = process.env,
): Shard | undefined {
  if (countFlag !== undefined && text?.trim() !== "auto") {
    throw new UsageError("--shard-count goes with --shard auto (a Kubernetes Indexed Job's completions)");
  }
  if (text === undefined) return undefined;
  if (text.trim() !== "auto") {
    try {
      return parse(text);
    } catch {
      throw new UsageError(`--shard expects i/n with 1 ≤ i ≤ n (e.g. 2/4) or auto, found ${quote(text)}`);
    }
  }
  if (countFlag !== undefined && (!Number.isSafeInteger(countFlag) || countFlag < 1 || countFlag > MAX_SHARDS)) {
    throw new UsageError(`--shard-count expects an integer from 1 to ${MAX_SHARDS}, found ${countFlag}`);
  }
  const found = fromEnvironment(env, countFlag);
  if (found.count !== undefined && countFlag !== undefined && found.count !== countFlag) {
    throw new UsageError(`--shard auto: --shard-count ${countFlag} disagrees with the array job's ${found.count} tasks`);
  }
  const count = found.count ?? countFlag;
  if (count === undefined) {
    throw new UsageError(`--shard auto: ${found.source} is set but not how many tasks the array has: give --shard-count N`);
  }
  if (count < 1 || count > MAX_SHARDS) {
    throw new UsageError(`--shard auto: the array job has ${count} tasks: expected 1 to ${MAX_SHARDS}`);
  }
  if (found.index0 >= count) {
    throw new UsageError(`--shard auto: ${found.source} gives task ${found.index0} (0-based), but the array has only ${count} tasks`);
  }
  return { index: found.index0 + 1, count };
}
