// Turns zod's validation issues into readable scenario issues: a key path, what was expected, what was found,
// a did-you-mean for unknown keys and names, and for unions the one option the author evidently meant (the
// `dist` they chose) rather than a wall of per-option failures.

import type { z } from "zod";
import { didYouMean } from "./did-you-mean.ts";
import { describeValue, quote } from "../input/quote.ts";
import {
  allowedKeys,
  describeSchema,
  discriminator,
  kind,
  type SchemaNode,
  schemaAt,
  unwrap,
} from "./schema-walk.ts";

/** An issue before it is given a file position. */
export interface DraftIssue {
  readonly path: readonly PropertyKey[];
  readonly expected: string;
  readonly found: string;
  readonly message: string;
  /** Point at the key rather than its value (unknown keys). */
  readonly atKey?: boolean;
}

type Issue = z.core.$ZodIssue;

const MAX_UNION_DEPTH = 16;

export function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const seg of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[seg];
  }
  return value;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === "object" && !Array.isArray(x);
}

function typeName(expected: string, schema: SchemaNode | undefined): string {
  switch (expected) {
    case "number":
      return "a number";
    case "int":
      return "an integer";
    case "string":
      return "a string";
    case "boolean":
      return "true or false";
    case "array":
      return "a list";
    case "object":
    case "record":
      return schema !== undefined ? describeSchema(schema) : "a mapping";
    default:
      return `a ${expected}`;
  }
}

/** Hints for the commonest YAML number mistakes. */
function numberHint(found: unknown): string {
  if (typeof found !== "string") return "";
  if (/^[+-]?\d[\d_]*(\.\d+)?$/.test(found) && found.includes("_")) {
    return " (YAML does not allow '_' in numbers: write 20000000)";
  }
  if (/^[+-]?\d+(\.\d+)?\s*[A-Za-z/]+$/.test(found))
    return " (write a plain number; the unit is in the key's name)";
  return "";
}

function expectedMessage(expected: string, found: unknown, hint = ""): string {
  return `expected ${expected}, found ${describeValue(found)}${hint}`;
}

function bound(
  origin: string,
  limit: number | bigint,
  inclusive: boolean | undefined,
  below: boolean,
): string {
  if (origin === "array" || origin === "set") {
    return below ? `at least ${limit} item(s)` : `at most ${limit} item(s)`;
  }
  if (origin === "string") {
    if (below && Number(limit) === 1) return "a non-empty string";
    return below ? `a string of at least ${limit} characters` : `a string of at most ${limit} characters`;
  }
  const op = below ? (inclusive ? "≥" : ">") : inclusive ? "≤" : "<";
  return `a number ${op} ${limit}`;
}

/** Describes a union for a summary message; a Distribution reads "a number or a distribution (...)". */
function describeUnion(union: SchemaNode, lastKey: PropertyKey | undefined): string {
  const d = discriminator(union);
  const options = unwrap(union)._zod.def.options ?? [];
  if (d !== undefined && d.key === "dist" && options.some((o) => kind(o) === "number")) {
    const positive = typeof lastKey === "string" && /_(bps|ms|s)$/.test(lastKey) ? "positive " : "";
    return `a ${positive}number or a distribution (dist: ${[...d.values.keys()].join(", ")})`;
  }
  return describeSchema(union);
}

function rootIssues(issues: readonly Issue[]): Issue[] {
  return issues.filter((i) => i.path.length === 0);
}

/** Picks the union option the author meant, or undefined when the value fits none of their shapes. */
function chooseOption(
  union: SchemaNode,
  value: unknown,
  errors: readonly (readonly Issue[])[],
): { index: number } | { discriminatorIssue: DraftIssue } | undefined {
  const options = unwrap(union)._zod.def.options ?? [];
  if (!isPlainObject(value)) return undefined;
  const d = discriminator(union);
  if (d !== undefined) {
    const chosen = value[d.key];
    const option = typeof chosen === "string" ? d.values.get(chosen) : undefined;
    if (option === undefined) {
      const names = [...d.values.keys()];
      const guess = typeof chosen === "string" ? didYouMean(chosen, names) : undefined;
      const expected = `one of ${names.join(", ")}`;
      return {
        discriminatorIssue: {
          path: [d.key],
          expected,
          found: describeValue(chosen),
          message: expectedMessage(
            expected,
            chosen,
            guess !== undefined ? ` (did you mean "${guess}"?)` : "",
          ),
        },
      };
    }
    return { index: options.indexOf(option) };
  }
  let best: { index: number; score: [number, number] } | undefined;
  for (let i = 0; i < options.length; i++) {
    const roots = rootIssues(errors[i] ?? []);
    if (roots.some((r) => r.code === "invalid_type")) continue;
    const unknownKeys = roots.reduce((n, r) => n + (r.code === "unrecognized_keys" ? r.keys.length : 0), 0);
    const score: [number, number] = [unknownKeys, (errors[i] ?? []).length];
    if (
      best === undefined ||
      score[0] < best.score[0] ||
      (score[0] === best.score[0] && score[1] < best.score[1])
    ) {
      best = { index: i, score };
    }
  }
  return best === undefined ? undefined : { index: best.index };
}

function translate(
  issue: Issue,
  base: readonly PropertyKey[],
  baseSchema: SchemaNode,
  input: unknown,
  out: DraftIssue[],
  depth: number,
): void {
  const path = [...base, ...issue.path];
  const schema = schemaAt(baseSchema, issue.path);
  const found = valueAt(input, path);
  const push = (expected: string, message: string) =>
    out.push({
      path,
      expected,
      found: describeValue(found),
      message: found === undefined ? `${message} (this key is required)` : message,
    });
  switch (issue.code) {
    case "invalid_type": {
      const expected = typeName(issue.expected, schema);
      push(expected, expectedMessage(expected, found, numberHint(found)));
      return;
    }
    case "too_small": {
      const expected = bound(issue.origin, issue.minimum, issue.inclusive, true);
      push(expected, expectedMessage(expected, found));
      return;
    }
    case "too_big": {
      const expected = bound(issue.origin, issue.maximum, issue.inclusive, false);
      push(expected, expectedMessage(expected, found));
      return;
    }
    case "invalid_value": {
      const names = issue.values.map(String);
      const expected = names.length === 1 ? JSON.stringify(names[0]) : `one of ${names.join(", ")}`;
      const guess = typeof found === "string" ? didYouMean(found, names) : undefined;
      push(
        expected,
        expectedMessage(expected, found, guess !== undefined ? ` (did you mean "${guess}"?)` : ""),
      );
      return;
    }
    case "invalid_format": {
      const expected = issue.format === "regex" ? issue.message : `a ${issue.format} string`;
      push(expected, expectedMessage(expected, found));
      return;
    }
    case "unrecognized_keys": {
      const allowed = schema !== undefined ? allowedKeys(schema) : [];
      for (const key of issue.keys) {
        const guess = didYouMean(key, allowed);
        const hint =
          guess !== undefined ? `did you mean "${guess}"?` : `allowed keys here: ${allowed.join(", ")}`;
        out.push({
          path: [...path, key],
          expected: `one of ${allowed.join(", ")}`,
          found: quote(key),
          message: `unknown key ${quote(key)} (${hint})`,
          atKey: true,
        });
      }
      return;
    }
    case "invalid_union": {
      if (schema === undefined || kind(schema) !== "union" || depth > MAX_UNION_DEPTH) {
        push(issue.message, expectedMessage("a valid value", found));
        return;
      }
      const options = unwrap(schema)._zod.def.options ?? [];
      const choice = chooseOption(schema, found, issue.errors);
      if (choice !== undefined && "discriminatorIssue" in choice) {
        const d = choice.discriminatorIssue;
        out.push({ ...d, path: [...path, ...d.path] });
        return;
      }
      if (choice !== undefined && choice.index >= 0 && choice.index < options.length) {
        for (const inner of issue.errors[choice.index] ?? []) {
          translate(inner, path, options[choice.index], input, out, depth + 1);
        }
        return;
      }
      const expected = describeUnion(schema, path.at(-1));
      push(expected, expectedMessage(expected, found, numberHint(found)));
      return;
    }
    default: {
      push(issue.message, expectedMessage(issue.message, found));
    }
  }
}

/** Every zod issue of a failed parse, as drafts in the order zod reported them. */
export function translateIssues(issues: readonly Issue[], root: SchemaNode, input: unknown): DraftIssue[] {
  const out: DraftIssue[] = [];
  for (const issue of issues) translate(issue, [], root, input, out, 0);
  return out;
}

/** For callers holding only a name: the closest allowed value, as a hint suffix, or "". */
export function suggestion(word: string, allowed: readonly string[]): string {
  const guess = didYouMean(word, allowed);
  return guess !== undefined ? ` (did you mean "${guess}"?)` : "";
}
