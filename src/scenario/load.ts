// Reads a scenario file: YAML (keeping positions) → zod → semantic checks → traces → LoadedScenario. Every
// problem, from a YAML syntax error to a malformed trace file, is reported as a ScenarioError listing all
// issues with file:line:column, key path, what was expected and what was found.

import { dirname } from "node:path";
import { type Document, isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import type { Trace } from "../traces/trace.ts";
import { formatPath, ScenarioError, type ScenarioIssue } from "./errors.ts";
import { MAX_SCENARIO_BYTES } from "../input/limit-values.ts";
import { applyOverrides as applyOverridesRaw, checkSweepKeys, type OverrideValue } from "./overrides.ts";
import { type Locator, makeLocator, noLocator, type Position } from "./positions.ts";
import { describeValue, excerpt, quote } from "../input/quote.ts";
import { InputFileError, readInputFile } from "../input/read-input.ts";
import { asNode } from "./schema-walk.ts";
import { Scenario } from "./schema.ts";
import { checkHorizon, checkLimits } from "./limits.ts";
import { checkMagnitudes, clampNotes } from "./magnitudes.ts";
import { checkSemantics } from "./semantic.ts";
import { strategyNames } from "./strategy-names.ts";
import { loadScenarioTraces } from "./trace-refs.ts";
import { yamlShapeProblem } from "./yaml-shape.ts";
import { type DraftIssue, translateIssues } from "./zod-issues.ts";

export { formatIssue, ScenarioError, type ScenarioIssue } from "./errors.ts";

export interface LoadedScenario {
  readonly scenario: Scenario;
  /** The file as given on the command line (relative paths stay relative). */
  readonly file: string;
  /** Folder that trace paths in the scenario are relative to. */
  readonly dir: string;
  /** Every trace the scenario names, parsed, keyed by the path as written in the scenario. */
  readonly traces: ReadonlyMap<string, Trace>;
  /** Not errors: where the simulator will clamp draws (src/scenario/magnitudes.ts), for `sim validate`. */
  readonly notes?: readonly ScenarioIssue[];
}

/** Positions of the raw inputs this module parsed, so later resolution still points at lines. */
const locators = new WeakMap<object, Locator>();

const MAX_ALIAS_COUNT = 1000;

function fileIssue(file: string, expected: string, found: string, message: string): ScenarioIssue {
  return { file, line: 0, column: 0, path: "", expected, found, message };
}

function placed(drafts: readonly DraftIssue[], file: string, locate: Locator): ScenarioIssue[] {
  const issues = drafts.map((d) => ({
    file,
    ...locate(d.path, { key: d.atKey === true }),
    path: formatPath(d.path),
    expected: d.expected,
    found: d.found,
    message: d.message,
  }));
  // Stable sort: file order, then zod's order within a line.
  return issues.sort((a, b) => a.line - b.line || a.column - b.column);
}

/** Longest text of a YAML library message an issue shows. */
const SHOWN_YAML_MESSAGE_CHARS = 200;

/**
 * Issues for keys given twice in one mapping, found in one linear pass (the YAML library's own check compares
 * every pair of keys: seconds for a few thousand). Keys are compared as the object keys they become, so `1`
 * and `"1"` clash too.
 */
function duplicateKeyIssues(doc: Document, lineCounter: LineCounter, file: string): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  const stack: unknown[] = [doc.contents];
  // Every node is pushed once (aliases are not followed): the loop is bounded by the document's size.
  while (stack.length > 0) {
    const node = stack.pop();
    if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    } else if (isMap(node)) {
      const seen = new Map<string, number>();
      for (const pair of node.items) {
        stack.push(pair.key, pair.value);
        if (!isScalar(pair.key)) continue;
        const key = String(pair.key.value);
        const offset = pair.key.range?.[0] ?? 0;
        const first = seen.get(key);
        if (first === undefined) {
          seen.set(key, offset);
          continue;
        }
        const at = lineCounter.linePos(offset);
        const firstLine = lineCounter.linePos(first).line;
        issues.push({
          file,
          line: at.line,
          column: at.col,
          path: "",
          expected: "each key once in a mapping",
          found: `${quote(key)} again`,
          message: `YAML syntax error: Map keys must be unique: ${quote(key)} is also at line ${firstLine}`,
        });
      }
    }
  }
  return issues.sort((a, b) => a.line - b.line || a.column - b.column);
}

/**
 * Parses YAML text into a raw input (not yet validated). Syntax errors are ScenarioErrors. The text's size,
 * nesting depth and mapping widths are checked first, so the YAML library never sees a hostile shape.
 */
export function parseScenarioYaml(text: string, file: string): unknown {
  if (text.length > MAX_SCENARIO_BYTES) {
    const found = `${text.length} characters`;
    throw new ScenarioError([
      fileIssue(file, `at most ${MAX_SCENARIO_BYTES} characters`, found, `expected a scenario of at most ${MAX_SCENARIO_BYTES} characters, found ${found}`),
    ]);
  }
  const shape = yamlShapeProblem(text);
  if (shape !== null) {
    throw new ScenarioError([
      {
        file,
        line: shape.line,
        column: shape.column,
        path: "",
        expected: shape.expected,
        found: shape.found,
        message: `expected ${shape.expected}, found ${shape.found}`,
      },
    ]);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: false });
  if (doc.errors.length > 0) {
    throw new ScenarioError(
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        const what = excerpt(
          e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, ""),
          SHOWN_YAML_MESSAGE_CHARS,
        );
        return {
          file,
          line: pos?.line ?? 0,
          column: pos?.col ?? 0,
          path: "",
          expected: "valid YAML",
          found: e.code,
          message: `YAML syntax error: ${what}`,
        };
      }),
    );
  }
  const duplicates = duplicateKeyIssues(doc, lineCounter, file);
  if (duplicates.length > 0) throw new ScenarioError(duplicates);
  let input: unknown;
  try {
    input = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    // Alias bombs and similar: the document parsed but cannot be expanded.
    const what = excerpt(error instanceof Error ? error.message : String(error), SHOWN_YAML_MESSAGE_CHARS);
    throw new ScenarioError([fileIssue(file, "valid YAML", what, `YAML error: ${what}`)]);
  }
  if (input === null || input === undefined) {
    const expected = "a scenario mapping (name, content, agent, ...)";
    throw new ScenarioError([
      fileIssue(file, expected, "an empty file", `expected ${expected}, found an empty file`),
    ]);
  }
  if (typeof input !== "object") {
    // A file that is not YAML at all (a key, a password file) reads as one long string: name its kind only.
    const expected = "a scenario mapping (name, content, agent, ...)";
    const found = typeof input === "string" ? "text" : `a ${typeof input}`;
    throw new ScenarioError([fileIssue(file, expected, found, `expected ${expected}, found ${found}`)]);
  }
  locators.set(input, makeLocator(doc, lineCounter));
  return input;
}

/** Problems with the values a sweep would set: each must still give a valid scenario. */
function checkSweepValues(input: unknown, s: Scenario, names: readonly string[]): DraftIssue[] {
  const out: DraftIssue[] = [];
  for (const [keyPath, values] of Object.entries(s.sweep?.params ?? {})) {
    values.forEach((value, i) => {
      const changed = applyOverridesRaw(input, { [keyPath]: value });
      const parsed = Scenario.safeParse(changed);
      const problems = parsed.success
        ? [...checkSemantics(parsed.data, names), ...checkMagnitudes(parsed.data), ...checkLimits(parsed.data)]
        : translateIssues(parsed.error.issues, asNode(Scenario), changed);
      if (problems.length === 0) return;
      const p = problems[0];
      out.push({
        path: ["sweep", "params", keyPath, i],
        expected: `a value that keeps the scenario valid`,
        found: describeValue(value),
        message: `value ${describeValue(value)} makes ${formatPath(p.path) || "the scenario"} invalid: ${p.message}`,
      });
    });
  }
  return out;
}

export interface ResolveOptions {
  /** Strategy names the scenario may list; default: the built-in registry's (a --strategy-module adds its own). */
  readonly strategyNames?: readonly string[];
}

/**
 * Validates a raw scenario (as parsed from YAML or built in code), loads its traces relative to `dir`, and
 * returns it with every default filled in. Throws a ScenarioError listing every problem.
 */
export function resolveScenario(input: unknown, file: string, dir: string, opts: ResolveOptions = {}): LoadedScenario {
  const locate = (input !== null && typeof input === "object" ? locators.get(input) : undefined) ?? noLocator;
  const parsed = Scenario.safeParse(input);
  if (!parsed.success) {
    throw new ScenarioError(
      placed(translateIssues(parsed.error.issues, asNode(Scenario), input), file, locate),
    );
  }
  const scenario = parsed.data;
  const names = opts.strategyNames ?? strategyNames();
  const drafts = checkSemantics(scenario, names);
  drafts.push(...checkMagnitudes(scenario));
  const limitIssues = checkLimits(scenario);
  drafts.push(...limitIssues);
  const sweepKeyIssues = checkSweepKeys(input, scenario.sweep?.params ?? {});
  drafts.push(...sweepKeyIssues);
  // Each swept value is a full re-validation: only for a sweep within its limits.
  if (sweepKeyIssues.length === 0 && limitIssues.length === 0) {
    drafts.push(...checkSweepValues(input, scenario, names));
  }
  const { traces, issues } = loadScenarioTraces(scenario, dir);
  drafts.push(...issues);
  if (drafts.length === 0) drafts.push(...checkHorizon(scenario));
  if (drafts.length > 0) throw new ScenarioError(placed(drafts, file, locate));
  return { scenario, file, dir, traces, notes: placed(clampNotes(scenario), file, locate) };
}

/** Parses and resolves scenario text; `dir` is the folder trace paths are relative to. */
export function parseScenarioText(text: string, file: string, dir: string): LoadedScenario {
  return resolveScenario(parseScenarioYaml(text, file), file, dir);
}

function readText(file: string): string {
  try {
    return readInputFile(file, MAX_SCENARIO_BYTES);
  } catch (error) {
    if (!(error instanceof InputFileError)) throw error;
    const expected = "a scenario file";
    throw new ScenarioError([fileIssue(file, expected, error.found, `expected ${expected}, found ${error.found}`)]);
  }
}

/** Reads a scenario file's raw input (before validation) and the folder its trace paths are relative to. */
export function readScenarioInput(file: string): { input: unknown; dir: string } {
  return { input: parseScenarioYaml(readText(file), file), dir: dirname(file) };
}

export function loadScenario(file: string, opts: ResolveOptions = {}): LoadedScenario {
  const { input, dir } = readScenarioInput(file);
  return resolveScenario(input, file, dir, opts);
}

/** Where a key path of a raw scenario this module parsed is written (line 0 when unknown). */
export function positionIn(input: unknown, path: readonly PropertyKey[]): Position {
  const locate = input !== null && typeof input === "object" ? locators.get(input) : undefined;
  return (locate ?? noLocator)(path);
}

/**
 * A copy of a raw scenario with each `key.path` (e.g. `agent.max_connections`, `peers.0.count`) set, for
 * sweeps. The copy keeps the original's line positions for error messages, except under a key path it set:
 * a problem there is blamed on `origin(keyPath)` when given (`--param agent.max_connections=0`, or where the
 * values were written), not on the line that held the original value.
 */
export function applyOverrides(
  input: unknown,
  overrides: Readonly<Record<string, OverrideValue>>,
  origin?: (keyPath: string) => Position,
): Record<string, unknown> {
  const copy = applyOverridesRaw(input, overrides);
  const locate = input !== null && typeof input === "object" ? locators.get(input) : undefined;
  if (origin !== undefined) {
    const set = Object.keys(overrides).map((k) => [k, k.split(".")] as const);
    const under = (path: readonly PropertyKey[], segs: readonly string[]) =>
      segs.length <= path.length && segs.every((seg, i) => seg === String(path[i]));
    locators.set(copy, (path, opts) => {
      const hit = set.find(([, segs]) => under(path, segs));
      return hit !== undefined ? origin(hit[0]) : (locate ?? noLocator)(path, opts);
    });
  } else if (locate !== undefined) {
    locators.set(copy, locate);
  }
  return copy;
}
