// Reads a scenario file: YAML (keeping positions) → zod → semantic checks → traces → LoadedScenario. Every
// problem, from a YAML syntax error to a malformed trace file, is reported as a ScenarioError listing all
// issues with file:line:column, key path, what was expected and what was found.

import { readFileSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import type { Trace } from "../traces/trace.ts";
import { describeValue, formatPath, ScenarioError, type ScenarioIssue } from "./errors.ts";
import { applyOverrides as applyOverridesRaw, checkSweepKeys, type OverrideValue } from "./overrides.ts";
import { type Locator, makeLocator, noLocator } from "./positions.ts";
import { asNode } from "./schema-walk.ts";
import { Scenario } from "./schema.ts";
import { checkSemantics } from "./semantic.ts";
import { strategyNames } from "./strategy-names.ts";
import { loadScenarioTraces } from "./trace-refs.ts";
import { type DraftIssue, translateIssues } from "./zod-issues.ts";

export { ScenarioError, type ScenarioIssue } from "./errors.ts";

export interface LoadedScenario {
  readonly scenario: Scenario;
  /** The file as given on the command line (relative paths stay relative). */
  readonly file: string;
  /** Folder that trace paths in the scenario are relative to. */
  readonly dir: string;
  /** Every trace the scenario names, parsed, keyed by the path as written in the scenario. */
  readonly traces: ReadonlyMap<string, Trace>;
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

/** Parses YAML text into a raw input (not yet validated). Syntax errors are ScenarioErrors. */
export function parseScenarioYaml(text: string, file: string): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ScenarioError(
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        const what = e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
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
  let input: unknown;
  try {
    input = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    // Alias bombs and similar: the document parsed but cannot be expanded.
    const what = error instanceof Error ? error.message : String(error);
    throw new ScenarioError([fileIssue(file, "valid YAML", what, `YAML error: ${what}`)]);
  }
  if (input === null || input === undefined) {
    const expected = "a scenario mapping (name, content, agent, ...)";
    throw new ScenarioError([
      fileIssue(file, expected, "an empty file", `expected ${expected}, found an empty file`),
    ]);
  }
  if (input !== null && typeof input === "object") locators.set(input, makeLocator(doc, lineCounter));
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
        ? checkSemantics(parsed.data, names)
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
  const sweepKeyIssues = checkSweepKeys(input, scenario.sweep?.params ?? {});
  drafts.push(...sweepKeyIssues);
  if (sweepKeyIssues.length === 0) drafts.push(...checkSweepValues(input, scenario, names));
  const { traces, issues } = loadScenarioTraces(scenario, dir);
  drafts.push(...issues);
  if (drafts.length > 0) throw new ScenarioError(placed(drafts, file, locate));
  return { scenario, file, dir, traces };
}

/** Parses and resolves scenario text; `dir` is the folder trace paths are relative to. */
export function parseScenarioText(text: string, file: string, dir: string): LoadedScenario {
  return resolveScenario(parseScenarioYaml(text, file), file, dir);
}

function readText(file: string): string {
  let isFile = false;
  try {
    isFile = statSync(file).isFile();
  } catch {
    throw new ScenarioError([
      fileIssue(file, "a scenario file", "no such file", "expected a scenario file, found no such file"),
    ]);
  }
  if (!isFile) {
    throw new ScenarioError([
      fileIssue(file, "a scenario file", "a folder", "expected a scenario file, found a folder"),
    ]);
  }
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ScenarioError([
      fileIssue(file, "a readable scenario file", code, `expected a readable scenario file, found ${code}`),
    ]);
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

/**
 * A copy of a raw scenario with each `key.path` (e.g. `agent.max_connections`, `peers.0.count`) set, for
 * sweeps. The copy keeps the original's line positions for error messages.
 */
export function applyOverrides(
  input: unknown,
  overrides: Readonly<Record<string, OverrideValue>>,
): Record<string, unknown> {
  const copy = applyOverridesRaw(input, overrides);
  const locate = input !== null && typeof input === "object" ? locators.get(input) : undefined;
  if (locate !== undefined) locators.set(copy, locate);
  return copy;
}
