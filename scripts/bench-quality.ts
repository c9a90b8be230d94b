// Quality benchmark (issue 9, "strategies far from the bound"): how close each strategy comes to the bounds.
// Every strategy runs on every scenario of scenarios/quality/ over the scenario's seeds; a cell is the mean
// over the seeds of each run's ratio to
//   T_g  the per-block bound of a perfect split of whole sub-blocks (Σ block time / Σ T_g): meaningful for the
//        strategies that keep the block rule, shown as "-" for those that pipeline blocks;
//   tp   the run-level throughput bound (completion / bound): valid for every strategy;
// and the last columns are the geometric means over the scenarios and the largest redundant bytes of a run in
// % of the content. A second table gives completion / throughput bound on churn.yaml and flaky.yaml. The
// figures are deterministic (same code, same figures); only the wall time at the end varies.
// Usage: npm run bench:quality [-- --strategy a,b]

import { readdirSync } from "node:fs";
import { join } from "node:path";
import { createStrategy, STRATEGIES } from "../src/agent/agent.ts";
import { runOne } from "../src/harness/run.ts";
import { type LoadedScenario, loadScenario } from "../src/scenario/load.ts";
import type { RunMetrics } from "../src/sim/metrics/records.ts";

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : process.argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
};
const strategies = (arg("--strategy") ?? STRATEGIES.map((e) => e.name).join(",")).split(",");
/** Only to read the strategies' properties: the oracle needs one to be created. */
const propertiesEnv = { oracle: { trueUplinkBps: () => 0, trueRttUs: () => 0, downlinkBps: () => 0 } };
const pipelines = new Set(strategies.filter((s) => createStrategy(s, propertiesEnv).pipelinesBlocks === true));

const QUALITY_DIR = "scenarios/quality";
const quality = readdirSync(QUALITY_DIR)
  .filter((f) => f.endsWith(".yaml"))
  .sort()
  .map((f) => loadScenario(join(QUALITY_DIR, f)));
const dynamic = ["scenarios/churn.yaml", "scenarios/flaky.yaml"].map((f) => loadScenario(f));

interface Cell {
  tG: number;
  tp: number;
  redundantPct: number;
  failed: number;
}

function measure(loaded: LoadedScenario, strategy: string): Cell {
  const s = loaded.scenario;
  const runs: RunMetrics[] = [];
  let failed = 0;
  for (let k = 0; k < s.seeds; k++) {
    const { result } = runOne(loaded, { strategy, seed: s.seed + k });
    if (result.error !== null) failed++;
    else runs.push(result.metrics);
  }
  const mean = (f: (m: RunMetrics) => number) => runs.reduce((a, m) => a + f(m), 0) / Math.max(1, runs.length);
  return {
    tG: mean((m) => m.tGRatio),
    tp: mean((m) => m.throughputBoundRatio),
    redundantPct: Math.max(0, ...runs.map((m) => (100 * m.redundantBytes) / s.content.size_bytes)),
    failed,
  };
}

const geomean = (xs: readonly number[]) => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : "-");
const short = (name: string) => name.replace(/^quality-/, "");

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: readonly string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

const t0 = performance.now();
const cells = new Map<string, Cell[]>();
for (const name of strategies) cells.set(name, quality.map((l) => measure(l, name)));

console.log(`Quality set (${QUALITY_DIR}, ${quality.length} scenarios): T_g ratio / throughput-bound ratio, mean over seeds`);
console.log(
  table(
    ["strategy", ...quality.map((l) => short(l.scenario.name)), "geomean T_g", "geomean tp", "max over T_g", "max redundant %"],
    strategies.map((name) => {
      const row = cells.get(name)!;
      const blockRule = !pipelines.has(name);
      const tG = row.map((c) => c.tG);
      return [
        name + (pipelines.has(name) ? " (pipelines)" : ""),
        ...row.map((c) => `${blockRule ? f2(c.tG) : "-"} / ${f2(c.tp)}${c.failed > 0 ? ` (${c.failed} failed)` : ""}`),
        blockRule ? f2(geomean(tG)) : "-",
        f2(geomean(row.map((c) => c.tp))),
        blockRule ? f2(Math.max(...tG)) : "-",
        Math.max(...row.map((c) => c.redundantPct)).toFixed(1),
      ];
    }),
  ),
);

console.log("\nChurn and failures: throughput-bound ratio (completion / bound), mean over seeds");
console.log(
  table(
    ["strategy", ...dynamic.map((l) => l.scenario.name), "max redundant %"],
    strategies.map((name) => {
      const row = dynamic.map((l) => measure(l, name));
      return [
        name,
        ...row.map((c) => `${f2(c.tp)}${c.failed > 0 ? ` (${c.failed} failed)` : ""}`),
        Math.max(...row.map((c) => c.redundantPct)).toFixed(1),
      ];
    }),
  ),
);
console.log(`\n(wall time ${((performance.now() - t0) / 1000).toFixed(1)} s, for information)`);
