// The gate catches real regressions: three deliberately worsened versions of shipped code, each with a different
// mechanism, are run against the committed baseline (reports/baseline.json, written by the unchanged code):
// - a skewed split: `static` giving its first connection three shares instead of one;
// - rebalance moves disabled: `rebalance` whose move() does nothing (it becomes an index split);
// - a slower stall detection: the agent's request timeout floor raised from 2 s to 8 s.
// The expectation is independent of the gate's statistics: the test itself runs the worsened code on every seed
// of the cap and computes, from the baseline file's raw numbers, that a judged metric is at least 5% worse in
// mean; the gate must then report that metric (and its group) as a regression or inconclusive, never pass.
// The strategies left alone in the same check stay identical.

import { readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createStrategy } from "../../src/agent/index.ts";
import { WeightedSplit } from "../../src/agent/strategies/shares.ts";
import type { ConnectionView, Strategy, StrategyContext, StrategyEnv } from "../../src/agent/strategy.ts";
import { check, loadCheckConfig } from "../../src/harness/check.ts";
import { loadBaseline } from "../../src/harness/check-baseline.ts";
import { runOne } from "../../src/harness/run.ts";
import { loadScenario } from "../../src/scenario/load.ts";

const TMP = mkdtempSync(join(tmpdir(), "sim-worse-"));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const BASELINE_FILE = "reports/baseline.json";
const config = loadCheckConfig("scenarios/ci/thresholds.yaml");
const baseline = loadBaseline(BASELINE_FILE)!;
/** The baseline file as plain JSON, read without the gate's code. */
const raw = JSON.parse(readFileSync(BASELINE_FILE, "utf8")) as {
  groups: { scenario: string; strategy: string; seeds: number[]; metrics: Record<string, number[]> }[];
};

/** `static` with three shares for the first ready connection (lowest id) and one for every other. */
class SkewedStatic extends WeightedSplit {
  readonly name = "static";
  private first = -1;
  override onBlockStart(ctx: StrategyContext): void {
    this.first = Math.min(...ctx.connections.map((c) => c.id));
    super.onBlockStart(ctx);
  }
  protected weight(_ctx: StrategyContext, conn: ConnectionView): number {
    return conn.id === this.first ? 3 : 1;
  }
}

/** A strategy whose context ignores move(): rebalancing switched off, everything else as shipped. */
function withoutMoves(inner: Strategy): Strategy {
  const wrap = (ctx: StrategyContext): StrategyContext =>
    new Proxy(ctx, {
      get(target, key) {
        if (key === "move") return () => {};
        const v = Reflect.get(target, key, target) as unknown;
        return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  return {
    name: inner.name,
    pipelinesBlocks: inner.pipelinesBlocks,
    onBlockStart: (ctx) => inner.onBlockStart(wrap(ctx)),
    onConnectionIdle: (ctx, conn) => inner.onConnectionIdle(wrap(ctx), conn),
    onSubBlockDone: (ctx, conn) => inner.onSubBlockDone?.(wrap(ctx), conn),
  };
}

/** Metric field of RunMetrics for a runs.csv name used below. */
const FIELD = { completion_s: "completionS", mean_block_s: "meanBlockS" } as const;

/**
 * Independently of the gate: the mean of `metric` over the cap's seeds for the worsened code, relative to the
 * baseline file's mean for the same seeds.
 */
function worsening(file: string, scenario: string, strategy: string, metric: keyof typeof FIELD, create?: (n: string) => Strategy): number {
  const g = raw.groups.find((x) => x.scenario === scenario && x.strategy === strategy)!;
  const loaded = loadScenario(file);
  const seeds = g.seeds.slice(0, config.max_seeds);
  const now = seeds.map((seed) => runOne(loaded, { strategy, seed, strategyFactory: create }).result.metrics[FIELD[metric]]);
  const before = g.metrics[metric].slice(0, config.max_seeds);
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return avg(now) / avg(before) - 1;
}

function expectCaught(r: ReturnType<typeof check>, scenario: string, strategy: string, metric: string): void {
  expect(r.passed).toBe(false);
  const g = r.groups.find((x) => x.scenario === scenario && x.strategy === strategy)!;
  expect(["regression", "inconclusive"]).toContain(g.verdict);
  const m = g.metrics.find((x) => x.metric === metric)!;
  expect(["regression", "inconclusive"]).toContain(m.verdict);
  expect(r.junit).toContain(`<testcase classname="${scenario}" name="${strategy}">\n      <failure message="${g.verdict}: `);
  expect(g.replay).toMatch(new RegExp(`--strategy ${strategy} --seed \\d+ --seeds 1 --trace --out reports/replay/${scenario}-${strategy}-seed\\d+$`));
}

describe("sim check against worsened code", () => {
  it("catches a skewed split (static: the first connection takes three shares)", () => {
    const create = (n: string, env?: StrategyEnv) => (n === "static" ? new SkewedStatic() : createStrategy(n, env));
    expect(worsening("scenarios/ci/small.yaml", "ci-small", "static", "completion_s", create)).toBeGreaterThanOrEqual(0.05);
    const r = check({ suite: "scenarios/ci/", baseline, config, strategies: ["static", "index"], strategyFactory: create });
    for (const s of ["ci-small", "ci-trace-tcp", "ci-churn-failures"]) expect(r.groups.find((g) => g.scenario === s && g.strategy === "index")?.verdict).toBe("identical");
    expectCaught(r, "ci-small", "static", "completion_s");
  });

  it("catches rebalance with its moves disabled", () => {
    const create = (n: string, env?: StrategyEnv) => withoutMoves(createStrategy(n, env));
    expect(worsening("scenarios/ci/trace-tcp.yaml", "ci-trace-tcp", "rebalance", "completion_s", create)).toBeGreaterThanOrEqual(0.05);
    const r = check({ suite: ["scenarios/ci/trace-tcp.yaml"], baseline, config, strategies: ["rebalance"], strategyFactory: create });
    expectCaught(r, "ci-trace-tcp", "rebalance", "completion_s");
  });

  it("catches a slower stall detection (request timeout floor 2 s → 8 s)", () => {
    // The same scenario (same name, so the same baseline groups) with the agent's setting changed.
    const file = join(TMP, "churn-failures.yaml");
    const text = readFileSync("scenarios/ci/churn-failures.yaml", "utf8");
    expect(text).toMatch(/^agent: \{ /m);
    writeFileSync(file, text.replace(/^agent: \{ /m, "agent: { request_timeout_min_ms: 8000, "));
    expect(worsening(file, "ci-churn-failures", "rebalance", "completion_s")).toBeGreaterThanOrEqual(0.05);
    expect(worsening(file, "ci-churn-failures", "endgame", "completion_s")).toBeGreaterThanOrEqual(0.05);
    const r = check({ suite: [file], baseline, config, strategies: ["rebalance", "endgame"] });
    expectCaught(r, "ci-churn-failures", "rebalance", "completion_s");
    expectCaught(r, "ci-churn-failures", "endgame", "completion_s");
  });
});
