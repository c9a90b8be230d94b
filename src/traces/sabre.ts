// Parser for Sabre capacity traces: a JSON array of {duration_ms, bandwidth_kbps, latency_ms} periods, played
// in order (1 kbps = 1000 bit/s). Errors name the line where the offending period starts.

import { MAX_TRACE_JSON_DEPTH, UNIT_MAXIMA } from "../input/limit-values.ts";
import { excerpt } from "../input/quote.ts";
import type { Trace, TraceSegment } from "./trace.ts";
import { describeFound, TraceError } from "./trace-error.ts";

const US_PER_MS = 1000;
const BPS_PER_KBPS = 1000;
const EXPECTED_SHAPE = "a JSON array of {duration_ms, bandwidth_kbps, latency_ms} periods";

/** The line of a JSON.parse error, from "(line N ...)" (newer Node) or "position N" (Node 20), else 0. */
function syntaxErrorLine(error: SyntaxError, text: string): number {
  const line = /line (\d+)/.exec(error.message);
  if (line !== null) return Number(line[1]);
  const position = /position (\d+)/.exec(error.message);
  if (position === null) return 0;
  return text.slice(0, Number(position[1])).split("\n").length;
}

/**
 * The parser's complaint without the excerpt of the file V8 puts in some messages (`Unexpected token 'r',
 * "root:x:0:0"... is not valid JSON`), and without its position (the line is reported apart).
 */
function syntaxErrorText(error: SyntaxError): string {
  const text = error.message
    .replace(/, ".*$/s, "")
    .replace(/ in JSON at position \d+.*$/s, "")
    .replace(/ \(line \d+ column \d+\)$/, "");
  return excerpt(text, 80);
}

/** The 1-based line where nesting first goes deeper than `limit` (outside strings), or 0 when it never does. */
function tooDeepLine(text: string, limit: number): number {
  let depth = 0;
  let line = 1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\n") line++;
    else if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "[" || c === "{") {
      if (++depth > limit) return line;
    } else if (c === "]" || c === "}") depth--;
  }
  return 0;
}

/** The 1-based line on which each element of the top-level JSON array starts (text must be valid JSON). */
function topLevelElementLines(text: string): number[] {
  const lines: number[] = [];
  let depth = 0;
  let line = 1;
  let inString = false;
  let escaped = false;
  let expectingElement = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\n") line++;
    if (inString) {
      if (escaped) escaped = false;
      else if (c === "\\") escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === " " || c === "\t" || c === "\r" || c === "\n") continue;
    if (depth === 1 && expectingElement && c !== "]") {
      lines.push(line);
      expectingElement = false;
    }
    if (c === '"') inString = true;
    else if (c === "[" || c === "{") {
      depth++;
      if (depth === 1) expectingElement = c === "[";
    } else if (c === "]" || c === "}") depth--;
    else if (c === "," && depth === 1) expectingElement = true;
  }
  return lines;
}

/** Where a period sits, for error messages. */
interface At {
  readonly name: string;
  readonly line: number;
}

function numberField(
  period: Record<string, unknown>,
  key: string,
  bound: "> 0" | "≥ 0",
  max: number,
  at: At,
): number {
  const value = period[key];
  const ok =
    typeof value === "number" && Number.isFinite(value) && (bound === "> 0" ? value > 0 : value >= 0);
  if (!ok)
    throw new TraceError(
      at.name,
      at.line,
      `expected "${key}" to be a number ${bound}, found ${describeFound(value)}`,
    );
  if (value > max) throw new TraceError(at.name, at.line, `expected "${key}" to be at most ${max}, found ${value}`);
  return value;
}

export function parseSabre(text: string, name: string): Trace {
  if (text.trim() === "") throw new TraceError(name, 0, `expected ${EXPECTED_SHAPE}, found an empty file`);
  const deepAt = tooDeepLine(text, MAX_TRACE_JSON_DEPTH);
  if (deepAt > 0) {
    throw new TraceError(name, deepAt, `expected ${EXPECTED_SHAPE}, found nesting deeper than ${MAX_TRACE_JSON_DEPTH}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    throw new TraceError(
      name,
      syntaxErrorLine(error, text),
      `expected ${EXPECTED_SHAPE}, found invalid JSON (${syntaxErrorText(error)})`,
    );
  }
  if (!Array.isArray(json))
    throw new TraceError(name, 1, `expected ${EXPECTED_SHAPE}, found ${describeFound(json)}`);
  if (json.length === 0) throw new TraceError(name, 1, "expected periods, found an empty array");
  const elementLines = topLevelElementLines(text);
  const segments: TraceSegment[] = json.map((period: unknown, i) => {
    const at: At = { name, line: elementLines[i] ?? 0 };
    if (typeof period !== "object" || period === null || Array.isArray(period)) {
      throw new TraceError(
        name,
        at.line,
        `expected a {duration_ms, bandwidth_kbps, latency_ms} object, found ${describeFound(period)}`,
      );
    }
    const fields = period as Record<string, unknown>;
    const durationMs = numberField(fields, "duration_ms", "> 0", UNIT_MAXIMA.ms, at);
    const durationUs = Math.round(durationMs * US_PER_MS);
    if (durationUs < 1)
      throw new TraceError(name, at.line, `expected "duration_ms" ≥ 0.001, found ${durationMs}`);
    const bps = numberField(fields, "bandwidth_kbps", "≥ 0", UNIT_MAXIMA.bps / BPS_PER_KBPS, at) * BPS_PER_KBPS;
    const latencyMs = numberField(fields, "latency_ms", "≥ 0", UNIT_MAXIMA.ms, at);
    return { durationUs, bps, latencyMs };
  });
  return { name, segments };
}
