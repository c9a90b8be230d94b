// `sim check`, in process: the unchanged tree passes against the committed baseline; on a one-scenario suite,
// --update-baseline writes a baseline, a baseline edited to look better than today fails (exit 1, JUnit
// failure, replay command), one edited to look worse passes as an improvement, and a missing baseline is
// bad input telling how to create it. The statistics themselves are tested in test/harness/check.test.ts.

import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Baseline } from "../../src/harness/check.ts";
import { cli } from "./sweep-helpers.ts";

const TMP = mkdtempSync(join(tmpdir(), "sim-check-"));
const SUITE = join(TMP, "suite");
const BASELINE = join(TMP, "baseline.json");

afterAll(() => rmSync(TMP, { recursive: true, force: true }));

/** A copy of the baseline with every metric scaled and every fingerprint changed (so it is compared). */
function edited(factor: number, name: string): string {
  const b = JSON.parse(readFileSync(BASELINE, "utf8")) as Baseline;
  const runs = b.runs.map((r) => ({
    ...r,
    fingerprint: `edited-${r.fingerprint}`,
    metrics: Object.fromEntries(Object.entries(r.metrics).map(([k, v]) => [k, v * factor])),
  }));
  const file = join(TMP, name);
  writeFileSync(file, JSON.stringify({ ...b, runs }));
  return file;
}

describe("sim check", () => {
  beforeAll(async () => {
    mkdirSync(SUITE);
    copyFileSync("scenarios/ci/small.yaml", join(SUITE, "small.yaml"));
    copyFileSync("scenarios/ci/thresholds.yaml", join(SUITE, "thresholds.yaml"));
  });

  it("passes the unchanged tree against the committed baseline", async () => {
    const r = await cli("check");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("### sim check: passed");
    expect(r.stdout).toContain("| ci-small | static | identical |");
  });

  it("--update-baseline writes the suite's runs to the given file", async () => {
    const r = await cli("check", "--suite", SUITE, "--baseline", BASELINE, "--update-baseline");
    expect(r.code).toBe(0);
    const b = JSON.parse(readFileSync(BASELINE, "utf8")) as Baseline;
    // 3 strategies × 6 seeds of ci-small.
    expect(b.runs).toHaveLength(18);
    expect(b.runs.every((x) => x.scenario === "ci-small" && x.error === null)).toBe(true);
    expect((await cli("check", "--suite", SUITE, "--baseline", BASELINE)).code).toBe(0);
  });

  it("fails (exit 1) against a baseline 10% better than today, with a JUnit failure and a replay command", async () => {
    const junit = join(TMP, "out", "check.xml");
    const summary = join(TMP, "step-summary.md");
    process.env.GITHUB_STEP_SUMMARY = summary;
    let r: Awaited<ReturnType<typeof cli>>;
    try {
      r = await cli("check", "--suite", SUITE, "--baseline", edited(1 / 1.1, "better.json"), "--config", join(SUITE, "thresholds.yaml"), "--junit", junit);
    } finally {
      delete process.env.GITHUB_STEP_SUMMARY;
    }
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("**regressed**");
    expect(r.stdout).toMatch(/npx sim run .*small\.yaml --strategy static --seed \d+ --seeds 1 --trace/);
    expect(r.stderr).toContain("ci-small/static regressed");
    const xml = readFileSync(junit, "utf8");
    expect(xml).toContain('<testsuite name="ci-small" tests="3" failures="3">');
    expect(xml).toMatch(/<failure message="regressed: regressed: [^"]*completion_s/);
    expect(readFileSync(summary, "utf8")).toContain("### sim check: 3 regression(s)");
  });

  it("passes (exit 0) against a baseline 10% worse than today: an improvement", async () => {
    const r = await cli("check", "--suite", SUITE, "--baseline", edited(1.1, "worse.json"));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("| ci-small | static | improved | completion_s |");
  });

  it("exits 2 for a missing baseline and says how to create it", async () => {
    const missing = join(TMP, "none.json");
    const r = await cli("check", "--suite", SUITE, "--baseline", missing);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${missing} does not exist`);
    expect(r.stderr).toContain(`npx sim check --update-baseline --baseline ${missing}`);
    expect(existsSync(missing)).toBe(false);
  });

  it("exits 2 for a missing suite folder or config file", async () => {
    expect((await cli("check", "--suite", join(TMP, "nope"))).code).toBe(2);
    expect((await cli("check", "--suite", SUITE, "--baseline", BASELINE, "--config", join(TMP, "nope.yaml"))).code).toBe(2);
  });
});
