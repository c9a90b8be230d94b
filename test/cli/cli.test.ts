// `sim run`, `sim validate` and the informational commands: exit codes, messages that name the key and
// file:line, no stack traces for bad input, no output folder for a rejected run. Every malformed fixture goes
// through the CLI's main() in this process; one of each command also runs as the real `sim` process (a child),
// to show what a user's terminal gets.

import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli } from "./sweep-helpers.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const BIN = join(ROOT, "bin/sim.mjs");
const TMP = mkdtempSync(join(tmpdir(), "sim-cli-"));

afterAll(() => rmSync(TMP, { recursive: true, force: true }));

interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function sim(...args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: ROOT, env: { ...process.env, CI: "1", SIM_DEBUG: "" } },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const STACK_LINE = /^\s{4}at /m;

/** Each malformed fixture, and what its error must name: the key path and the line. */
const BAD: readonly { file: string; path: string; line: number; says: RegExp }[] = [
  { file: "unknown-key.yaml", path: "agent.max_conections", line: 6, says: /did you mean "max_connections"/ },
  {
    file: "wrong-type.yaml",
    path: "peers[0].uplink_bps",
    line: 7,
    says: /expected a positive number or a distribution/,
  },
  {
    file: "bad-distribution.yaml",
    path: "peers[0].rtt_ms.dist",
    line: 8,
    says: /found "gauss" \(did you mean "normal"\?\)/,
  },
  {
    file: "bad-distribution-field.yaml",
    path: "peers[0].uplink_bps.mx",
    line: 7,
    says: /did you mean "max"/,
  },
  {
    file: "sub-block-too-large.yaml",
    path: "content.sub_block_bytes",
    line: 3,
    says: /expected at most block_bytes/,
  },
  { file: "no-nodes.yaml", path: "peers", line: 6, says: /expected at least one node/ },
  { file: "missing-trace.yaml", path: "peers[0].uplink_trace.file", line: 9, says: /no such file/ },
  {
    file: "malformed-trace.yaml",
    path: "agent.downlink_trace.file",
    line: 6,
    says: /line 3: expected a throughput/,
  },
  {
    file: "unknown-strategy.yaml",
    path: "strategies[1]",
    line: 3,
    says: /found "indx" \(did you mean "index"\?\)/,
  },
  { file: "yaml-syntax.yaml", path: "", line: 4, says: /YAML syntax error/ },
];

describe("sim run on malformed scenarios", () => {
  it.each(BAD)("$file: exit 2, names $path at its line, no stack, no output", async (bad) => {
    const file = `scenarios/bad/${bad.file}`;
    const out = join(TMP, bad.file, "out");
    const r = await cli("run", file, "--out", out);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:${bad.line}:`);
    if (bad.path !== "") expect(r.stderr).toContain(`: ${bad.path}: `);
    expect(r.stderr).toMatch(bad.says);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.stderr).not.toContain("internal error");
    expect(existsSync(join(TMP, bad.file))).toBe(false);
  });
});

describe("the sim command (spawned)", () => {
  it("run: a malformed scenario exits 2 with its message and no stack trace", async () => {
    const bad = BAD[0];
    const r = await sim("run", `scenarios/bad/${bad.file}`, "--out", join(TMP, "spawned", "out"));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`scenarios/bad/${bad.file}:${bad.line}:`);
    expect(r.stderr).toMatch(bad.says);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(existsSync(join(TMP, "spawned"))).toBe(false);
  });
});

describe("sim validate", () => {
  it("reports every malformed fixture and exits 2 (spawned)", async () => {
    const r = await sim("validate", ...BAD.map((b) => `scenarios/bad/${b.file}`));
    expect(r.code).toBe(2);
    for (const bad of BAD) expect(r.stderr).toContain(`scenarios/bad/${bad.file}:${bad.line}:`);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.stdout).toBe("");
  });

  it("says ok for good scenarios, lists errors for bad ones, and exits 2 if any is bad", async () => {
    const r = await cli("validate", "scenarios/churn.yaml", "scenarios/ci/small.yaml", "scenarios/nope.yaml");
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^ok scenarios\/churn\.yaml: churn, 30 peer\(s\)/m);
    expect(r.stdout).toMatch(/^ok scenarios\/ci\/small\.yaml: ci-small/m);
    expect(r.stderr).toBe("scenarios/nope.yaml: expected a scenario file, found no such file\n");
  });
});

describe("sim run flag checks", () => {
  it("rejects an unknown strategy with the list of valid names (exit 2)", async () => {
    const out = join(TMP, "flag-strategy");
    const r = await cli("run", "scenarios/ci/small.yaml", "--strategy", "static,indx", "--out", out);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /--strategy: unknown strategy "indx" \(did you mean "index"\?\); valid: static, index, rebalance/,
    );
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(existsSync(out)).toBe(false);
  });

  it("rejects a bad number and an unknown flag (exit 2)", async () => {
    const seeds = await cli("run", "scenarios/ci/small.yaml", "--seeds", "0");
    const flag = await cli("run", "scenarios/ci/small.yaml", "--sed", "3");
    expect([seeds.code, flag.code]).toEqual([2, 2]);
    expect(seeds.stderr).toContain('--seeds expects an integer from 1 to 9007199254740991, found "0"');
    expect(flag.stderr).toMatch(/Unknown argument: --sed \(did you mean --seed\?\)/);
    for (const r of [seeds, flag]) expect(r.stderr).not.toMatch(STACK_LINE);
  });
});

describe("informational commands (spawned)", () => {
  it("sim schema prints the JSON Schema", async () => {
    const r = await sim("schema");
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout) as { title: string; properties: Record<string, unknown> };
    expect(schema.title).toBe("sim scenario");
    expect(Object.keys(schema.properties)).toContain("content");
  });

  it("sim strategies lists the registry with descriptions", async () => {
    const r = await sim("strategies");
    expect(r.code).toBe(0);
    for (const name of ["static", "index", "rebalance"])
      expect(r.stdout).toMatch(new RegExp(`^${name}\\s+\\S`, "m"));
  });

  it("--version prints package.json's version; --help shows examples and exit codes", async () => {
    const [version, help] = await Promise.all([sim("--version"), sim("run", "--help")]);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--check-determinism");
    expect(help.stdout).toContain("Examples:");
    expect(help.stdout).toContain("Exit codes: 0 success, 1 a check failed, 2 bad input");
  });
});
