// The gate's sequential judgement of one (scenario, strategy) group, with hand-made runs (no simulation): an
// unchanged group runs every seed and is identical; a shifted group is decided at the first look; a noisy one
// runs to the cap and stays inconclusive; a failed run, a missing baseline group, a group that only diverges on
// later seeds, a pipelining strategy (per-block metrics not judged), the causes of the worst seed, and the
// tables and JUnit text of the verdicts.

import { describe, expect, it } from "vitest";
import type { Baseline, BaselineGroup } from "../../src/harness/check-baseline.ts";
import { CHECK_CAUSE_NAMES, CHECK_METRIC_NAMES, type CheckConfig } from "../../src/harness/check-config.ts";
import { checkJunit, checkMarkdown } from "../../src/harness/check-report.ts";
import { judgeGroup, replayCommand, type SeedResult, type SuiteGroup } from "../../src/harness/check.ts";

const config: CheckConfig = {
  confidence: 0.95,
  min_seeds: 3,
  max_seeds: 12,
  metrics: { completion_s: { max_increase_pct: 2 }, mean_block_s: { max_increase_pct: 2 }, origin_bytes: { max_increase_abs: 1000 } },
};
const seeds = Array.from({ length: 12 }, (_, i) => 1 + i);
const group = { scenario: "s", file: "suite/s.yaml", strategy: "static", seeds, keepsBlockRule: true } as unknown as SuiteGroup;

/** Baseline: completion 10 s, mean block 1 s, origin 0 on every seed; fingerprint "f<seed>"; 2 rebalances. */
function baselineGroup(): BaselineGroup {
  const metrics = Object.fromEntries(CHECK_METRIC_NAMES.map((m) => [m, seeds.map(() => 0)])) as BaselineGroup["metrics"];
  metrics.completion_s = seeds.map(() => 10);
  metrics.mean_block_s = seeds.map(() => 1);
  const causes = Object.fromEntries(CHECK_CAUSE_NAMES.map((c) => [c, seeds.map(() => 0)])) as BaselineGroup["causes"];
  causes.rebalances = seeds.map(() => 2);
  return { scenario: "s", file: "suite/s.yaml", strategy: "static", seeds, fingerprints: seeds.map((s) => `f${s}`), metrics, causes };
}
const baseline: Baseline = { format: 2, tool: { name: "sim", version: "0" }, max_seeds: 12, groups: [baselineGroup()] };

/** A run of the current code: completion from `completion(seed)`, the baseline's fingerprint when `same(seed)`. */
function runner(completion: (seed: number) => number, same: (seed: number) => boolean = () => false) {
  const ran: number[] = [];
  const run = (seed: number): SeedResult => {
    ran.push(seed);
    const c = completion(seed);
    const metrics = Object.fromEntries(CHECK_METRIC_NAMES.map((m) => [m, 0])) as Record<(typeof CHECK_METRIC_NAMES)[number], number>;
    metrics.completion_s = c;
    metrics.mean_block_s = c / 10;
    const causes = Object.fromEntries(CHECK_CAUSE_NAMES.map((k) => [k, 0])) as Record<(typeof CHECK_CAUSE_NAMES)[number], number>;
    causes.rebalances = seed === 7 ? 9 : 2;
    return { seed, fingerprint: same(seed) ? `f${seed}` : `g${seed}`, error: null, metrics, causes };
  };
  return { run, ran };
}

describe("judgeGroup", () => {
  it("runs every seed of an unchanged group and calls it identical", () => {
    const { run, ran } = runner(() => 10, () => true);
    const j = judgeGroup(group, baseline, config, run);
    expect(j).toMatchObject({ verdict: "identical", seeds: 12, metrics: [], replay: null });
    expect(ran).toEqual(seeds);
  });

  it("decides a shift of +5% at the first look (3 seeds): regression, with the replay command of the worst seed", () => {
    const { run, ran } = runner(() => 10.5);
    const j = judgeGroup(group, baseline, config, run);
    expect(ran).toEqual([1, 2, 3]);
    expect(j.verdict).toBe("regression");
    const c = j.metrics.find((m) => m.metric === "completion_s")!;
    // Every difference is 0.5 (zero spread): bounds [0.5, 0.5] against Δ = 2% of 10 = 0.2.
    expect(c).toMatchObject({ verdict: "regression", n: 3, baselineMean: 10, currentMean: 10.5, interval: [0.5, 0.5], margin: 0.2 });
    expect(c.changePct).toBeCloseTo(5, 12);
    expect(c.intervalPct).toEqual([5, 5]);
    // In the order of runs.csv's columns: completion_s, origin_bytes (+0 within its 1000 bytes), mean_block_s.
    expect(j.metrics.map((m) => [m.metric, m.verdict])).toEqual([
      ["completion_s", "regression"],
      ["origin_bytes", "pass"],
      ["mean_block_s", "regression"],
    ]);
    expect(j.replay).toBe("npx sim run suite/s.yaml --strategy static --seed 1 --seeds 1 --trace --out reports/replay/s-static-seed1");
    // The shrink command keeps that seed's run above the baseline's value of the metric with the largest rise:
    // both rise by 5%, mean_block_s by 100 × 0.05 / 1 = 5.000000000000004% in floating point, completion_s by
    // exactly 100 × 0.5 / 10 = 5%: mean_block_s, above its baseline of 1 s.
    expect(j.shrink).toBe("npx sim shrink suite/s.yaml --seed 1 --strategy static --until 'mean_block_s > 1'");
  });

  it("passes a shift of +0.5% at the first look", () => {
    const { run, ran } = runner(() => 10.05);
    expect(judgeGroup(group, baseline, config, run).verdict).toBe("pass");
    expect(ran).toHaveLength(3);
  });

  it("runs a noisy group (±5% by seed, mean 0) to the cap and leaves it inconclusive", () => {
    const { run, ran } = runner((s) => (s % 2 === 0 ? 10.5 : 9.5));
    const j = judgeGroup(group, baseline, config, run);
    expect(ran).toEqual(seeds);
    expect(j.verdict).toBe("inconclusive");
    const c = j.metrics.find((m) => m.metric === "completion_s")!;
    // 12 differences ±0.5, mean 0, sd 0.5·√(12/11); t(1 − 0.05/3, 11) = 2.43129 (scipy) (3 looks: 3, 6, 12 seeds).
    const half = 2.431291192870679 * ((0.5 * Math.sqrt(12 / 11)) / Math.sqrt(12));
    expect(c.interval[0]).toBeCloseTo(-half, 9);
    expect(c.interval[1]).toBeCloseTo(half, 9);
    expect(c.worst).toMatchObject({ seed: 2, diff: 0.5, outlier: false });
    expect(j.detail).toBe("inconclusive after 12 seeds: completion_s, mean_block_s");
  });

  it("keeps running while the first seeds are identical, and judges every seed once one differs", () => {
    const { run, ran } = runner((s) => (s === 5 ? 12 : 10), (s) => s !== 5);
    const j = judgeGroup(group, baseline, config, run);
    expect(ran).toEqual(seeds); // identical at 3; at 6 and 12 one seed of +20% cannot be shown within 2%
    const c = j.metrics.find((m) => m.metric === "completion_s")!;
    expect(c.n).toBe(12);
    expect(c.worst).toMatchObject({ seed: 5, diff: 2, outlier: true });
    expect(j.verdict).toBe("inconclusive");
  });

  it("shows the causes on the worst seed, baseline and current", () => {
    const { run } = runner((s) => (s === 7 ? 11 : 10.5));
    const j = judgeGroup(group, baseline, config, run);
    const c = j.metrics.find((m) => m.metric === "completion_s")!;
    expect(c.worst.seed).toBe(1); // at the first look (seeds 1–3) every rise is 0.5: the first wins
    expect(c.worst.causes.rebalances).toEqual([2, 2]);
  });

  it("judges only the metrics valid for every strategy when the strategy pipelines blocks", () => {
    const { run } = runner(() => 10.5);
    const j = judgeGroup({ ...group, keepsBlockRule: false }, baseline, config, run);
    expect(j.metrics.map((m) => m.metric)).toEqual(["completion_s", "origin_bytes"]);
  });

  it("does not judge start-up delay in a scenario without a player (-1 everywhere)", () => {
    const noPlayer = baselineGroup();
    (noPlayer.metrics.startup_delay_s as number[]).fill(-1);
    const withStartup: CheckConfig = { ...config, metrics: { ...config.metrics, startup_delay_s: { max_increase_pct: 2 } } };
    const { run } = runner(() => 10.5);
    const minusOne = (seed: number): SeedResult => {
      const r = run(seed);
      return { ...r, metrics: { ...r.metrics, startup_delay_s: -1 } };
    };
    const j = judgeGroup(group, { ...baseline, groups: [noPlayer] }, withStartup, minusOne);
    expect(j.metrics.map((m) => m.metric)).toEqual(["completion_s", "origin_bytes", "mean_block_s"]);
    // With a player (0 s in the baseline here), it is judged.
    expect(judgeGroup(group, baseline, withStartup, run).metrics.map((m) => m.metric)).toContain("startup_delay_s");
  });

  it("leaves out the seeds where the throughput bound is unknown (-1) on either side", () => {
    const withBound = baselineGroup();
    withBound.metrics.throughput_bound_ratio = seeds.map((s) => (s === 2 ? -1 : 1));
    const judgeBound: CheckConfig = { ...config, metrics: { throughput_bound_ratio: { max_increase_pct: 2 } } };
    const { run, ran } = runner(() => 10);
    const bound = (seed: number): SeedResult => {
      const r = run(seed);
      return { ...r, metrics: { ...r.metrics, throughput_bound_ratio: seed === 3 ? -1 : 1.1 } };
    };
    const j = judgeGroup(group, { ...baseline, groups: [withBound] }, judgeBound, bound);
    // First look: seeds 1–3 give one usable pair (inconclusive); second look: seeds 1, 4, 5, 6, all +0.1.
    expect(ran).toEqual([1, 2, 3, 4, 5, 6]);
    expect(j.metrics[0]).toMatchObject({ metric: "throughput_bound_ratio", verdict: "regression", n: 4 });
    expect(j.metrics[0].interval[0]).toBeCloseTo(0.1, 12);
  });

  it("passes a changed group when the thresholds judge none of its metrics", () => {
    const perBlockOnly: CheckConfig = { ...config, metrics: { mean_block_s: { max_increase_pct: 2 } } };
    const j = judgeGroup({ ...group, keepsBlockRule: false }, baseline, perBlockOnly, runner(() => 20).run);
    expect(j).toMatchObject({ verdict: "pass", seeds: 3, metrics: [], detail: "changed; the thresholds judge no metric of this strategy" });
  });

  it("stops at a failed run, and runs nothing without a baseline group", () => {
    const failing = (seed: number): SeedResult => ({ ...runner(() => 10).run(seed), error: seed === 2 ? "boom" : null });
    const j = judgeGroup(group, baseline, config, failing);
    expect(j).toMatchObject({ verdict: "failed", seeds: 2, detail: "seed 2 failed: boom" });
    expect(j.replay).toContain("--seed 2 ");
    expect(j.shrink).toBe("npx sim shrink suite/s.yaml --seed 2 --strategy static --until failed");
    const { run, ran } = runner(() => 10);
    expect(judgeGroup({ ...group, strategy: "mine" }, baseline, config, run).verdict).toBe("no-baseline");
    expect(ran).toEqual([]);
  });

  it("writes replay commands into a folder per run, with the module and shell quoting", () => {
    expect(replayCommand({ file: "my suite/a.yaml", scenario: "a", strategy: "x" }, 3, "lib/mine.ts")).toBe(
      "npx sim run 'my suite/a.yaml' --strategy x --seed 3 --seeds 1 --strategy-module lib/mine.ts --trace --out reports/replay/a-x-seed3",
    );
  });
});

describe("the gate's table and JUnit", () => {
  const regression = judgeGroup(group, baseline, config, runner(() => 10.5).run);
  const identical = judgeGroup({ ...group, strategy: "index" }, { ...baseline, groups: [{ ...baselineGroup(), strategy: "index" }] }, config, runner(() => 10, () => true).run);
  const inconclusive = judgeGroup({ ...group, strategy: "pull" }, { ...baseline, groups: [{ ...baselineGroup(), strategy: "pull" }] }, config, runner((s) => (s % 2 === 0 ? 10.5 : 9.5)).run);
  const report = { groups: [regression, identical, inconclusive], config, notes: [], allowInconclusive: false };

  it("shows a row per judged metric with the change, the bounds in the unit and in %, the allowance and the worst seed", () => {
    const md = checkMarkdown(report);
    expect(md.startsWith("### sim check: failed\n\n3 group(s) (scenario × strategy): 1 identical, 1 inconclusive, 1 regression.\n")).toBe(true);
    expect(md).toContain("| s | static | **regression** | completion_s | 3 | 10 | 10.5 | +5.0% | [+0.5, +0.5] | [+5.0%, +5.0%] | +0.2 (+2.0%) | 1: +0.5 (+5.0%) | 2 | 0 | 0 | 0 | 0 |");
    expect(md).toContain("| s | index | identical | every fingerprint matches the baseline | 12 |");
    expect(md).toContain("| s | pull | **inconclusive** | completion_s | 12 |");
    expect(md).toContain("    npx sim run suite/s.yaml --strategy static --seed 1 --seeds 1 --trace --out reports/replay/s-static-seed1");
    expect(md).toContain("    npx sim shrink suite/s.yaml --seed 1 --strategy static --until 'mean_block_s > 1'");
    expect(md).not.toContain("--strategy pull --until"); // inconclusive: no shrink command
    expect(md).toContain("each one-sided at 98.333% (1 − 0.95 split over 3 look(s) of 3, 6, 12 seeds)");
  });

  it("writes JUnit failures whose message says in one line what failed, by how much, over how many seeds", () => {
    const xml = checkJunit(report);
    expect(xml).toContain('<testsuites name="sim check" tests="3" failures="2">');
    expect(xml).toContain(
      '<failure message="regression: completion_s regression: +5.0% (bounds +5.0% to +5.0%, allowed +2.0%) over 3 seeds; mean_block_s regression: +5.0% (bounds +5.0% to +5.0%, allowed +2.0%) over 3 seeds" type="regression">',
    );
    expect(xml).toContain("replay: npx sim run suite/s.yaml --strategy static --seed 1 --seeds 1 --trace --out reports/replay/s-static-seed1\nshrink: npx sim shrink suite/s.yaml --seed 1 --strategy static --until 'mean_block_s &gt; 1'</failure>");
    expect(xml).toContain("<system-out>identical: every fingerprint of 12 seeds matches the baseline</system-out>");
    expect(xml).toContain('type="inconclusive"');
    // Allowed inconclusive verdicts pass.
    expect(checkJunit({ ...report, allowInconclusive: true })).toContain('<testsuites name="sim check" tests="3" failures="1">');
  });
});
