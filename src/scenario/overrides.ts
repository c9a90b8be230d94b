// Key-path overrides on a raw scenario (before validation), for sweeps: `agent.max_connections` or
// `peers.0.count` names one value. Also checks that a sweep's params name values a sweep can set.

import { didYouMean } from "./did-you-mean.ts";
import { ScenarioError } from "./errors.ts";
import { describeValue, quote } from "../input/quote.ts";
import { allowedKeys, asNode, child, isScalar, kind, type SchemaNode } from "./schema-walk.ts";
import { Scenario } from "./schema.ts";
import type { DraftIssue } from "./zod-issues.ts";

export type OverrideValue = string | number | boolean;

const MAX_SEGMENTS = 32;

/** `peers.0.count` → ["peers", 0, "count"]. */
export function parseKeyPath(keyPath: string): (string | number)[] {
  const segs = keyPath.split(".");
  if (segs.length > MAX_SEGMENTS) throw new RangeError(`key path of ${segs.length} parts (at most ${MAX_SEGMENTS})`);
  return segs.map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/**
 * Why `keyPath` cannot be swept on `input`, or null when it can: it must follow the schema to a number,
 * string, boolean or enum, and every list index in it must exist in the input.
 */
export function keyPathProblem(input: unknown, keyPath: string): { expected: string; found: string } | null {
  if (keyPath.split(".", MAX_SEGMENTS + 1).length > MAX_SEGMENTS) {
    return { expected: `a key path of at most ${MAX_SEGMENTS} parts`, found: quote(keyPath) };
  }
  const segs = parseKeyPath(keyPath);
  let node: SchemaNode = asNode(Scenario);
  let value: unknown = input;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i];
    const here = segs.slice(0, i).join(".");
    const next = child(node, seg);
    if (next === undefined || segs[i] === "") {
      const allowed = allowedKeys(node);
      if (typeof seg === "number" || kind(node) === "array") {
        return {
          expected: `${here === "" ? "a key" : `a list index after ${here}`}`,
          found: quote(String(seg)),
        };
      }
      const guess = didYouMean(String(seg), allowed);
      const at = here === "" ? "" : ` under ${here}`;
      return {
        expected: `a known key${at}${guess !== undefined ? ` (did you mean ${quote([...segs.slice(0, i), guess].join("."), 80)}?)` : allowed.length > 0 ? ` (one of ${allowed.join(", ")})` : ""}`,
        found: quote(String(seg)),
      };
    }
    if (typeof seg === "number") {
      const length = Array.isArray(value) ? value.length : 0;
      if (seg >= length)
        return { expected: `an index below ${length} (${here} has ${length} item(s))`, found: String(seg) };
    }
    value =
      value !== null && typeof value === "object" ? (value as Record<PropertyKey, unknown>)[seg] : undefined;
    node = next;
  }
  if (!isScalar(node))
    return {
      expected: "a key holding a number, string or true/false",
      found: kind(node) === "array" ? "a list" : "a mapping",
    };
  return null;
}

/**
 * A deep copy of `input` with each `key.path` set to its value. Missing mappings along the way are created
 * (so `network.model` works when the scenario has no `network:`); a missing list item is an error.
 */
export function applyOverrides(
  input: unknown,
  overrides: Readonly<Record<string, OverrideValue>>,
  file = "<overrides>",
): Record<string, unknown> {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    throw new ScenarioError([
      {
        file,
        line: 0,
        column: 0,
        path: "",
        expected: "a mapping",
        found: describeValue(input),
        message: `expected a scenario mapping, found ${describeValue(input)}`,
      },
    ]);
  }
  const copy = structuredClone(input) as Record<string, unknown>;
  for (const [keyPath, value] of Object.entries(overrides)) {
    const problem = keyPathProblem(input, keyPath);
    if (problem !== null) {
      throw new ScenarioError([
        {
          file,
          line: 0,
          column: 0,
          path: keyPath,
          ...problem,
          message: `expected ${problem.expected}, found ${problem.found}`,
        },
      ]);
    }
    const segs = parseKeyPath(keyPath);
    let target = copy as Record<PropertyKey, unknown>;
    for (const seg of segs.slice(0, -1)) {
      let next = target[seg];
      if (next === undefined || next === null) target[seg] = next = {};
      target = next as Record<PropertyKey, unknown>;
    }
    target[segs[segs.length - 1]] = value;
  }
  return copy;
}

/** Problems with `sweep.params` keys: each must be a key path a sweep can set. */
export function checkSweepKeys(input: unknown, params: Readonly<Record<string, unknown>>): DraftIssue[] {
  const out: DraftIssue[] = [];
  for (const keyPath of Object.keys(params)) {
    const problem = keyPathProblem(input, keyPath);
    if (problem !== null) {
      out.push({
        path: ["sweep", "params", keyPath],
        ...problem,
        message: `expected ${problem.expected}, found ${problem.found}`,
        atKey: true,
      });
    }
  }
  return out;
}
