// Command-line habits, in process: a mistyped flag gets the command's closest flag; a value that is not a
// number is quoted; a --param value that breaks the scenario is blamed on the command line, not on the line
// of the file that held the original value; `sim check --suite` lists every bad file at once; no help example
// breaks a command across lines.

import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { continued } from "../../src/cli/examples.ts";
import { explainUnknownArguments } from "../../src/cli/unknown-flags.ts";
import { cli } from "./sweep-helpers.ts";

const TMP = mkdtempSync(join(tmpdir(), "sim-habits-"));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));
const SMALL = "scenarios/ci/small.yaml";

describe("flag typos", () => {
  it("suggests the command's closest flag, as typed, negations and hyphenated flags included", async () => {
    const r = await cli("run", SMALL, "--sedes", "3");
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("Unknown argument: --sedes (did you mean --seeds?)\n(see sim --help)\n");
    const many = await cli("sweep", SMALL, "--outt=x", "--no-reprot", "--strategy-modul", "m.ts", "--zzzzzzzz");
    expect(many.stderr.split("\n")[0]).toBe(
      "Unknown arguments: --outt (did you mean --out?), --no-reprot (did you mean --no-report?), " +
        "--strategy-modul (did you mean --strategy-module?), --zzzzzzzz",
    );
    // An extra positional is not a flag: named as yargs names it, quoted.
    expect((await cli("run", SMALL, "other.yaml")).stderr).toMatch(/^Unknown argument: "other.yaml"/);
  });

  it("leaves other messages alone and copes with a usage object that offers nothing", () => {
    expect(explainUnknownArguments("Not enough non-option arguments", null, [])).toBe("Not enough non-option arguments");
    expect(explainUnknownArguments("Unknown argument: sedes", {}, ["--sedes"])).toBe("Unknown argument: --sedes");
  });
});

describe("values from the command line", () => {
  it("quotes a value that is not a number, and says when a number flag has none", async () => {
    expect((await cli("run", SMALL, "--seeds", "two")).stderr).toBe(
      '--seeds expects an integer from 1 to 9007199254740991, found "two"\n',
    );
    expect((await cli("run", SMALL, "--wall-s", "two")).stderr).toBe('--wall-s expects a number, found "two"\n');
    const none = await cli("run", SMALL, "--wall-s", "--no-report", "--out", join(TMP, "none"));
    expect(none.code).toBe(2);
    expect(none.stderr).toBe("--wall-s expects a number, found nothing\n");
  });

  it("blames a --param value that breaks the scenario on the command line", async () => {
    const r = await cli("sweep", SMALL, "--param", "agent.max_connections=0,4", "--out", join(TMP, "param"));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("--param agent.max_connections=0: agent.max_connections: expected a number > 0, found 0\n");
    const joint = await cli("sweep", SMALL, "--param", "content.sub_block_bytes=65536,9999999", "--out", join(TMP, "param"));
    expect(joint.stderr).toBe(
      "--param content.sub_block_bytes=9999999: content.sub_block_bytes: expected at most block_bytes (524288), found 9999999\n",
    );
  });
});

describe("sim check --suite", () => {
  it("lists the problems of every bad file at once, as validate does", async () => {
    const suite = join(TMP, "suite");
    mkdirSync(suite);
    copyFileSync(SMALL, join(suite, "a-good.yaml"));
    copyFileSync("scenarios/bad/no-nodes.yaml", join(suite, "b-no-nodes.yaml"));
    copyFileSync("scenarios/bad/wrong-type.yaml", join(suite, "c-wrong-type.yaml"));
    const r = await cli("check", "--suite", suite);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/b-no-nodes\.yaml:6:3: peers: expected at least one node/);
    expect(lines[1]).toMatch(/c-wrong-type\.yaml:7:17: peers\[0\]\.uplink_bps: expected a positive number or a distribution/);
  });
});

describe("help examples", () => {
  /** What `sim <args> --help` prints (yargs prints help through console.log). */
  async function help(...args: string[]): Promise<string> {
    let text = "";
    const log = vi.spyOn(console, "log").mockImplementation((...parts: unknown[]) => {
      text += `${parts.join(" ")}\n`;
    });
    try {
      expect((await cli(...args, "--help")).code).toBe(0);
    } finally {
      log.mockRestore();
    }
    return text;
  }

  it("never break a command across lines, in the help of every command", async () => {
    const top = await help();
    // Every command the top-level help lists ("  sim run <scenario>  Run …"), so new commands are checked too.
    const commands = [...new Set([...top.matchAll(/^ {2}sim ([a-z-]+)/gm)].map((m) => m[1]))];
    expect(commands).toEqual(expect.arrayContaining(["run", "sweep", "merge", "check", "fetch", "validate"]));
    const helps: [string, string][] = [["", top]];
    for (const c of commands) helps.push([c, await help(c)]); // one at a time: help() captures console.log
    let examples = 0;
    for (const [command, text] of helps) {
      const lines = text.split("\n");
      const start = lines.indexOf("Examples:");
      if (start < 0) continue;
      let previous = "";
      for (const line of lines.slice(start + 1)) {
        if (line.trim() === "") break;
        // A command line, a description in the description column, or the next flags of a command broken shell
        // style after " \": never a command's tail at the margin.
        const allowed = previous.endsWith(" \\") ? /^ {2}-/ : /^ {2}sim |^ {20,}\S/;
        expect(line, `sim ${command} --help`).toMatch(allowed);
        if (line.startsWith("  sim ")) examples++;
        previous = line;
      }
    }
    expect(examples).toBeGreaterThanOrEqual(20);
  });

  it("break a command longer than the line before a flag, outside quotes, shell style", () => {
    expect(continued("$0 run a.yaml --seeds 3", 40)).toBe("$0 run a.yaml --seeds 3");
    expect(continued("$0 shrink x.yaml --seed 2 --until 'a -b > 1' --out f", 30)).toBe(
      "$0 shrink x.yaml --seed 2 \\\n--until 'a -b > 1' --out f",
    );
  });
});
