// Entry points for capacity traces: parse text in a named format, or read a file (the scenario loader does
// this once per trace; the simulation loop only ever sees parsed Trace values).

import { LIMIT_DEFAULTS } from "../input/limit-values.ts";
import { excerpt, quote } from "../input/quote.ts";
import { InputFileError, readInputFile } from "../input/read-input.ts";
import { parsePensieve } from "./pensieve.ts";
import { parseSabre } from "./sabre.ts";
import type { Trace } from "./trace.ts";
import { TraceError } from "./trace-error.ts";

export type TraceFormat = "pensieve" | "sabre";

/** Longest path a message shows. */
const SHOWN_PATH_CHARS = 200;

/** Parses a trace; throws TraceError (with the line) on malformed input. */
export function parseTrace(text: string, format: TraceFormat, name: string): Trace {
  switch (format) {
    case "pensieve":
      return parsePensieve(text, name);
    case "sabre":
      return parseSabre(text, name);
    default:
      throw new TraceError(name, 0, `expected format "pensieve" or "sabre", found ${quote(String(format))}`);
  }
}

/**
 * Reads and parses a trace file: only a regular file of at most `maxBytes` (src/scenario/read-input.ts); a
 * file that cannot be read is a TraceError naming its path.
 */
export function loadTraceFile(
  path: string,
  format: TraceFormat,
  name: string,
  maxBytes: number = LIMIT_DEFAULTS.max_trace_bytes,
): Trace {
  let text: string;
  try {
    text = readInputFile(path, maxBytes);
  } catch (error) {
    if (!(error instanceof InputFileError)) throw error;
    throw new TraceError(name, 0, `expected a readable trace file at ${excerpt(path, SHOWN_PATH_CHARS)}, found ${error.found}`);
  }
  return parseTrace(text, format, name);
}
