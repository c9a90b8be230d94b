// The CI gate's baseline file (reports/baseline.json): per (scenario, strategy), the results of every seed up to
// the thresholds' max_seeds — fingerprint, the judged metrics and the cause counts — so unchanged code is
// recognised seed by seed (equal fingerprints) and changed code is compared by seed without rerunning the old
// code. Validated as a whole before any simulation (a wrong value names its place: `groups[3].metrics.
// completion_s[7]: expected a number, found null`), and written with one line per list, so a reviewer reads
// its diff by group and metric.

import { readFileSync, statSync } from "node:fs";
import { z } from "zod";
import { TOOL_NAME, TOOL_VERSION } from "../version.ts";
import {
  CHECK_CAUSE_NAMES,
  CHECK_METRIC_NAMES,
  type CheckCause,
  type CheckMetric,
  CheckInputError,
  firstIssue,
} from "./check-config.ts";

/** The format's version: a file without it (or with another) must be regenerated. */
export const BASELINE_FORMAT = 2;

const finite = z.number().refine(Number.isFinite, { message: "expected a finite number" });
const series = z.array(finite);

const BaselineGroupSchema = z.strictObject({
  scenario: z.string(),
  /** The suite file, relative to the folder `sim check` ran in, with forward slashes. */
  file: z.string(),
  strategy: z.string(),
  /** Consecutive, ascending: the scenario's seed and on. */
  seeds: z.array(z.number().int().nonnegative()),
  fingerprints: z.array(z.string()),
  metrics: z.strictObject(
    Object.fromEntries(CHECK_METRIC_NAMES.map((m) => [m, series])) as Record<CheckMetric, typeof series>,
  ),
  causes: z.strictObject(
    Object.fromEntries(CHECK_CAUSE_NAMES.map((c) => [c, series])) as Record<CheckCause, typeof series>,
  ),
});
export type BaselineGroup = z.infer<typeof BaselineGroupSchema>;

const BaselineSchema = z.strictObject({
  format: z.literal(BASELINE_FORMAT),
  tool: z.strictObject({ name: z.string(), version: z.string() }),
  max_seeds: z.number().int().positive(),
  groups: z.array(BaselineGroupSchema),
});
export type Baseline = z.infer<typeof BaselineSchema>;

/** Significant digits a metric keeps in the baseline (and current values are rounded alike before comparing). */
const DIGITS = 9;

export function roundMetric(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(DIGITS)) : x;
}

/** Checks what zod cannot: every list of a group as long as its seeds, seeds consecutive, groups unique. */
function checkShape(b: Baseline): string | null {
  const seen = new Set<string>();
  for (const [i, g] of b.groups.entries()) {
    const key = `${g.scenario}\u0000${g.strategy}`;
    if (seen.has(key)) return `groups[${i}]: ${g.scenario}/${g.strategy} appears twice`;
    seen.add(key);
    if (g.seeds.some((s, k) => k > 0 && s !== g.seeds[k - 1] + 1)) return `groups[${i}].seeds: expected consecutive seeds`;
    const n = g.seeds.length;
    if (g.fingerprints.length !== n) return `groups[${i}].fingerprints: expected ${n} values (one per seed), found ${g.fingerprints.length}`;
    for (const m of CHECK_METRIC_NAMES) {
      if (g.metrics[m].length !== n) return `groups[${i}].metrics.${m}: expected ${n} values (one per seed), found ${g.metrics[m].length}`;
    }
    for (const c of CHECK_CAUSE_NAMES) {
      if (g.causes[c].length !== n) return `groups[${i}].causes.${c}: expected ${n} values (one per seed), found ${g.causes[c].length}`;
    }
  }
  return null;
}

/** Validates parsed JSON as a baseline; `file` names it in messages. Throws CheckInputError. */
export function parseBaseline(input: unknown, file: string): Baseline {
  const regenerate = "; regenerate it with `npx sim check --update-baseline`";
  if (input !== null && typeof input === "object" && !Array.isArray(input)) {
    const o = input as Record<string, unknown>;
    if (o.format === undefined && Array.isArray(o.runs)) {
      throw new CheckInputError(`${file}: a baseline in the format of an older sim check (no per-seed groups)${regenerate}`);
    }
    if (typeof o.format === "number" && o.format !== BASELINE_FORMAT) {
      throw new CheckInputError(`${file}: baseline format ${o.format}, this sim reads format ${BASELINE_FORMAT}${regenerate}`);
    }
  }
  const r = BaselineSchema.safeParse(input);
  if (!r.success) throw new CheckInputError(`${file}: not a sim check baseline: ${firstIssue(r.error, input)}${regenerate}`);
  const problem = checkShape(r.data);
  if (problem !== null) throw new CheckInputError(`${file}: not a sim check baseline: ${problem}${regenerate}`);
  return r.data;
}

/** Reads and validates a baseline file; null when it does not exist. Throws CheckInputError for anything else. */
export function loadBaseline(file: string): Baseline | null {
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile();
  } catch {
    return null;
  }
  if (!isFile) throw new CheckInputError(`${file}: expected a baseline file, found a folder or device`);
  let input: unknown;
  try {
    input = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new CheckInputError(`${file}: not valid JSON (${(error as Error).message.split("\n")[0]})`);
  }
  return parseBaseline(input, file);
}

/** A new, empty baseline of this tool. */
export function emptyBaseline(maxSeeds: number): Baseline {
  return { format: BASELINE_FORMAT, tool: { name: TOOL_NAME, version: TOOL_VERSION }, max_seeds: maxSeeds, groups: [] };
}

/** JSON with 2-space indentation, every list of numbers or strings on one line. */
function stringify(x: unknown, indent: string): string {
  if (Array.isArray(x)) {
    if (x.every((v) => v === null || typeof v !== "object")) return `[${x.map((v) => JSON.stringify(v)).join(", ")}]`;
    const inner = `${indent}  `;
    return `[\n${x.map((v) => inner + stringify(v, inner)).join(",\n")}\n${indent}]`;
  }
  if (x !== null && typeof x === "object") {
    const inner = `${indent}  `;
    const entries = Object.entries(x).map(([k, v]) => `${inner}${JSON.stringify(k)}: ${stringify(v, inner)}`);
    return entries.length === 0 ? "{}" : `{\n${entries.join(",\n")}\n${indent}}`;
  }
  return JSON.stringify(x);
}

/** The text of a baseline file (trailing newline). */
export function baselineJson(b: Baseline): string {
  return `${stringify(b, "")}\n`;
}

/** The baseline group of (scenario, strategy), if any. */
export function findGroup(b: Baseline, scenario: string, strategy: string): BaselineGroup | undefined {
  return b.groups.find((g) => g.scenario === scenario && g.strategy === strategy);
}
