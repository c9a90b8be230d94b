// The synthetic traces shipped in scenarios/traces/: they parse, have the documented shape, and are exactly
// what scripts/gen-traces.ts writes.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { generateTraces } from "../../scripts/gen-traces.ts";
import { loadTraceFile } from "../../src/traces/parse.ts";
import { traceDurationUs } from "../../src/traces/stats.ts";

const DIR = "scenarios/traces/";

describe("shipped traces", () => {
  it("match the generator byte for byte", () => {
    const generated = generateTraces();
    expect([...generated.keys()].sort()).toEqual([
      "3g-bus.pensieve.log",
      "4g-drive.sabre.json",
      "lte-walk.pensieve.log",
    ]);
    for (const [file, content] of generated) expect(readFileSync(DIR + file, "utf8")).toBe(content);
  });

  const shapes: [string, "pensieve" | "sabre", number, number][] = [
    ["lte-walk.pensieve.log", "pensieve", 2e6, 30e6],
    ["3g-bus.pensieve.log", "pensieve", 0.3e6, 6e6],
    ["4g-drive.sabre.json", "sabre", 2e6, 45e6],
  ];
  for (const [file, format, minBps, maxBps] of shapes) {
    it(`${file}: 120 one-second segments within [${minBps / 1e6}, ${maxBps / 1e6}] Mb/s`, () => {
      const trace = loadTraceFile(DIR + file, format, file);
      expect(trace.segments.length).toBe(120);
      expect(traceDurationUs(trace)).toBe(120_000_000);
      for (const s of trace.segments) {
        expect(s.durationUs).toBe(1_000_000);
        expect(s.bps).toBeGreaterThanOrEqual(minBps);
        expect(s.bps).toBeLessThanOrEqual(maxBps);
        if (format === "sabre") expect(s.latencyMs).toBe(20);
      }
    });
  }
});
