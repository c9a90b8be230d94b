// The real-network commands as a user runs them, against a testbed started here on 127.0.0.1: fetch through
// the real `sim` command (a child process) writes the file and exits 0; the rest runs the CLI in this process
// (faster): bad input exits 2 with a message and no stack trace, a fetch nobody answers exits 1, manifest
// writes and never overwrites, testbed prints its nodes as JSON and stops after --duration.

import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cli } from "../cli/sweep-helpers.ts";
import { bed, type Bed } from "./helpers.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const BIN = join(ROOT, "bin/sim.mjs");
const STACK_LINE = /^\s{4}at /m;

function sim(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, CI: "1", SIM_DEBUG: "" } }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr });
    });
  });
}

let b: Bed | null = null;
afterEach(async () => {
  await b?.close();
  b = null;
});

describe("sim fetch / manifest / testbed", () => {
  it("fetch downloads from the testbed's mirrors, checks the manifest and writes a report folder", async () => {
    b = await bed();
    const out = join(b.dir, "f.bin");
    const rep = join(b.dir, "report");
    const r = await sim("fetch", ...b.urls, "-o", out, "--manifest", b.manifest, "--strategy", "index", "--out", rep);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^fetched .*f\.bin: 1048576 bytes in/m);
    expect(createHash("sha256").update(readFileSync(out)).digest("hex")).toBe(b.testbed.manifest.sha256);
    for (const f of ["runs.csv", "blocks.csv", "subblocks.csv", "summary.json", "index.html", "charts/waterfall-index.svg"]) {
      expect(existsSync(join(rep, f)), f).toBe(true);
    }
    expect(readFileSync(join(rep, "runs.csv"), "utf8").split("\n")[1]).toMatch(/^index,0,/);
  });

  it.each([
    [["fetch", "not a url", "-o", "/tmp/x"], /not a URL/],
    [["fetch", "ftp://127.0.0.1/x", "-o", "/tmp/x"], /only http: and https:/],
    [["fetch", "http://127.0.0.1:1/x", "-o", "/tmp/x", "--strategy", "nope"], /unknown strategy "nope"/],
    [["fetch", "http://127.0.0.1:1/x", "-o", "/tmp/x", "--strategy", "oracle"], /oracle needs the simulator/],
    [["fetch", "http://127.0.0.1:1/x", "-o", "/tmp/x", "--max-connections", "0"], /--max-connections expects an integer/],
    [["fetch", "http://127.0.0.1:1/x", "-o", "/tmp/x", "--sha256", "xyz"], /--sha256 expects 64 hex digits/],
    [["manifest", "/nonexistent/file", "--block-bytes", "4", "--sub-block-bytes", "2"], /no such file/],
    [["testbed", "scenarios/calibration/servers-4.yaml", "--misbehave", "9:die=1"], /node 9 does not exist/],
    [["calibrate", "scenarios/calibration/servers-4.yaml", "--seed", "-1"], /--seed expects an integer/],
  ])("%j is bad input: exit 2, a message, no stack", async (args, says) => {
    const r = await cli(...(args as string[]));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(says);
    expect(r.stderr).not.toMatch(STACK_LINE);
  });

  it("fetch refuses a bad manifest and an existing output file with exit 2", async () => {
    b = await bed();
    const bad = join(b.dir, "bad.json");
    writeFileSync(bad, "{");
    const r1 = await cli("fetch", b.urls[0], "-o", join(b.dir, "y.bin"), "--manifest", bad);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toMatch(/not a sim manifest \(not JSON\)/);
    const existing = join(b.dir, "exists.bin");
    writeFileSync(existing, "mine");
    const r2 = await cli("fetch", b.urls[0], "-o", existing);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/exists: the download never overwrites a file/);
    expect(readFileSync(existing, "utf8")).toBe("mine");
  });

  it("fetch --out refuses a folder sim did not write before downloading anything (exit 2)", async () => {
    b = await bed();
    const mine = join(b.dir, "mine");
    mkdirSync(mine);
    writeFileSync(join(mine, "notes.txt"), "keep");
    const out = join(b.dir, "never.bin");
    const r = await cli("fetch", ...b.urls, "-o", out, "--manifest", b.manifest, "--out", mine);
    expect(r.code).toBe(2);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.part`)).toBe(false);
    expect(b.testbed.nodes.every((n) => n.server.requests === 0)).toBe(true);
    expect(readFileSync(join(mine, "notes.txt"), "utf8")).toBe("keep");
  });

  it("fetch exits 1 when no mirror answers", async () => {
    b = await bed();
    await b.testbed.close(); // nothing listens any more: connections are refused
    const r = await cli("fetch", b.urls[0], "-o", join(b.dir, "z.bin"));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/fetch failed: no mirror serves/);
  });

  it("manifest writes the manifest and never overwrites", async () => {
    b = await bed();
    const file = join(b.dir, "data.bin");
    writeFileSync(file, b.testbed.content);
    const r = await cli("manifest", file, "--block-bytes", String(128 * 1024), "--sub-block-bytes", String(16 * 1024));
    expect(r.code).toBe(0);
    const m = JSON.parse(readFileSync(`${file}.manifest.json`, "utf8"));
    expect(m.sha256).toBe(b.testbed.manifest.sha256);
    expect(m.sub_blocks).toEqual(b.testbed.manifest.subBlocks);
    const again = await cli("manifest", file, "--block-bytes", "4", "--sub-block-bytes", "2");
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/exists/);
  });

  it("testbed prints its nodes and manifest as JSON and stops after --duration", async () => {
    const r = await cli("testbed", "scenarios/calibration/servers-4.yaml", "--duration", "0.3", "--json");
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info.nodes).toHaveLength(4);
    expect(info.nodes.every((n: { url: string }) => n.url.startsWith("http://127.0.0.1:"))).toBe(true);
    expect(info.size_bytes).toBe(4194304);
    expect(existsSync(info.manifest)).toBe(false); // its temporary folder is gone
  });
});

describe("testbed limits", () => {
  it("refuses a scenario with more nodes than a testbed serves (exit 2)", async () => {
    const r = await cli("testbed", "scenarios/large.yaml", "--duration", "0.1");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/10001 nodes is more than the testbed serves \(256\)/); // 10,000 peers and the origin
  });
});
