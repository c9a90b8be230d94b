// Messages of the harness and the output folders quote what they did not write through the one quoting helper
// (src/input/quote.ts): a strategy's name and error, a thrown value, a file name. Expected texts are written
// out by hand: escapes as JSON writes them, at most the stated length, "..." where cut.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { describeThrown, MAX_REASON_CHARS } from "../../src/harness/run-guard.ts";
import { runOne } from "../../src/harness/run.ts";
import { commitOutputs } from "../../src/files/output-folder.ts";
import { resolveScenario } from "../../src/scenario/load.ts";

const tmp = mkdtempSync(join(tmpdir(), "sim-quoted-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const loaded = resolveScenario(
  {
    name: "quoted",
    content: { size_bytes: 4 * 65536, block_bytes: 65536, sub_block_bytes: 65536 },
    agent: { downlink_bps: 10_000_000, max_connections: 1 },
    peers: [{ count: 1, uplink_bps: 4_000_000, rtt_ms: 20 }],
  },
  "<quoted>",
  process.cwd(),
);

describe("quoted in messages", () => {
  it("a thrown value: escaped, and cut to MAX_REASON_CHARS with ...", () => {
    expect(describeThrown(new Error("bad\u001b[31m\nline"))).toBe("bad\\u001b[31m\\nline");
    expect(describeThrown(new TypeError("t\u202e"))).toBe("TypeError: t\\u202e");
    const long = describeThrown(new Error("x".repeat(3 * MAX_REASON_CHARS)));
    expect(long).toBe(`${"x".repeat(MAX_REASON_CHARS - 3)}...`);
  });

  it("a strategy that cannot be created: its name quoted, its error escaped", () => {
    const { result } = runOne(loaded, {
      strategy: 'my "best"\u0007',
      seed: 1,
      strategyFactory: () => {
        throw new Error("no\u001bway");
      },
    });
    expect(result.error).toBe('strategy: strategy "my \\"best\\"\\u0007" could not be created: no\\u001bway');
  });

  it("a bad output file name: quoted and cut to 60 characters", () => {
    const name = `../${"n".repeat(100)}\u0000`;
    expect(() => commitOutputs(join(tmp, "out"), new Map([[name, "x"]]), { kind: "run" })).toThrow(
      `bad output file name "../${"n".repeat(54)}..." (must be a relative path inside the folder)`,
    );
  });
});
