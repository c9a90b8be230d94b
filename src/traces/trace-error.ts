// The error every trace parser throws on malformed input: it names the trace and the line, and says what was
// expected and what was found, so a scenario author can fix the file without reading the parser.

export class TraceError extends Error {
  constructor(
    /** The trace's name as the scenario wrote it. */
    readonly traceName: string,
    /** 1-based line of the problem, or 0 when it is not tied to a line. */
    readonly line: number,
    detail: string,
  ) {
    super(`trace ${traceName}${line > 0 ? `, line ${line}` : ""}: ${detail}`);
    this.name = "TraceError";
  }
}

/** A short rendering of a value found in a file, for error messages. */
export function describeFound(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
