// Exit-code mapping: bad input → 2 with its message only; anything else → 3, "internal error", stack only
// with SIM_DEBUG=1.

import { describe, expect, it } from "vitest";
import { ExitCode, errorText, exitCodeFor, safeText, UsageError } from "../../src/cli/exit.ts";
import { ScenarioError } from "../../src/scenario/errors.ts";
import { TraceError } from "../../src/traces/trace-error.ts";

const scenarioError = new ScenarioError([
  {
    file: "x.yaml",
    line: 3,
    column: 5,
    path: "agent.downlink_bps",
    expected: "a number",
    found: '"x"',
    message: 'expected a number, found "x"',
  },
]);

describe("exit codes", () => {
  it("maps bad input to 2 and everything else to 3", () => {
    expect(exitCodeFor(scenarioError)).toBe(ExitCode.badInput);
    expect(exitCodeFor(new UsageError("--seed expects ..."))).toBe(2);
    expect(exitCodeFor(new TraceError("t.log", 3, "bad"))).toBe(2);
    expect(exitCodeFor(new TypeError("oops"))).toBe(ExitCode.internal);
    expect(exitCodeFor("a string")).toBe(3);
    expect([ExitCode.ok, ExitCode.checkFailed]).toEqual([0, 1]);
  });

  it("prints bad input as its message only", () => {
    expect(errorText(scenarioError, {})).toBe('x.yaml:3:5: agent.downlink_bps: expected a number, found "x"');
  });

  it("prints internal errors with the stack only under SIM_DEBUG=1", () => {
    const error = new Error("boom");
    expect(errorText(error, {})).toBe("internal error: boom\n(set SIM_DEBUG=1 to see the stack trace)");
    const debug = errorText(error, { SIM_DEBUG: "1" });
    expect(debug.startsWith("internal error: boom\nError: boom\n")).toBe(true);
    expect(debug).toMatch(/^\s{4}at /m);
  });

  it("escapes control characters and cuts long lines in any message, keeping the line breaks", () => {
    expect(errorText(new UsageError("bad \u001b[2J flag\nsecond line"), {})).toBe("bad \\u001b[2J flag\nsecond line");
    const internal = errorText(new Error("\u001b]0;title\u0007"), {});
    expect(internal.startsWith("internal error: \\u001b]0;title\\u0007\n")).toBe(true);
    const long = safeText("x".repeat(100_000));
    expect(long.length).toBe(2000);
    expect(long.endsWith("...")).toBe(true);
  });

  it("survives an error whose message getter throws", () => {
    const nasty = new Error("x");
    Object.defineProperty(nasty, "message", {
      get() {
        throw new Error("no");
      },
    });
    expect(errorText(nasty, {})).toMatch(/^internal error: \(an error whose message cannot be read\)/);
  });
});
