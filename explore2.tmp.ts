import { check, loadBaseline, loadCheckConfig } from "./src/harness/check.ts";
import { createStrategy } from "./src/agent/index.ts";
import { WeightedSplit } from "./src/agent/strategies/shares.ts";
import type { Strategy, StrategyContext } from "./src/agent/strategy.ts";
class Sqrt extends WeightedSplit { name = "index"; weight(c: any) { return Math.sqrt(c.index); } }
function noMoves(s: Strategy): Strategy {
  const wrap = (ctx: StrategyContext) => new Proxy(ctx, { get(t, p) { if (p === "move") return () => {}; const v = Reflect.get(t, p, t); return typeof v === "function" ? v.bind(t) : v; } });
  return { name: s.name, pipelinesBlocks: s.pipelinesBlocks, onBlockStart: (c) => s.onBlockStart(wrap(c)), onConnectionIdle: (c, k) => s.onConnectionIdle(wrap(c), k), onSubBlockDone: s.onSubBlockDone && ((c, k) => s.onSubBlockDone!(wrap(c), k)) };
}
const baseline = loadBaseline("reports/baseline.json")!;
const config = loadCheckConfig("scenarios/ci/thresholds.yaml");
const which = process.argv[2];
const t0 = performance.now();
let r;
if (which === "sqrt") r = check({ suite: "scenarios/ci/", baseline, config, strategies: ["index"], strategyFactory: (n) => n === "index" ? new Sqrt() : createStrategy(n) });
if (which === "nomove") r = check({ suite: "scenarios/ci/", baseline, config, strategies: ["rebalance"], strategyFactory: (n) => noMoves(createStrategy(n)) });
if (which === "stall") r = check({ suite: process.argv[3], baseline, config, strategies: ["static", "rebalance", "pull", "endgame"] });
console.log(r!.markdown);
console.log((performance.now() - t0).toFixed(0), "ms");
