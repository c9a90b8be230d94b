// What the commands promise about a user's files and about failures, through the CLI in this process:
// - a folder sim did not write is refused before any simulation (exit 2, nothing touched), --force-into writes
//   there and later clears only sim's own files; a scenario name cannot make the default folder leave reports/;
// - output folders that cannot be written (under a file, read-only, `/`) exit 2 before any simulation;
// - a run past its wall-clock budget is a failed run (exit 1) in `sim run` and `sim sweep`, whose outputs are
//   still written; a resumed sweep redoes such runs and any store entry that is not sound (`{}`), which
//   `sim merge` and `sim report` name and refuse (exit 2);
// - a sweep's workers get the resolved scenario, never the file (which may change or vanish meanwhile).

import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runSweep } from "../../src/harness/sweep-run.ts";
import { readScenarioInput } from "../../src/scenario/load.ts";
import { cli } from "./sweep-helpers.ts";

const TMP = mkdtempSync(join(tmpdir(), "sim-safety-"));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const SMALL = "scenarios/ci/small.yaml";
const visible = (d: string) => readdirSync(d).filter((f) => !f.startsWith(".")).sort();

/** A user's folder: their own index.html and charts/logo.png. */
function userFolder(name: string): string {
  const dir = join(TMP, name);
  mkdirSync(join(dir, "charts"), { recursive: true });
  writeFileSync(join(dir, "index.html"), "<p>my page</p>");
  writeFileSync(join(dir, "charts", "logo.png"), "my logo");
  return dir;
}

describe("a folder sim did not write", () => {
  it("is refused before any simulation, and left exactly as it was", async () => {
    const dir = userFolder("user-run");
    const r = await cli("run", SMALL, "--out", dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refusing to write into .*user-run: it is not empty.*"charts", "index\.html".*--force-into/);
    expect(r.stdout).toBe(""); // no table: nothing ran
    expect(visible(dir)).toEqual(["charts", "index.html"]);
    expect(readdirSync(join(dir, "charts"))).toEqual(["logo.png"]);
    expect(readFileSync(join(dir, "index.html"), "utf8")).toBe("<p>my page</p>");
    const s = await cli("sweep", SMALL, "--seeds", "1", "--no-report", "--out", dir);
    expect(s.code).toBe(2);
    expect(readdirSync(dir).sort()).toEqual(["charts", "index.html"]);
  });

  it("takes the outputs with --force-into; later runs remove only sim's own files", async () => {
    const dir = userFolder("forced");
    expect((await cli("run", SMALL, "--seeds", "1", "--out", dir, "--force-into")).code).toBe(0);
    expect(readFileSync(join(dir, "charts", "logo.png"), "utf8")).toBe("my logo");
    expect(readFileSync(join(dir, "index.html"), "utf8")).toMatch(/^<!doctype html>/i); // replaced: named as an output
    // A run without the report removes the charts, index.html and summary.md sim wrote, not the logo.
    expect((await cli("run", SMALL, "--seeds", "1", "--out", dir, "--no-report")).code).toBe(0);
    expect(visible(dir)).toEqual(["blocks.csv", "charts", "runs.csv", "series.csv", "subblocks.csv", "summary.json"]);
    expect(readdirSync(join(dir, "charts"))).toEqual(["logo.png"]);
  });

  it("never becomes the default folder through a scenario's name", async () => {
    for (const name of ["..", ".", "a/../.."]) {
      const file = join(TMP, "named.yaml");
      writeFileSync(file, readFileSync(SMALL, "utf8").replace(/^name: .*$/m, `name: "${name}"`));
      const r = await cli("run", file, "--seeds", "1", "--no-report");
      expect(r.code, name).toBe(2);
      expect(existsSync(".sim-manifest.json")).toBe(false);
      expect(existsSync(join("reports", ".sim-manifest.json"))).toBe(false);
    }
  });
});

describe("an output folder that cannot be written", () => {
  it("exits 2 before any simulation: under a file, `/`, a read-only folder", async () => {
    const file = join(TMP, "a-file");
    writeFileSync(file, "x");
    const under = await cli("run", SMALL, "--out", join(file, "out"));
    expect(under.code).toBe(2);
    expect(under.stderr).toMatch(/a-file is a file, not a folder/);
    expect(under.stdout).toBe("");
    const slash = await cli("run", SMALL, "--out", "/");
    expect(slash.code).toBe(2); // not writable as a user; not sim's (it is not empty) as root
    expect(slash.stdout).toBe("");
    for (const command of ["run", "sweep"]) {
      const bad = await cli(command, SMALL, "--wall-s", "0", "--out", join(TMP, "never"));
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/--wall-s expects a number of seconds > 0/);
    }
    expect(existsSync(join(TMP, "never"))).toBe(false);
  });

  it.skipIf(process.getuid?.() === 0)("exits 2 for a read-only folder (as a user: root may write anywhere)", async () => {
    const ro = join(TMP, "read-only");
    mkdirSync(ro);
    chmodSync(ro, 0o555);
    const r = await cli("run", SMALL, "--out", join(ro, "out"));
    chmodSync(ro, 0o755);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not writable \(permission denied\)/);
  });
});

describe("runs past their wall-clock budget", () => {
  it("fail in `sim run` (exit 1) with the reason in runs.csv", async () => {
    const dir = join(TMP, "budget-run");
    const r = await cli("run", SMALL, "--seeds", "1", "--strategy", "static", "--no-report", "--wall-s", "0.000001", "--out", dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/run failed: static seed 1: wall-limit: the run was stopped after its wall-clock budget of 0\.000001 s/);
    expect(readFileSync(join(dir, "runs.csv"), "utf8")).toMatch(/wall-limit/);
  });

  it("fail in `sim sweep` (exit 1), the sweep completes, and a resume redoes them", async () => {
    const dir = join(TMP, "budget-sweep");
    const args = ["sweep", SMALL, "--seeds", "2", "--strategy", "static", "--no-report", "--jobs", "1", "--out", dir];
    const r = await cli(...args, "--wall-s", "0.000001");
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/2 run\(s\) of 2: 2 run, 0 reused .*, 2 failed/);
    expect(readFileSync(join(dir, "runs.csv"), "utf8").match(/wall-limit/g)).toHaveLength(2);
    const again = await cli(...args);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/2 run\(s\) of 2: 2 run, 0 reused .*, 0 failed/);
  });
});

describe("the run store", () => {
  it("redoes an entry that is not sound; merge and report name it and exit 2", async () => {
    const dir = join(TMP, "store");
    const args = ["sweep", SMALL, "--seeds", "2", "--strategy", "static,index", "--no-report", "--jobs", "1", "--out", dir];
    expect((await cli(...args)).code).toBe(0);
    const keys: string[] = JSON.parse(readFileSync(join(dir, "sweep.json"), "utf8")).runs;
    const entry = (i: number) => join(dir, "runs", `${keys[i]}.json`);
    const good = keys.map((_, i) => readFileSync(entry(i), "utf8"));
    const withoutField = (text: string) => text.replace(/"completionS":[^,]*,/, "");
    // Four kinds of unsound entry: not a result's shape, not JSON, another run's result, a field missing.
    for (const bad of ["{}", "not json", good[2], withoutField(good[1])]) {
      // Each on its own: merge and report name it.
      const copy = join(TMP, "store-copy");
      rmSync(copy, { recursive: true, force: true });
      cpSync(dir, copy, { recursive: true });
      writeFileSync(join(copy, "runs", `${keys[1]}.json`), bad);
      for (const [command, ...rest] of [["report", copy], ["merge", copy, "--out", join(TMP, "merged")]]) {
        const m = await cli(command, ...rest);
        expect(m.code, `${command} ${bad.slice(0, 20)}`).toBe(2);
        expect(m.stderr).toContain(`${keys[1]}.json: not a stored result of point 0 static seed 2`);
      }
    }
    // All four kinds at once, one per entry: a resumed sweep redoes every one of them.
    for (const [i, bad] of ["{}", "not json", good[3], withoutField(good[3])].entries()) writeFileSync(entry(i), bad);
    const r = await cli(...args);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/4 run\(s\) of 4: 4 run, 0 reused/);
    for (const [i, text] of good.entries()) expect(readFileSync(entry(i), "utf8")).toBe(text);
  });

  it("gets its results from the scenario as read at the start, never from the file again", async () => {
    const file = join(TMP, "vanishing.yaml");
    writeFileSync(file, readFileSync(SMALL, "utf8"));
    const source = { file, ...readScenarioInput(file) };
    rmSync(file); // workers that re-read the file would fail every run
    const outcome = await runSweep({
      file: source,
      plan: { seeds: [1, 2], strategies: ["static"] },
      jobs: 1,
      outDir: join(TMP, "vanishing-out"),
    });
    expect(outcome.failures).toEqual([]);
    expect(outcome.results).toHaveLength(2);
  });
});
