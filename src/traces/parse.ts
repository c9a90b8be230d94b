// Entry points for capacity traces: parse text in a named format, or read a file (the scenario loader does
// this once per trace; the simulation loop only ever sees parsed Trace values).

import { readFileSync } from "node:fs";
import { parsePensieve } from "./pensieve.ts";
import { parseSabre } from "./sabre.ts";
import type { Trace } from "./trace.ts";
import { TraceError } from "./trace-error.ts";

export type TraceFormat = "pensieve" | "sabre";

/** Parses a trace; throws TraceError (with the line) on malformed input. */
export function parseTrace(text: string, format: TraceFormat, name: string): Trace {
  switch (format) {
    case "pensieve":
      return parsePensieve(text, name);
    case "sabre":
      return parseSabre(text, name);
    default:
      throw new TraceError(name, 0, `expected format "pensieve" or "sabre", found ${JSON.stringify(format)}`);
  }
}

/** Reads and parses a trace file; a file that cannot be read is a TraceError naming its path. */
export function loadTraceFile(path: string, format: TraceFormat, name: string): Trace {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new TraceError(
      name,
      0,
      `expected a readable file at ${path}, found ${code === "ENOENT" ? "no such file" : code}`,
    );
  }
  return parseTrace(text, format, name);
}
