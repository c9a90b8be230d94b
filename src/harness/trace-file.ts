// events.jsonl, the trace of a run written by `--trace`: one JSON object per line, for each record of each run
// (src/sim/world/trace.ts), in run order then in the order things happened:
//   {"strategy", "seed", "seq", "n", "time_us", "type", "event", ...fields}
// `seq` numbers the run's records from 0, `n` is the kernel event being processed then (-1 while the world was
// built), `type` is "world" (what happened to the agent or the nodes) or "decision" (what the agent decided),
// `event` names it, and the fields follow with snake_case names and units in names (docs/outputs.md lists every
// event and its fields). parseTrace reads it back; records compare field by field (firstTraceDifference).

import type { TraceRecord, TraceValue } from "../sim/world/trace.ts";

/** One run's trace, with the run it belongs to. */
export interface RunTrace {
  readonly strategy: string;
  readonly seed: number;
  readonly records: readonly TraceRecord[];
}

const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const camel = (k: string) => k.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

/** The keys every line has, in this order, before the record's own fields. */
const HEAD_KEYS = ["strategy", "seed", "seq", "n", "time_us", "type", "event"] as const;

/** One line of events.jsonl (without its line break). */
export function traceLine(strategy: string, seed: number, seq: number, r: TraceRecord): string {
  const o: Record<string, unknown> = { strategy, seed, seq, n: r.n, time_us: r.timeUs, type: r.type, event: r.event };
  for (const [k, v] of Object.entries(r.fields)) o[snake(k)] = v;
  return JSON.stringify(o);
}

/** events.jsonl of these runs ("" when none has a trace). */
export function traceText(traces: readonly RunTrace[]): string {
  const lines: string[] = [];
  for (const t of traces) t.records.forEach((r, i) => lines.push(traceLine(t.strategy, t.seed, i, r)));
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

/** A line that is not a trace record. */
export class TraceFormatError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
    this.name = "TraceFormatError";
  }
}

function isValue(v: unknown): v is TraceValue {
  return typeof v === "number" || typeof v === "string" || typeof v === "boolean" || (Array.isArray(v) && v.every((x) => typeof x === "number"));
}

/** Reads events.jsonl back into one trace per run, in file order (throws TraceFormatError on a bad line). */
export function parseTrace(text: string): RunTrace[] {
  const out: { strategy: string; seed: number; records: TraceRecord[] }[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === "") continue;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new TraceFormatError(i + 1, "not JSON");
    }
    if (o === null || typeof o !== "object") throw new TraceFormatError(i + 1, "not a JSON object");
    const { strategy, seed, n, time_us: timeUs, type, event } = o;
    if (typeof strategy !== "string" || typeof seed !== "number" || typeof n !== "number" || typeof timeUs !== "number") {
      throw new TraceFormatError(i + 1, "a trace record needs strategy, seed, n and time_us (this file may predate named traces: run again with --trace)");
    }
    if ((type !== "world" && type !== "decision") || typeof event !== "string") {
      throw new TraceFormatError(i + 1, 'a trace record needs type ("world" or "decision") and event (this file may predate named traces: run again with --trace)');
    }
    const fields: Record<string, TraceValue> = {};
    for (const [k, v] of Object.entries(o)) {
      if ((HEAD_KEYS as readonly string[]).includes(k)) continue;
      if (!isValue(v)) throw new TraceFormatError(i + 1, `field ${k} is not a number, string, boolean or list of numbers`);
      fields[camel(k)] = v;
    }
    let run = out[out.length - 1];
    if (run === undefined || run.strategy !== strategy || run.seed !== seed) {
      run = { strategy, seed, records: [] };
      out.push(run);
    }
    run.records.push({ n, timeUs, type, event, fields });
  }
  return out;
}

/** Do two records say the same thing (time, kind and every field)? */
export function sameRecord(a: TraceRecord, b: TraceRecord): boolean {
  if (a.timeUs !== b.timeUs || a.type !== b.type || a.event !== b.event) return false;
  const ka = Object.keys(a.fields);
  const kb = Object.keys(b.fields);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    const x = a.fields[k];
    const y = b.fields[k];
    if (Array.isArray(x) && Array.isArray(y)) {
      if (x.length !== y.length || x.some((v, i) => v !== y[i])) return false;
    } else if (x !== y) {
      return false;
    }
  }
  return true;
}

/** Index of the first record where two traces differ (-1: none; the shorter's length if one is a prefix). */
export function firstTraceDifference(a: readonly TraceRecord[], b: readonly TraceRecord[], keep: (r: TraceRecord) => boolean = () => true): { a: number; b: number } | null {
  let i = 0;
  let j = 0;
  for (;;) {
    while (i < a.length && !keep(a[i])) i++;
    while (j < b.length && !keep(b[j])) j++;
    if (i >= a.length || j >= b.length) return i >= a.length && j >= b.length ? null : { a: i, b: j };
    if (!sameRecord(a[i], b[j])) return { a: i, b: j };
    i++;
    j++;
  }
}
