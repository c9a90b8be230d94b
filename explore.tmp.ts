import { loadScenario, resolveScenario, readScenarioInput, applyOverrides } from "./src/scenario/load.ts";
import { runOne } from "./src/harness/run.ts";
import { createStrategy } from "./src/agent/index.ts";
import { WeightedSplit } from "./src/agent/strategies/shares.ts";
import type { Strategy, StrategyContext } from "./src/agent/strategy.ts";
class Sqrt extends WeightedSplit { name = "index"; weight(c: any) { return Math.sqrt(c.index); } }
function noMoves(s: Strategy): Strategy {
  const wrap = (ctx: StrategyContext) => new Proxy(ctx, { get(t, p) { if (p === "move") return () => {}; const v = Reflect.get(t, p, t); return typeof v === "function" ? v.bind(t) : v; } });
  return { name: s.name, pipelinesBlocks: s.pipelinesBlocks, onBlockStart: (c) => s.onBlockStart(wrap(c)), onConnectionIdle: (c, k) => s.onConnectionIdle(wrap(c), k), onSubBlockDone: s.onSubBlockDone && ((c, k) => s.onSubBlockDone!(wrap(c), k)) };
}
const N = 48;
const metrics = ["completionS", "meanBlockS", "stallS", "originBytes", "redundantBytes", "startupDelayS"] as const;
function summary(l: any, strat: string, f?: (n: string) => Strategy) {
  const out: Record<string, number[]> = {};
  for (let s = 1; s <= N; s++) { const r = runOne(l, { strategy: strat, seed: s, strategyFactory: f }).result; for (const m of metrics) (out[m] ??= []).push(r.metrics[m] as number); }
  return out;
}
function cmp(label: string, a: Record<string, number[]>, b: Record<string, number[]>) {
  const parts = metrics.map((m) => { const ma = a[m].reduce((x, y) => x + y) / N, mb = b[m].reduce((x, y) => x + y) / N; const d = a[m].map((x, i) => b[m][i] - x); const md = d.reduce((x, y) => x + y) / N; const sd = Math.sqrt(d.reduce((x, y) => x + (y - md) ** 2, 0) / (N - 1)); return `${m} ${ma.toPrecision(4)} ${(100 * (mb - ma) / (ma || 1)).toFixed(1)}% sd%${(100 * sd / (ma || 1)).toFixed(1)}`; });
  console.log(label, parts.join(" | "));
}
for (const f of ["scenarios/ci/small.yaml", "scenarios/ci/churn-failures.yaml", "scenarios/ci/trace-tcp.yaml"]) {
  const l = loadScenario(f);
  const { input, dir } = readScenarioInput(f);
  const slow = resolveScenario(applyOverrides(input, { "agent.request_timeout_min_ms": 8000 }), f, dir);
  const neutral = resolveScenario(applyOverrides(input, { "agent.ewma_alpha": 0.31 }), f, dir);
  const idx = summary(l, "index"); cmp(f + " sqrt-index", idx, summary(l, "index", () => new Sqrt()));
  const reb = summary(l, "rebalance"); cmp(f + " nomove-rebalance", reb, summary(l, "rebalance", (n) => noMoves(createStrategy(n))));
  for (const st of ["static", "rebalance", "pull", "endgame"]) cmp(f + " slowstall-" + st, summary(l, st), summary(slow, st));
  for (const st of ["static", "rebalance", "endgame"]) cmp(f + " neutral-" + st, summary(l, st), summary(neutral, st));
}
