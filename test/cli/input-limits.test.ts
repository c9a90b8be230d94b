// The CLI on hostile input: names that are not a short file-name segment, seeds and sweep grids past their
// limits, bad integer flags, and a reader that closes the pipe. Every refusal is exit 2 with no stack trace and
// nothing written, decided before any simulation; a closed pipe ends the output quietly.

import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli } from "./sweep-helpers.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const TMP = mkdtempSync(join(tmpdir(), "sim-input-limits-"));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const STACK_LINE = /^\s{4}at /m;

const BASE = `content: { size_bytes: 1048576, block_bytes: 262144, sub_block_bytes: 65536 }
agent: { downlink_bps: 50000000 }
strategies: [static]
peers:
  - count: 2
    uplink_bps: 5000000
    rtt_ms: 40
`;

function scenario(name: string, text: string): string {
  const path = join(TMP, name);
  writeFileSync(path, text);
  return path;
}

async function refused(args: string[], says: RegExp): Promise<void> {
  const out = join(TMP, "out", String(Math.random()).slice(2));
  const r = await cli(...args, "--out", out);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(says);
  expect(r.stderr).not.toMatch(STACK_LINE);
  expect(r.stderr).not.toContain("internal error");
  expect(existsSync(out)).toBe(false);
}

describe("scenario names", () => {
  const cases: [string, string, RegExp][] = [
    ["a 300-character name", "a".repeat(300), /name: expected a string of at most 64 characters/],
    ["..", "'..'", /name: expected a file-name segment/],
    [".", "'.'", /name: expected a file-name segment/],
    ["a path", "a/b", /name: expected a file-name segment/],
    ["a leading dash", "-rf", /name: expected a file-name segment/],
    ["a control character", '"a\\u001bb"', /name: expected a file-name segment.*found "a\\u001bb"/],
  ];
  it.each(cases)("refuses %s with exit 2", async (_what, name, says) => {
    await refused(["run", scenario("name.yaml", `name: ${name}\n${BASE}`), "--no-report"], says);
  });

  it("accepts plain names, dots and dashes inside", async () => {
    const r = await cli("validate", scenario("ok.yaml", `name: a.b-c_1\n${BASE}`));
    expect(r.code).toBe(0);
  });
});

describe("bounds checked before any run", () => {
  it("caps seeds in a file like the flag", async () => {
    await refused(["run", scenario("seeds.yaml", `name: s\nseeds: 1000000000\n${BASE}`)], /seeds: expected a number ≤ 10000, found 1000000000/);
  });

  it("refuses a 3,000 × 3,000 sweep grid at once", async () => {
    const values = Array.from({ length: 3000 }, (_, i) => i + 1).join(", ");
    const file = scenario(
      "grid.yaml",
      `name: g\n${BASE}sweep:\n  params:\n    agent.max_connections: [${values}]\n    agent.connect_timeout_ms: [${values}]\n`,
    );
    // Refused from its size alone, before any value is re-validated one by one (9 million would take hours).
    await refused(["sweep", file, "--jobs", "1"], /expected at most 100000 runs \(limits\.max_runs\), found 9000000 sweep points/);
  });

  it("refuses --param grids, seeds and strategies past limits.max_runs", async () => {
    const file = scenario("flags.yaml", `name: f\n${BASE}`);
    const values = Array.from({ length: 1000 }, (_, i) => i + 1).join(",");
    await refused(
      ["sweep", file, "--param", `agent.max_connections=${values}`, "--param", `agent.connect_timeout_ms=${values}`],
      /1000000 runs is more than limits\.max_runs \(100000\)/,
    );
  });

  it("refuses integer flags yargs would misread, and --jobs beyond 4 per core", async () => {
    const file = scenario("flags2.yaml", `name: f2\n${BASE}`);
    await refused(["run", file, "--seed", ""], /--seed expects an integer from 0 to 9007199254740991, found an empty value/);
    await refused(["run", file, "--seed", "9007199254740993"], /found "9007199254740993"/);
    await refused(["run", file, "--seeds", "2.5"], /--seeds expects an integer/);
    await refused(["sweep", file, "--jobs", "100000"], /--jobs expects an integer from 1 to \d+ \(4 per core\), found 100000/);
  });
});

describe("flag errors", () => {
  it("never echo control characters raw, whoever builds the message (yargs too)", async () => {
    const file = scenario("flags3.yaml", `name: f3\n${BASE}`);
    const cases = [
      ["run", file, "--\u001b[2Jevil", "1"],
      ["run", file, "--strategy", "static,\u001b]0;title\u0007"],
      ["sweep", file, "--param", "\u001b[31m=1,2"],
      ["run", `${TMP}/\u001b[31mnope.yaml`],
    ];
    // One at a time: the helper captures the process's stdout and stderr.
    for (const args of cases) {
      const r = await cli(...args);
      expect(r.code).toBe(2);
      const raw = [...r.stderr].filter((c) => c !== "\n" && (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f));
      expect(raw).toEqual([]);
      expect(r.stderr).toContain("\\u001b");
    }
  });
});

describe("a closed pipe", () => {
  it("ends the output quietly: no stack trace, the command's own exit code, its files written", async () => {
    const out = join(TMP, "epipe");
    const child = spawn(
      process.execPath,
      [join(ROOT, "bin/sim.mjs"), "run", "scenarios/ci/small.yaml", "--seeds", "1", "--strategy", "static", "--no-report", "--out", out],
      { cwd: ROOT, env: { ...process.env, CI: "1", SIM_DEBUG: "" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    // The reader goes away before anything is written, as `| head -c0` would.
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += String(chunk);
    });
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(existsSync(join(out, "runs.csv"))).toBe(true);
  }, 30_000);
});
