// `sim check`, in process, on a one-scenario suite with a small cap: --update-baseline writes exactly the seeds
// the committed baseline (reports/baseline.json, written by the gate of an earlier tree) holds for them, and the
// tree is identical to that committed baseline; a copy of it edited to look better than today fails (exit 1:
// regression, JUnit, replay folder, job summary), one edited to look worse passes as improved, one edited to be
// noisy is inconclusive (exit 1, or 0 with --allow-inconclusive); a team's own strategy (--strategy-module) is
// gated like a shipped one; and every bad input (baseline missing, holding nulls or strings, in an older format
// or with too few seeds, --junit or --baseline naming a folder, bad thresholds, an unknown strategy, a bad
// module) exits 2 before any simulation runs. The statistics themselves are tested in
// test/harness/check-*.test.ts. That the whole unchanged tree passes the committed baseline (1,296 runs) is CI's
// `sim check` step (.ci/run), not repeated here.

import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Baseline } from "../../src/harness/check-baseline.ts";
import { cli } from "./sweep-helpers.ts";

const TMP = mkdtempSync(join(tmpdir(), "sim-check-"));
const SUITE = join(TMP, "suite");
const THRESHOLDS = join(SUITE, "thresholds.yaml");
const BASELINE = join(TMP, "baseline.json");
/** The gate's committed baseline: the independent expectation (its groups hold seeds 1–48). */
const COMMITTED = "reports/baseline.json";
const MARKER = "test/fixtures/strategies/marker.mjs";

afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const markerBlocks = () => (globalThis as { __simMarkerBlocks?: number }).__simMarkerBlocks ?? 0;

/** A copy of the committed baseline with every metric changed by f(value, seed index) and every fingerprint changed. */
function edited(name: string, f: (v: number, i: number) => number): string {
  const b = JSON.parse(readFileSync(COMMITTED, "utf8")) as Baseline;
  const groups = b.groups.map((g) => ({
    ...g,
    fingerprints: g.fingerprints.map((x) => `edited-${x}`),
    metrics: Object.fromEntries(Object.entries(g.metrics).map(([k, vs]) => [k, vs.map(f)])),
  }));
  const file = join(TMP, name);
  writeFileSync(file, JSON.stringify({ ...b, groups }));
  return file;
}

/** A copy of the baseline with one value replaced (to make it malformed). */
function malformed(name: string, change: (b: Record<string, unknown> & { groups: Record<string, unknown>[] }) => void): string {
  const b = JSON.parse(readFileSync(BASELINE, "utf8"));
  change(b);
  const file = join(TMP, name);
  writeFileSync(file, JSON.stringify(b));
  return file;
}

describe("sim check", () => {
  beforeAll(() => {
    mkdirSync(SUITE);
    copyFileSync("scenarios/ci/small.yaml", join(SUITE, "small.yaml"));
    // A small cap keeps these tests quick: looks of 3, 6, 12 seeds.
    writeFileSync(
      THRESHOLDS,
      readFileSync("scenarios/ci/thresholds.yaml", "utf8").replace(/^min_seeds: \d+$/m, "min_seeds: 3").replace(/^max_seeds: \d+$/m, "max_seeds: 12"),
    );
  });

  it("--update-baseline writes every seed up to max_seeds of the chosen strategies, as the committed baseline holds them", async () => {
    const r = await cli("check", "--suite", SUITE, "--baseline", BASELINE, "--strategy", "static,index", "--update-baseline");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`wrote ${BASELINE} (2 groups × 12 seeds = 24 runs)`);
    const b = JSON.parse(readFileSync(BASELINE, "utf8")) as Baseline;
    expect(b.groups.map((g) => [g.scenario, g.strategy, g.seeds.length])).toEqual([
      ["ci-small", "static", 12],
      ["ci-small", "index", 12],
    ]);
    const committed = JSON.parse(readFileSync(COMMITTED, "utf8")) as Baseline;
    for (const g of b.groups) {
      const c = committed.groups.find((x) => x.scenario === g.scenario && x.strategy === g.strategy)!;
      const first12 = <T>(xs: readonly T[]) => xs.slice(0, 12);
      expect(g.seeds).toEqual(first12(c.seeds));
      expect(g.fingerprints).toEqual(first12(c.fingerprints));
      for (const [m, vs] of Object.entries(g.metrics)) expect(vs, m).toEqual(first12(c.metrics[m as keyof typeof c.metrics]));
    }
  });

  it("finds the tree identical to the committed baseline", async () => {
    const r = await cli("check", "--suite", SUITE, "--baseline", COMMITTED, "--strategy", "static,index");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("| ci-small | static, index | identical |");
  });

  it("fails (exit 1) against a baseline 10% better than today: regression, JUnit, a replay folder, the job summary", async () => {
    const junit = join(TMP, "out", "check.xml");
    const summary = join(TMP, "step-summary.md");
    process.env.GITHUB_STEP_SUMMARY = summary;
    let r: Awaited<ReturnType<typeof cli>>;
    try {
      r = await cli("check", "--suite", SUITE, "--baseline", edited("better.json", (v) => (v > 0 ? v / 1.1 : v)), "--strategy", "static,index", "--junit", junit);
    } finally {
      delete process.env.GITHUB_STEP_SUMMARY;
    }
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/\| ci-small \| static \| \*\*regression\*\* \| completion_s \| 3 \| [\d.]+ \| [\d.]+ \| \+10\.0% \|/);
    expect(r.stdout).toMatch(/npx sim run .*small\.yaml --strategy static --seed \d+ --seeds 1 --trace --out reports\/replay\/ci-small-static-seed\d+\n/);
    expect(r.stderr).toContain("sim check failed: ci-small/static regression, ci-small/index regression");
    const xml = readFileSync(junit, "utf8");
    expect(xml).toContain('<testsuite name="ci-small" tests="2" failures="2">');
    expect(xml).toMatch(/<failure message="regression: completion_s regression: \+10\.0% \(bounds \+[\d.]+% to \+[\d.]+%, allowed \+2\.0%\) over 3 seeds; /);
    expect(readFileSync(summary, "utf8")).toContain("### sim check: failed");
  });

  it("passes (exit 0) against a baseline 10% worse than today: improved", async () => {
    const r = await cli("check", "--suite", SUITE, "--baseline", edited("worse.json", (v) => (v > 0 ? v * 1.1 : v)), "--strategy", "static,index");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("| ci-small | static | improved | completion_s | 3 |");
  });

  it("fails on an inconclusive verdict (±5% by seed) after every seed, unless --allow-inconclusive", async () => {
    const noisy = edited("noisy.json", (v, i) => (v > 0 ? v * (i % 2 === 0 ? 1.05 : 0.95) : v));
    const r = await cli("check", "--suite", SUITE, "--baseline", noisy, "--strategy", "static");
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("| ci-small | static | **inconclusive** | completion_s | 12 |");
    expect(r.stderr).toContain("inconclusive: the change could not be shown within the thresholds nor beyond them");
    const allowed = await cli("check", "--suite", SUITE, "--baseline", noisy, "--strategy", "static", "--allow-inconclusive");
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toContain("(inconclusive allowed)");
  });

  it("gates a team's own strategy (--strategy-module) like a shipped one", async () => {
    const mine = join(TMP, "mine.json");
    const module = "test/fixtures/strategies/round-robin.ts";
    const args = ["--suite", SUITE, "--baseline", mine, "--strategy", "round-robin"];
    expect((await cli("check", ...args, "--strategy-module", module, "--update-baseline")).code).toBe(0);
    const same = await cli("check", ...args, "--strategy-module", module);
    expect(same.code).toBe(0);
    expect(same.stdout).toContain("| ci-small | round-robin | identical |");
    const worse = await cli("check", ...args, "--strategy-module", "test/fixtures/strategies/round-robin-worse.ts");
    expect(worse.code).toBe(1);
    expect(worse.stdout).toContain("| ci-small | round-robin | **regression** | completion_s |");
    expect(worse.stdout).toContain("--strategy-module test/fixtures/strategies/round-robin-worse.ts --trace --out reports/replay/ci-small-round-robin-seed");
  });

  describe("bad input: exit 2 before any simulation", () => {
    /** Runs `sim check` on the suite with the marker strategy too; asserts exit 2, the message, and that nothing ran. */
    async function refused(message: string | RegExp, ...args: string[]): Promise<void> {
      const before = markerBlocks();
      const r = await cli("check", "--suite", SUITE, "--strategy-module", MARKER, ...args);
      expect(r.code, r.stderr).toBe(2);
      if (typeof message === "string") expect(r.stderr).toContain(message);
      else expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
      expect(markerBlocks()).toBe(before);
    }

    beforeAll(async () => {
      // A baseline that covers the marker too, so that a check that did not refuse would run it.
      expect((await cli("check", "--suite", SUITE, "--baseline", BASELINE, "--strategy-module", MARKER, "--strategy", "static,marker", "--update-baseline")).code).toBe(0);
      expect(markerBlocks()).toBeGreaterThan(0);
      const ok = await cli("check", "--suite", SUITE, "--baseline", BASELINE, "--strategy-module", MARKER, "--strategy", "static,marker");
      expect(ok.code).toBe(0);
    });

    it("a missing baseline, saying how to create it", async () => {
      const missing = join(TMP, "none.json");
      await refused(`${missing} does not exist; create it from the current tree with \`npx sim check --update-baseline --baseline ${missing}\``, "--baseline", missing);
      expect(existsSync(missing)).toBe(false);
    });

    it("a baseline holding nulls or strings, in an older format, or with fewer seeds than max_seeds", async () => {
      const withNull = malformed("null.json", (b) => {
        (b.groups[1].metrics as Record<string, unknown[]>).completion_s[4] = null;
      });
      await refused(`${withNull}: not a sim check baseline: groups[1].metrics.completion_s[4]: expected a number, found null`, "--baseline", withNull);
      const withString = malformed("string.json", (b) => {
        b.groups[0].fingerprints = "abc";
      });
      await refused(`${withString}: not a sim check baseline: groups[0].fingerprints: expected a list, found the string "abc"`, "--baseline", withString);
      const old = join(TMP, "old.json");
      writeFileSync(old, JSON.stringify({ tool: { name: "sim", version: "0.1.0" }, runs: [] }));
      await refused(/a baseline in the format of an older sim check .*--update-baseline/, "--baseline", old);
      await refused(/the baseline holds seeds 1–12 of ci-small\/static; the suite and thresholds need seeds 1–48 \(max_seeds 48\)/, "--baseline", BASELINE, "--config", "scenarios/ci/thresholds.yaml");
      const notJson = join(TMP, "garbage.json");
      writeFileSync(notJson, "\u0000\u0001 not json");
      await refused(`${notJson}: not valid JSON`, "--baseline", notJson);
    });

    it("--junit naming a folder, --baseline naming a folder with --update-baseline, either under a file", async () => {
      await refused(`--junit: ${TMP} is a folder; give a file path`, "--baseline", BASELINE, "--junit", TMP);
      await refused(`--baseline: ${TMP} is a folder; give a file path`, "--baseline", TMP, "--update-baseline");
      await refused(`--baseline: ${TMP}: expected a baseline file, found a folder`, "--baseline", TMP);
      const underFile = join(BASELINE, "x.xml");
      await refused(`--junit: ${underFile} is under ${BASELINE}, which is a file`, "--baseline", BASELINE, "--junit", underFile);
    });

    it("bad thresholds, an unknown strategy, a bad strategy module", async () => {
      const bad = join(TMP, "bad-thresholds.yaml");
      writeFileSync(bad, "metrics:\n  completion_s: { max_increase_pct: -1 }\n");
      await refused(/bad-thresholds\.yaml: metrics\.completion_s\.max_increase_pct: /, "--baseline", BASELINE, "--config", bad);
      writeFileSync(bad, "max_seeds: 2\nmetrics: { completion_s: { max_increase_pct: 2 } }\n");
      await refused(/max_seeds: /, "--baseline", BASELINE, "--config", bad);
      await refused(`--config: ${join(TMP, "nope.yaml")} does not exist`, "--baseline", BASELINE, "--config", join(TMP, "nope.yaml"));
      await refused('--strategy: unknown strategy "rebalanse" (did you mean "rebalance"?)', "--baseline", BASELINE, "--strategy", "rebalanse");
      const r = await cli("check", "--suite", SUITE, "--baseline", BASELINE, "--strategy-module", "test/fixtures/strategies/bad/clash.mjs");
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('strategy "static" has the name of a built-in strategy');
      expect((await cli("check", "--suite", join(TMP, "nope"))).code).toBe(2);
    });
  });
});
