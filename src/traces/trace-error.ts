// The error every trace parser throws on malformed input: it names the trace and the line, and says what was
// expected and what was found, so a scenario author can fix the file without reading the parser. What it
// quotes of the file is a short escaped excerpt (src/scenario/quote.ts), never a whole line.

import { describeValue, excerpt, quote } from "../input/quote.ts";

/** Longest trace name (a path from the scenario) a message shows. */
const SHOWN_NAME_CHARS = 200;

/**
 * Longest excerpt of a trace file's content a message shows: enough to recognise a comma or a unit stuck to a
 * number, too little to carry a secret from a file that was never a trace. A whole line is never shown.
 */
export const TRACE_EXCERPT_CHARS = 12;

export class TraceError extends Error {
  constructor(
    /** The trace's name as the scenario wrote it. */
    readonly traceName: string,
    /** 1-based line of the problem, or 0 when it is not tied to a line. */
    readonly line: number,
    detail: string,
  ) {
    super(`trace ${excerpt(traceName, SHOWN_NAME_CHARS)}${line > 0 ? `, line ${line}` : ""}: ${detail}`);
    this.name = "TraceError";
  }
}

/** A short rendering of a value found in a trace file, for error messages (never the whole value). */
export function describeFound(value: unknown): string {
  return describeValue(value, TRACE_EXCERPT_CHARS);
}

/** A field of a trace line, for error messages: quoted, escaped, at most TRACE_EXCERPT_CHARS long. */
export function quoteField(text: string): string {
  return quote(text, TRACE_EXCERPT_CHARS);
}

/** A field already known to be a decimal number, shown as written (cut like any excerpt). */
export function numberText(text: string): string {
  return excerpt(text, TRACE_EXCERPT_CHARS);
}
