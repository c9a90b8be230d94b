// The prebuilt bundle the `sim` command runs from (bin/bundle.mjs): its stamp follows the sources, so a stale
// bundle is never used, and the bundled CLI writes exactly the bytes the TypeScript sources write.

import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
// @ts-expect-error: a plain JavaScript module of the command, without type declarations
import { sourceStamp } from "../../bin/bundle.mjs";

const ROOT = new URL("../../", import.meta.url).pathname;
const BIN = join(ROOT, "bin/sim.mjs");
const TMP = mkdtempSync(join(tmpdir(), "sim-bundle-"));

afterAll(() => rmSync(TMP, { recursive: true, force: true }));

function sim(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, CI: "1", ...env } }, (error, _out, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stderr });
    });
  });
}

describe("the bundle's source stamp", () => {
  const root = join(TMP, "pkg");
  mkdirSync(join(root, "src/sim"), { recursive: true });
  const file = join(root, "src/sim/a.ts");
  writeFileSync(file, "export const a = 1;\n");
  utimesSync(file, 1_000_000, 1_000_000);

  it("is the same while the sources are unchanged", () => {
    expect(sourceStamp(root)).toBe(sourceStamp(root));
    expect(sourceStamp(root)).toMatch(/^[0-9a-f]{16}$/);
  });

  it("changes when a source is edited, added or removed", () => {
    const before = sourceStamp(root);
    writeFileSync(file, "export const a = 2;\n"); // same size, new mtime
    const edited = sourceStamp(root);
    expect(edited).not.toBe(before);
    writeFileSync(join(root, "src/b.ts"), "export {};\n");
    const added = sourceStamp(root);
    expect(added).not.toBe(edited);
    rmSync(join(root, "src/b.ts"));
    expect(sourceStamp(root)).toBe(edited);
  });
});

describe("the bundled CLI", () => {
  it("writes the same run folder as the TypeScript sources", { timeout: 60_000 }, async () => {
    const bundled = join(TMP, "bundled");
    const sources = join(TMP, "sources");
    const args = ["run", "test/fixtures/ordering.yaml", "--seeds", "2", "--no-report", "--out"];
    const [a, b] = await Promise.all([
      sim({ SIM_NO_BUNDLE: "", SIM_DEBUG_BUNDLE: "1" }, ...args, bundled), // says so on stderr if it falls back,
      sim({ SIM_NO_BUNDLE: "1" }, ...args, sources),
    ]);
    expect(a).toEqual({ code: 0, stderr: "" });
    expect(b).toEqual({ code: 0, stderr: "" });
    for (const f of ["runs.csv", "blocks.csv", "subblocks.csv", "series.csv", "summary.json"]) {
      expect(readFileSync(join(bundled, f), "utf8"), f).toBe(readFileSync(join(sources, f), "utf8"));
    }
  });
});
