// Shrinking's targets (issue 14): on failing runs of churn.yaml and flaky.yaml (a completion 20% worse than
// another strategy's, a stall under one strategy and not another), how small the shrunk world is and how many
// runs it took. Churn at the shipped 8 Mb/s never stalls, so the stall cases stream it at 24 Mb/s. The figures
// are deterministic (same code, same figures); only the wall time varies. docs/explain.md quotes them.
// Usage: npx tsx scripts/shrink-targets.ts

import { parsePredicate } from "../src/harness/predicate.ts";
import { shrink } from "../src/harness/shrink.ts";
import { readScenarioInput } from "../src/scenario/load.ts";
import { strategyNames } from "../src/scenario/strategy-names.ts";

interface Case {
  readonly file: string;
  readonly bitrateBps?: number;
  readonly seed: number;
  readonly strategy: string;
  readonly until: string;
}

const CASES: readonly Case[] = [
  { file: "scenarios/churn.yaml", seed: 1, strategy: "static", until: "completion_s > 1.2 * rebalance.completion_s" },
  { file: "scenarios/flaky.yaml", seed: 3, strategy: "pull", until: "completion_s > 1.2 * static.completion_s" },
  { file: "scenarios/churn.yaml", bitrateBps: 24_000_000, seed: 5, strategy: "index", until: "stall_count > 0 and rebalance.stall_count == 0" },
  { file: "scenarios/churn.yaml", bitrateBps: 24_000_000, seed: 2, strategy: "static", until: "stall_count > 0 and index.stall_count == 0" },
];

const names = strategyNames();
console.log("| case | --until | world events | nodes | blocks | runs | wall |");
console.log("|---|---|---|---|---|---|---|");
for (const c of CASES) {
  const { input, dir } = readScenarioInput(c.file);
  const raw = structuredClone(input) as { content: Record<string, unknown> };
  if (c.bitrateBps !== undefined) raw.content.bitrate_bps = c.bitrateBps;
  const t0 = process.hrtime.bigint();
  const r = shrink({ raw, file: c.file, dir, seed: c.seed, strategy: c.strategy, predicate: parsePredicate(c.until, names), budget: 300 });
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  const o = r.original;
  const s = r.shrunk;
  const pct = o.events === 0 ? "" : ` (${((100 * s.events) / o.events).toFixed(1)}%)`;
  const name = `${c.file.replace("scenarios/", "")}${c.bitrateBps !== undefined ? ` at ${c.bitrateBps / 1e6} Mb/s` : ""} ${c.strategy} seed ${c.seed}`;
  console.log(
    `| ${name} | \`${c.until}\` | ${o.events} → ${s.events}${pct} | ${o.nodes} → ${s.nodes} | ${o.blocks} → ${s.blocks} | ${r.runs}${r.budgetSpent ? " (budget spent)" : ""} | ${wallS.toFixed(1)} s |`,
  );
}
