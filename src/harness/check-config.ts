// The CI gate's settings (scenarios/ci/thresholds.yaml): which metrics it judges and how much each may rise, the
// overall confidence of every verdict, and the sequential plan (seeds are added in looks of min_seeds, doubling,
// up to max_seeds, until every metric's verdict is decided). Also the metrics and cause counts the gate reads
// from a run, by their runs.csv names, from the metric registry (src/metrics/registry.ts).

import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { assert } from "../assert.ts";
import { GATE_CAUSES, GATE_METRICS, metricSpec } from "../metrics/registry.ts";
import type { RunMetrics } from "../sim/metrics/records.ts";

/** A metric the gate can judge (GATE_METRICS of src/metrics/registry.ts), as named in runs.csv. */
export type CheckMetric = (typeof GATE_METRICS)[number];
export const CHECK_METRIC_NAMES: readonly CheckMetric[] = GATE_METRICS;

/** How the gate reads a metric from a run: the RunMetrics field, and the value stored when it does not apply. */
export interface CheckMetricSpec {
  readonly field: keyof RunMetrics;
  /**
   * Compares only strategies that keep the block rule (one block at a time: a pipelining strategy's blocks
   * overlap), so the gate judges it only for those.
   */
  readonly perBlock: boolean;
  /**
   * A metric whose every value is `absent` does not apply to the scenario and is not judged; a value that is not
   * a finite number is stored as `absent` (no player: no start-up delay; an unknown throughput bound).
   */
  readonly absent?: number;
}

/** The metrics the gate can judge, from the registry. The gate judges a rise: each must be better lower. */
export const CHECK_METRICS: Readonly<Record<CheckMetric, CheckMetricSpec>> = Object.fromEntries(
  GATE_METRICS.map((name) => {
    const spec = metricSpec(name);
    assert(spec.better === "lower", "the gate judges a rise of {0}, which is not better lower", name);
    const entry: CheckMetricSpec = { field: spec.field, perBlock: spec.validFor === "block-rule" };
    return [name, spec.absent === undefined ? entry : { ...entry, absent: spec.absent }];
  }),
) as Record<CheckMetric, CheckMetricSpec>;

/** Counts that explain a change (shown for the worst seed), as named in runs.csv, and their RunMetrics field. */
export type CheckCause = (typeof GATE_CAUSES)[number];
export const CHECK_CAUSE_NAMES: readonly CheckCause[] = GATE_CAUSES;
export const CHECK_CAUSES: Readonly<Record<CheckCause, keyof RunMetrics>> = Object.fromEntries(
  GATE_CAUSES.map((name) => [name, metricSpec(name).field]),
) as Record<CheckCause, keyof RunMetrics>;

const Threshold = z
  .strictObject({
    /** Relative to the baseline mean, in %. */
    max_increase_pct: z.number().nonnegative().optional(),
    /** In the metric's own unit. */
    max_increase_abs: z.number().nonnegative().optional(),
  })
  .refine((t) => (t.max_increase_pct ?? 0) > 0 || (t.max_increase_abs ?? 0) > 0, {
    message: "set max_increase_pct or max_increase_abs above 0",
  });
export type Threshold = z.infer<typeof Threshold>;

/** Most seeds per group the gate accepts (the baseline holds this many per group). */
export const MAX_SEEDS_LIMIT = 1000;

export const CheckConfig = z
  .strictObject({
    /** Overall confidence of each metric's verdict, over every look (each look uses (1 − confidence) / looks). */
    confidence: z.number().gt(0.5).lt(1).default(0.95),
    /** Seeds of the first look; each further look doubles them, up to max_seeds. */
    min_seeds: z.number().int().min(3).default(6),
    /** The cap: at most this many seeds per (scenario, strategy), and the seeds the baseline keeps per group. */
    max_seeds: z.number().int().min(3).max(MAX_SEEDS_LIMIT).default(48),
    metrics: z.partialRecord(z.enum(CHECK_METRIC_NAMES as [CheckMetric, ...CheckMetric[]]), Threshold),
  })
  .refine((c) => c.max_seeds >= c.min_seeds, { message: "max_seeds must be at least min_seeds", path: ["max_seeds"] })
  .refine((c) => Object.keys(c.metrics).length > 0, { message: "name at least one metric", path: ["metrics"] });
export type CheckConfig = z.infer<typeof CheckConfig>;

/** The built-in settings (used when the default thresholds file is absent); scenarios/ci/thresholds.yaml says why. */
export const DEFAULT_CONFIG: CheckConfig = {
  confidence: 0.95,
  min_seeds: 6,
  max_seeds: 48,
  metrics: {
    completion_s: { max_increase_pct: 2 },
    throughput_bound_ratio: { max_increase_pct: 2 },
    startup_delay_s: { max_increase_pct: 2, max_increase_abs: 0.01 },
    stall_count: { max_increase_abs: 0.05 },
    stall_s: { max_increase_pct: 2, max_increase_abs: 0.01 },
    redundant_bytes: { max_increase_pct: 4, max_increase_abs: 16384 },
    origin_bytes: { max_increase_pct: 4, max_increase_abs: 16384 },
    mean_block_s: { max_increase_pct: 2 },
    p95_block_s: { max_increase_pct: 2 },
    t_star_ratio: { max_increase_pct: 2 },
  },
};

/** Bad input to the gate (thresholds file, baseline, suite): the CLI exits 2 with the message. */
export class CheckInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CheckInputError";
  }
}

/** `a.b[3].c` for a zod path. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const k of path) out += typeof k === "number" ? `[${k}]` : `${out === "" ? "" : "."}${String(k)}`;
  return out === "" ? "(top)" : out;
}

/** A short description of a value for an error message (strings as a short escaped excerpt). */
export function describeFound(x: unknown): string {
  if (x === null) return "null";
  if (x === undefined) return "nothing";
  if (typeof x === "string") {
    const cut = x.length > 40 ? `${x.slice(0, 40)}…` : x;
    return `the string ${JSON.stringify(cut)}`;
  }
  if (Array.isArray(x)) return "a list";
  if (typeof x === "object") return "a mapping";
  return `${typeof x} ${String(x)}`;
}

/** The value at a zod issue's path in the input. */
export function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let x = input;
  for (const k of path) {
    if (x === null || typeof x !== "object") return undefined;
    x = (x as Record<PropertyKey, unknown>)[k];
  }
  return x;
}

/** The first problem of a failed zod parse as "path: what was expected, found what". */
export function firstIssue(error: z.ZodError, input: unknown): string {
  const i = error.issues[0];
  const where = formatIssuePath(i.path);
  const names: Readonly<Record<string, string>> = { number: "a number", string: "a string", array: "a list", object: "a mapping", boolean: "true or false" };
  if (i.code === "invalid_type") return `${where}: expected ${names[i.expected] ?? i.expected}, found ${describeFound(valueAt(input, i.path))}`;
  return `${where}: ${i.message}`;
}

export function loadCheckConfig(file: string): CheckConfig {
  let input: unknown;
  try {
    input = parseYaml(readFileSync(file, "utf8"));
  } catch (error) {
    throw new CheckInputError(`${file}: not readable YAML (${(error as Error).message.split("\n")[0]})`);
  }
  const r = CheckConfig.safeParse(input);
  if (!r.success) throw new CheckInputError(`${file}: ${firstIssue(r.error, input)}`);
  return r.data;
}

/** Seeds per group at each look: min_seeds, doubling, then max_seeds. */
export function looks(config: Pick<CheckConfig, "min_seeds" | "max_seeds">): number[] {
  const out: number[] = [];
  for (let n = config.min_seeds; n < config.max_seeds; n *= 2) out.push(n);
  out.push(config.max_seeds);
  return out;
}

/** The one-sided error rate of each look's bounds: (1 − confidence) split evenly over the looks (Bonferroni). */
export function alphaPerLook(config: CheckConfig): number {
  return (1 - config.confidence) / looks(config).length;
}
