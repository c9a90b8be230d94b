// A user's own strategies, from a TypeScript or JavaScript file (`--strategy-module FILE`, or
// loadStrategyModule(file) from code): the file's StrategyEntry objects join the built-in registry for one
// command, so a team's strategy is run, swept and gated exactly like a shipped one.
//
// What the file exports: a default export that is a StrategyEntry ({ name, description, create }) or an array of
// them, and/or named exports that are StrategyEntry objects (any other named export, such as a helper class, is
// ignored). TypeScript files (.ts, .mts, .cts) load through tsx, JavaScript files (.js, .mjs, .cjs) through
// Node's import. Every problem (no such file, an unknown extension, an import that throws, nothing exported, a
// malformed entry, a name that is not a plain word or that a built-in strategy already has) is a
// StrategyModuleError: bad input, reported with the file and what was expected.

import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { STRATEGIES } from "../agent/strategies/registry.ts";
import type { Strategy, StrategyEntry, StrategyEnv } from "../agent/strategy.ts";
import type { StrategyModuleInfo } from "../report/provenance.ts";

/** A strategy module's file, its content hash and the entries it exports (in export order). */
export interface StrategyModule {
  /** The path as given. */
  readonly file: string;
  /** sha256 of the file's bytes (hex): what summary.json records and sweep run keys include. */
  readonly sha256: string;
  readonly entries: readonly StrategyEntry[];
}

/** What summary.json records of a strategy module. */
export type { StrategyModuleInfo } from "../report/provenance.ts";

export class StrategyModuleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StrategyModuleError";
  }
}

/** Names usable in --strategy lists, YAML and folder names. */
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
/** Most entries one module may export. */
const MAX_ENTRIES = 64;
const TS_EXTENSIONS = new Set([".ts", ".mts", ".cts"]);
const JS_EXTENSIONS = new Set([".js", ".mjs", ".cjs"]);

/** A short, escaped excerpt of text that came from the user's code (control characters shown as \uXXXX). */
function excerpt(text: string, max = 160): string {
  const line = text.split("\n")[0] ?? "";
  const cut = line.length > max ? `${line.slice(0, max)}…` : line;
  // eslint-disable-next-line no-control-regex -- control characters are what this escapes
  return cut.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function messageOf(error: unknown): string {
  try {
    return error instanceof Error ? String(error.message) : String(error);
  } catch {
    return "(an error whose message cannot be read)";
  }
}

/** True for a value shaped like a StrategyEntry (a `name` string and a `create` function). */
function looksLikeEntry(x: unknown): x is StrategyEntry {
  return (
    typeof x === "object" &&
    x !== null &&
    typeof (x as { name?: unknown }).name === "string" &&
    typeof (x as { create?: unknown }).create === "function"
  );
}

/** Checks one entry; `source` starts every message ("--strategy-module FILE", or "strategies" for objects from code). */
function checkEntry(source: string, where: string, x: unknown): StrategyEntry {
  if (!looksLikeEntry(x)) {
    throw new StrategyModuleError(`${source}: ${where} is not a StrategyEntry: expected an object { name, description, create }`);
  }
  if (!NAME.test(x.name)) {
    throw new StrategyModuleError(
      `${source}: ${where} has name "${excerpt(x.name, 40)}": expected 1-64 letters, digits, '.', '_' or '-'`,
    );
  }
  if (typeof x.description !== "string") {
    throw new StrategyModuleError(`${source}: strategy "${x.name}" (${where}) has no description string`);
  }
  return x;
}

/** Refuses a name a built-in strategy (or one of `taken`) already has, and a name given twice. */
function checkNames(source: string, found: readonly StrategyEntry[], taken: readonly string[] = []): void {
  const builtIn = new Set(STRATEGIES.map((s) => s.name));
  const seen = new Set<string>(taken);
  for (const e of found) {
    if (builtIn.has(e.name)) {
      throw new StrategyModuleError(`${source}: strategy "${e.name}" has the name of a built-in strategy; give it another name`);
    }
    if (seen.has(e.name)) throw new StrategyModuleError(`${source}: two strategies are named "${e.name}"`);
    seen.add(e.name);
  }
}

/**
 * Strategies given as objects from code (the `strategies` of runExperiment and runSweep, `extraStrategies`):
 * each object once, checked as a module's entries are (a malformed entry, a built-in strategy's name, a name
 * given twice or also in `taken` is a StrategyModuleError).
 */
export function codeEntries(entries: readonly unknown[], taken: readonly string[] = []): StrategyEntry[] {
  if (entries.length > MAX_ENTRIES) throw new StrategyModuleError(`strategies: ${entries.length} strategy objects, at most ${MAX_ENTRIES}`);
  const found: StrategyEntry[] = [];
  entries.forEach((x, i) => {
    const e = checkEntry("strategies", `strategy object [${i}]`, x);
    if (!found.includes(e)) found.push(e);
  });
  checkNames("strategies", found, taken);
  return found;
}

/**
 * Splits a list of strategies given by name or as objects into the names to run (in order, each once) and the
 * objects among them, checked by codeEntries with `extra` (further objects runnable by name).
 */
export function strategyList(
  list: readonly (string | StrategyEntry)[],
  extra: readonly StrategyEntry[] = [],
  taken: readonly string[] = [],
): { names: string[]; entries: StrategyEntry[] } {
  const entries = codeEntries([...list.filter((s) => typeof s !== "string"), ...extra], taken);
  const names = [...new Set(list.map((s) => (typeof s === "string" ? s : s.name)))];
  return { names, entries };
}

/** The entries a module namespace exports (default first, then named exports in order), each object once. */
export function entriesOf(file: string, namespace: Readonly<Record<string, unknown>>): StrategyEntry[] {
  const found: StrategyEntry[] = [];
  const add = (e: StrategyEntry) => {
    if (!found.includes(e)) found.push(e);
  };
  const def = namespace.default;
  if (def !== undefined) {
    if (Array.isArray(def)) def.forEach((x, i) => add(checkEntry(`--strategy-module ${file}`, `default export [${i}]`, x)));
    else add(checkEntry(`--strategy-module ${file}`, "the default export", def));
  }
  for (const [key, value] of Object.entries(namespace)) {
    if (key === "default" || !looksLikeEntry(value)) continue;
    add(checkEntry(`--strategy-module ${file}`, `export ${key}`, value));
  }
  if (found.length === 0) {
    throw new StrategyModuleError(
      `--strategy-module ${file}: exports no StrategyEntry: expected a default export (an entry or an array of ` +
        "entries) or named exports of { name, description, create }",
    );
  }
  if (found.length > MAX_ENTRIES) {
    throw new StrategyModuleError(`--strategy-module ${file}: exports ${found.length} strategies, at most ${MAX_ENTRIES}`);
  }
  checkNames(`--strategy-module ${file}`, found);
  return found;
}

/** Imports the file (TypeScript through tsx) and returns its StrategyEntry objects. */
export async function loadStrategyModule(file: string): Promise<StrategyModule> {
  let isFile = false;
  try {
    isFile = statSync(file).isFile();
  } catch {
    throw new StrategyModuleError(`--strategy-module ${file}: no such file`);
  }
  if (!isFile) throw new StrategyModuleError(`--strategy-module ${file}: expected a file, found a folder or device`);
  const ext = extname(file).toLowerCase();
  if (!TS_EXTENSIONS.has(ext) && !JS_EXTENSIONS.has(ext)) {
    throw new StrategyModuleError(
      `--strategy-module ${file}: expected a TypeScript (.ts, .mts, .cts) or JavaScript (.js, .mjs, .cjs) file`,
    );
  }
  const bytes = readFileSync(file);
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const url = pathToFileURL(resolve(file)).href;
  let namespace: Record<string, unknown>;
  try {
    if (TS_EXTENSIONS.has(ext)) {
      const { tsImport } = await import("tsx/esm/api");
      namespace = (await tsImport(url, import.meta.url)) as Record<string, unknown>;
    } else {
      namespace = (await import(url)) as Record<string, unknown>;
    }
  } catch (error) {
    throw new StrategyModuleError(`--strategy-module ${file}: could not load it: ${excerpt(messageOf(error))}`);
  }
  return { file, sha256, entries: entriesOf(file, namespace) };
}

/** What summary.json records of a module. */
export function moduleInfo(m: StrategyModule): StrategyModuleInfo {
  return { file: m.file.split("\\").join("/"), sha256: m.sha256, strategies: m.entries.map((e) => e.name) };
}

/** The built-in strategies followed by the given extra ones. */
export function allStrategies(extra: readonly StrategyEntry[] = []): StrategyEntry[] {
  return [...STRATEGIES, ...extra];
}

/** Builds a strategy by name from the built-in registry and the extra entries, with what the host offers. */
export function strategyFactory(extra: readonly StrategyEntry[] = []): (name: string, env?: StrategyEnv) => Strategy {
  const entries = allStrategies(extra);
  return (name, env = {}) => {
    const entry = entries.find((e) => e.name === name);
    if (entry === undefined) {
      throw new Error(`unknown strategy "${name}"; valid strategies: ${entries.map((e) => e.name).join(", ")}`);
    }
    return entry.create(env);
  };
}
