// The one error type scenario loading throws: a list of issues, each naming the file, line, column and key
// path, what was expected and what was found, so the author can fix every problem in one pass.

import { escapeControls, excerpt, showKey } from "../input/quote.ts";

export { describeValue } from "../input/quote.ts";

export interface ScenarioIssue {
  readonly file: string;
  /** 1-based; 0 when the scenario did not come from a file with positions (a programmatic scenario). */
  readonly line: number;
  /** 1-based; 0 when unknown. */
  readonly column: number;
  /** Key path as the user writes it: `peers[0].churn.preset`; "" for the whole scenario. */
  readonly path: string;
  readonly expected: string;
  readonly found: string;
  /** The text printed after the key path: usually `expected ..., found ...`, plus a hint. */
  readonly message: string;
}

/** Longest file name or key path an issue shows (both may come from the user). */
const SHOWN_PATH_CHARS = 200;

/**
 * `scenarios/x.yaml:12:7: peers[0].uplink_bps: expected ..., found "fast"`. The file and the key path are
 * escaped and cut here (messages quote their values with quote()), so an issue never prints control
 * characters raw.
 */
export function formatIssue(issue: ScenarioIssue): string {
  const file = excerpt(issue.file, SHOWN_PATH_CHARS);
  const where = issue.line > 0 ? `${file}:${issue.line}:${issue.column}` : file;
  const message = escapeControls(issue.message);
  if (issue.path === "") return `${where}: ${message}`;
  return `${where}: ${excerpt(issue.path, SHOWN_PATH_CHARS)}: ${message}`;
}

/** Most issues a ScenarioError's message lists (all of them stay in `issues`). */
export const MAX_SHOWN_ISSUES = 50;

export class ScenarioError extends Error {
  readonly issues: readonly ScenarioIssue[];

  constructor(issues: readonly ScenarioIssue[]) {
    if (issues.length === 0) throw new Error("ScenarioError needs at least one issue");
    const shown = issues.slice(0, MAX_SHOWN_ISSUES).map(formatIssue);
    if (issues.length > MAX_SHOWN_ISSUES) shown.push(`... and ${issues.length - MAX_SHOWN_ISSUES} more problem(s)`);
    super(shown.join("\n"));
    this.name = "ScenarioError";
    this.issues = issues;
  }

  /** The first issue's file, line, column and path (the one an editor jumps to). */
  get file(): string {
    return this.issues[0].file;
  }
  get line(): number {
    return this.issues[0].line;
  }
  get column(): number {
    return this.issues[0].column;
  }
  get path(): string {
    return this.issues[0].path;
  }
  get expected(): string {
    return this.issues[0].expected;
  }
  get found(): string {
    return this.issues[0].found;
  }
}

/**
 * Renders a path array as the user writes it: ["peers", 0, "churn"] → `peers[0].churn`; a key that is not a
 * plain word is quoted and cut (`sweep.params."a\u001b..."`).
 */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else {
      const key = showKey(String(seg));
      out += out === "" ? key : `.${key}`;
    }
  }
  return out;
}
