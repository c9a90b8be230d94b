// Trace parsing: exact segments from hand-written Pensieve and Sabre inputs, a TraceError naming the line for
// each malformed case, file loading and the time-weighted mean.

import { describe, expect, it } from "vitest";
import { loadTraceFile, parseTrace, type TraceFormat } from "../../src/traces/parse.ts";
import { traceDurationUs, traceMeanBps } from "../../src/traces/stats.ts";
import { TraceError } from "../../src/traces/trace-error.ts";

/** The TraceError thrown by parsing text, or a failure when it parses. */
function errorOf(text: string, format: TraceFormat): TraceError {
  try {
    parseTrace(text, format, "t.log");
  } catch (error) {
    expect(error).toBeInstanceOf(TraceError);
    return error as TraceError;
  }
  throw new Error("expected a TraceError, the trace parsed");
}

describe("pensieve", () => {
  it("turns samples into segments lasting until the next sample, the last one the mean interval", () => {
    const trace = parseTrace("0 1.5\n1 2\n3.5 0\n", "pensieve", "a.log");
    expect(trace).toEqual({
      name: "a.log",
      segments: [
        { durationUs: 1_000_000, bps: 1_500_000 },
        { durationUs: 2_500_000, bps: 2_000_000 },
        { durationUs: 1_750_000, bps: 0 }, // mean interval (3.5 - 0) / 2
      ],
    });
  });

  it("accepts tabs, CRLF, leading blanks, blank lines, comments and a non-zero start", () => {
    const trace = parseTrace("# header\r\n\r\n  10.25\t0.5\r\n10.75   1e1\r\n", "pensieve", "b.log");
    expect(trace.segments).toEqual([
      { durationUs: 500_000, bps: 500_000 },
      { durationUs: 500_000, bps: 10_000_000 },
    ]);
  });

  const malformed: [string, string, number, RegExp][] = [
    ["a bad time", "0 1\nabc 2\n", 2, /expected a time in seconds, found "abc"/],
    ["a bad throughput", "0 1\n1 fast\n", 2, /expected a throughput in Mb\/s, found "fast"/],
    ["one field", "0 1\n1\n", 2, /expected 2 fields .* found 1/],
    ["three fields", "0 1\n1 2 3\n", 2, /found 3/],
    ["a negative throughput", "0 1\n1 2\n2 -0.5\n", 3, /expected a throughput ≥ 0 Mb\/s, found -0.5/],
    ["a repeated time", "0 1\n1 2\n\n1 3\n", 4, /expected a time after 1 s \(line 2\), found 1 s/],
    ["a decreasing time", "5 1\n4 2\n", 2, /expected a time after 5 s/],
    ["a single sample", "# one\n0 1\n", 2, /at least 2 samples/],
    ["an empty file", "", 0, /found an empty trace/],
    ["only comments", "# nothing\n\n", 0, /found an empty trace/],
  ];
  for (const [what, text, line, message] of malformed) {
    it(`rejects ${what} at line ${line}`, () => {
      const error = errorOf(text, "pensieve");
      expect(error.traceName).toBe("t.log");
      expect(error.line).toBe(line);
      expect(error.message).toMatch(message);
      expect(error.message).toContain(line > 0 ? `trace t.log, line ${line}:` : "trace t.log:");
    });
  }
});

describe("sabre", () => {
  it("turns periods into segments in order, keeping the latency", () => {
    const text =
      '[{"duration_ms": 1000, "bandwidth_kbps": 5000, "latency_ms": 20},\n' +
      ' {"duration_ms": 500.5, "bandwidth_kbps": 0, "latency_ms": 0, "note": "ignored"}]';
    expect(parseTrace(text, "sabre", "c.json").segments).toEqual([
      { durationUs: 1_000_000, bps: 5_000_000, latencyMs: 20 },
      { durationUs: 500_500, bps: 0, latencyMs: 0 },
    ]);
  });

  const good = '  {"duration_ms": 1000, "bandwidth_kbps": 100, "latency_ms": 20}';
  const malformed: [string, string, number, RegExp][] = [
    [
      "a negative bandwidth",
      `[\n${good},\n  {"duration_ms": 1000, "bandwidth_kbps": -1, "latency_ms": 20}\n]`,
      3,
      /expected "bandwidth_kbps" to be a number ≥ 0, found -1/,
    ],
    [
      "a missing latency",
      `[\n${good},\n${good},\n  {"duration_ms": 1000,\n   "bandwidth_kbps": 1}\n]`,
      4,
      /expected "latency_ms" to be a number ≥ 0, found nothing/,
    ],
    [
      "a zero duration",
      `[\n  {"duration_ms": 0, "bandwidth_kbps": 1, "latency_ms": 0}\n]`,
      2,
      /expected "duration_ms" to be a number > 0, found 0/,
    ],
    ["a string bandwidth", `[{"duration_ms": 1, "bandwidth_kbps": "5", "latency_ms": 0}]`, 1, /found "5"/],
    ["a non-object period", `[\n${good},\n  [1, 2, 3]\n]`, 3, /expected a \{duration_ms.* found a list of 3 item\(s\)$/],
    ["invalid JSON", `[\n  {"duration_ms": 1000,}\n]`, 2, /found invalid JSON/],
    ["an object instead of an array", `{"trace": []}`, 1, /expected a JSON array .* found a mapping with keys trace$/],
    ["an empty array", "[ ]", 1, /found an empty array/],
    ["an empty file", "\n", 0, /found an empty file/],
  ];
  for (const [what, text, line, message] of malformed) {
    it(`rejects ${what} at line ${line}`, () => {
      const error = errorOf(text, "sabre");
      expect(error.line).toBe(line);
      expect(error.message).toMatch(message);
    });
  }

  it("finds the line of a period even with strings holding brackets and commas", () => {
    const text = `[{"note": "a, [b] {c} \\"d,", "duration_ms": 1, "bandwidth_kbps": 1, "latency_ms": 0},\n{"duration_ms": -1}]`;
    expect(errorOf(text, "sabre").line).toBe(2);
  });
});

describe("parseTrace and loadTraceFile", () => {
  it("rejects an unknown format", () => {
    expect(errorOf("0 1\n1 1\n", "csv" as TraceFormat).message).toMatch(
      /expected format "pensieve" or "sabre", found "csv"/,
    );
  });

  it("names a missing file in a TraceError", () => {
    let caught: unknown;
    try {
      loadTraceFile("/nonexistent/dir/x.log", "pensieve", "x.log");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TraceError);
    expect((caught as TraceError).line).toBe(0);
    expect((caught as TraceError).message).toMatch(/\/nonexistent\/dir\/x\.log, found no such file/);
  });

  it("reads and parses a file, keeping the name as given", () => {
    const trace = loadTraceFile(
      "scenarios/traces/4g-drive.sabre.json",
      "sabre",
      "traces/4g-drive.sabre.json",
    );
    expect(trace.name).toBe("traces/4g-drive.sabre.json");
    expect(trace.segments.length).toBe(120);
  });
});

describe("trace statistics", () => {
  it("weights the mean bandwidth by duration", () => {
    const trace = parseTrace("0 1\n1 5\n4 5\n", "pensieve", "m.log"); // 1 s at 1, 3 s at 5, 2 s at 5 Mb/s
    expect(traceDurationUs(trace)).toBe(6_000_000);
    expect(traceMeanBps(trace)).toBeCloseTo(((1 + 15 + 10) / 6) * 1e6, 6);
  });
});
