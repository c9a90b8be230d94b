// The one error type scenario loading throws: a list of issues, each naming the file, line, column and key
// path, what was expected and what was found, so the author can fix every problem in one pass.

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

/** `scenarios/x.yaml:12:7: peers[0].uplink_bps: expected ..., found "fast"`. */
export function formatIssue(issue: ScenarioIssue): string {
  const where = issue.line > 0 ? `${issue.file}:${issue.line}:${issue.column}` : issue.file;
  return issue.path === "" ? `${where}: ${issue.message}` : `${where}: ${issue.path}: ${issue.message}`;
}

export class ScenarioError extends Error {
  readonly issues: readonly ScenarioIssue[];

  constructor(issues: readonly ScenarioIssue[]) {
    if (issues.length === 0) throw new Error("ScenarioError needs at least one issue");
    super(issues.map(formatIssue).join("\n"));
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

/** A short rendering of a value found in a scenario, for messages: strings quoted, long values cut. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return value.length === 0 ? "an empty list" : `a list of ${value.length} item(s)`;
  if (typeof value === "object") {
    const keys = Object.keys(value);
    return keys.length === 0 ? "an empty mapping" : `a mapping with keys ${keys.slice(0, 6).join(", ")}`;
  }
  const text = typeof value === "string" ? JSON.stringify(value) : String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Renders a path array as the user writes it: ["peers", 0, "churn"] → `peers[0].churn`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out === "" ? String(seg) : `.${String(seg)}`;
  }
  return out;
}
