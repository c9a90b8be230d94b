// The building blocks of the semantic checks (semantic.ts, swarm-semantic.ts): an issue at a path, and the
// check of a distribution's parameters against the smallest value its key allows.

import type { Distribution } from "./schema.ts";
import { describeValue } from "./errors.ts";
import type { DraftIssue } from "./zod-issues.ts";

export type Path = readonly PropertyKey[];

export function issue(path: Path, expected: string, found: unknown, hint = ""): DraftIssue {
  const shown = describeValue(found);
  return { path, expected, found: shown, message: `expected ${expected}, found ${shown}${hint}` };
}

/** How small a value of a distribution key may be. */
export type Floor = "positive" | "non-negative" | "unit";

function fits(v: number, floor: Floor): boolean {
  if (!Number.isFinite(v)) return false;
  if (floor === "positive") return v > 0;
  if (floor === "unit") return v >= 0 && v <= 1;
  return v >= 0;
}

const FLOOR_TEXT: Record<Floor, string> = {
  positive: "a number > 0",
  "non-negative": "a number ≥ 0",
  unit: "a number in [0, 1]",
};

export function checkDistribution(d: Distribution | undefined, path: Path, floor: Floor, out: DraftIssue[]): void {
  if (d === undefined) return;
  if (typeof d === "number") {
    if (!fits(d, floor)) out.push(issue(path, FLOOR_TEXT[floor], d));
    return;
  }
  switch (d.dist) {
    case "constant":
      if (!fits(d.value, floor)) out.push(issue([...path, "value"], FLOOR_TEXT[floor], d.value));
      return;
    case "uniform":
      if (!fits(d.min, floor)) out.push(issue([...path, "min"], FLOOR_TEXT[floor], d.min));
      if (d.max < d.min) out.push(issue([...path, "max"], `a number ≥ min (${d.min})`, d.max));
      else if (!fits(d.max, floor)) out.push(issue([...path, "max"], FLOOR_TEXT[floor], d.max));
      return;
    case "empirical":
      d.values.forEach((v, i) => {
        if (!fits(v, floor)) out.push(issue([...path, "values", i], FLOOR_TEXT[floor], v));
      });
      return;
    default:
      // normal, lognormal, exponential, weibull, pareto: the schema bounds their parameters; the sampler
      // clamps draws to the key's range.
      return;
  }
}
