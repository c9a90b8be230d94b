// Benchmark of the real network path (issue 13); figures are printed, never asserted:
//   1. `sim calibrate`'s errors on each scenario of scenarios/calibration/ for static, index and rebalance:
//      completion error and median / p90 per-block error of the real run against the simulated one (targets:
//      completion ≤ 10%, median block error ≤ 10%);
//   2. `sim fetch`'s throughput on the loopback testbed against the sum of the mirrors' shaped capacities
//      (4 mirrors of scenarios/calibration/servers-4.yaml, 16 MiB, with rebalance and pipelined);
//   3. (--only fit) the same real runs as 1, compared with the simulator under other network models: the tcp
//      model with its defaults, with its payload efficiency only (no slow start), with slow start only — which
//      one (if any) closes the gap.
// Everything runs on 127.0.0.1. The machine's load average is printed before and after: wall-clock figures
// from a loaded machine are slower and noisier (timers and event loops wait for a core).
// Usage: npm run bench:real [-- --only calibrate|fetch|fit] [-- --scenario FILE]

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { calibrate, calibrationTable, compareRuns } from "../src/real/calibrate.ts";
import { runOne } from "../src/harness/run.ts";
import { fetchFile } from "../src/real/fetch.ts";
import { manifestJson } from "../src/real/manifest.ts";
import { startTestbed } from "../src/real/testbed.ts";
import { loadScenario, resolveScenario } from "../src/scenario/load.ts";

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const only = arg("only");
const scenarios = arg("scenario") !== undefined ? [arg("scenario")!] : ["servers-4", "peers-8", "peers-16"].map((n) => `scenarios/calibration/${n}.yaml`);
const load = () => loadavg().map((x) => x.toFixed(2)).join(" ");

console.log(`load average (1, 5, 15 min) at the start: ${load()} on a machine with ${(await import("node:os")).cpus().length} cores`);

if (only === "fit") {
  console.log("\n== the network model that best matches the testbed (same real runs, simulator variants)");
  const variants: readonly [string, Record<string, unknown>][] = [
    ["fluid", { model: "fluid" }],
    ["tcp (IW10, efficiency 0.95)", { model: "tcp", efficiency: 0.95, initial_window_segments: 10 }],
    ["tcp, slow start only", { model: "tcp", efficiency: 1, initial_window_segments: 10 }],
    ["tcp, efficiency 0.93 only", { model: "tcp", efficiency: 0.93, initial_window_segments: 4096 }],
    ["tcp, efficiency 0.95 only", { model: "tcp", efficiency: 0.95, initial_window_segments: 4096 }],
    ["tcp, efficiency 0.97 only", { model: "tcp", efficiency: 0.97, initial_window_segments: 4096 }],
  ];
  const totals = variants.map(() => ({ completion: 0, median: 0, n: 0 }));
  for (const file of scenarios) {
    const loaded = loadScenario(file);
    const seed = loaded.scenario.seed;
    const strategies = ["static", "index", "rebalance"];
    const real = (await calibrate(loaded, { strategies, seed })).real;
    console.log(`\n${loaded.scenario.name}: median per-block error / completion error, mean over ${strategies.join(", ")}`);
    variants.forEach(([name, network], vi) => {
      const v = resolveScenario({ ...loaded.scenario, network: { ...loaded.scenario.network, ...network } }, loaded.file, loaded.dir);
      const cs = strategies.map((strategy, i) => compareRuns(runOne(v, { strategy, seed }).result, real[i]));
      const med = cs.reduce((a, c) => a + c.medianBlockError, 0) / cs.length;
      const comp = cs.reduce((a, c) => a + c.completionError, 0) / cs.length;
      totals[vi].median += med;
      totals[vi].completion += comp;
      totals[vi].n++;
      console.log(`  ${name.padEnd(28)} ${(med * 100).toFixed(1)}% / ${(comp * 100).toFixed(1)}%`);
    });
  }
  console.log("\nover every scenario:");
  variants.forEach(([name], vi) => {
    const t = totals[vi];
    console.log(`  ${name.padEnd(28)} ${((t.median / t.n) * 100).toFixed(1)}% / ${((t.completion / t.n) * 100).toFixed(1)}%`);
  });
}

if (only === undefined || only === "calibrate") {
  console.log("\n== sim calibrate: real against simulated (targets: completion ≤ 10%, median block error ≤ 10%)");
  for (const file of scenarios) {
    const loaded = loadScenario(file);
    const t0 = performance.now();
    const outcome = await calibrate(loaded, { strategies: ["static", "index", "rebalance"], seed: loaded.scenario.seed });
    console.log(`\n${loaded.scenario.name} (${file}), seed ${loaded.scenario.seed}, ${((performance.now() - t0) / 1000).toFixed(1)} s:`);
    console.log(calibrationTable(outcome.comparisons));
    for (const c of outcome.comparisons) {
      console.log(`  ${c.strategy}: mean block bias ${(c.meanBlockBias * 100).toFixed(1)}% (> 0: the real run is slower)`);
    }
  }
}

if (only === undefined || only === "fetch") {
  console.log("\n== sim fetch: throughput against the sum of the mirrors' shaped capacities");
  const base = loadScenario("scenarios/calibration/servers-4.yaml").scenario;
  const loaded = resolveScenario({ ...base, name: "bench-fetch", content: { ...base.content, size_bytes: 16 << 20, block_bytes: 1 << 20 } }, "<bench>", process.cwd());
  const tb = await startTestbed(loaded, { seed: base.seed });
  const dir = mkdtempSync(join(tmpdir(), "sim-bench-real-"));
  try {
    const manifest = join(dir, "m.json");
    writeFileSync(manifest, manifestJson(tb.manifest));
    const capacityBps = tb.nodes.reduce((s, n) => s + n.uplinkBps, 0);
    console.log(`mirrors: ${tb.nodes.map((n) => `${(n.uplinkBps / 1e6).toFixed(1)} Mb/s @ ${n.rttMs.toFixed(0)} ms`).join(", ")}; sum ${(capacityBps / 1e6).toFixed(1)} Mb/s`);
    for (const strategy of ["rebalance", "pipelined"]) {
      let best = 0;
      for (let i = 0; i < 3; i++) {
        const out = join(dir, `f-${strategy}-${i}.bin`);
        const o = await fetchFile({ urls: tb.nodes.map((n) => n.url), out, strategy, manifest, resume: false });
        if (o.status !== "done") {
          console.log(`${strategy}: try ${i + 1} failed: ${o.error}`); // printed, not fatal: figures only
          continue;
        }
        best = Math.max(best, (o.sizeBytes * 8) / o.elapsedS);
        rmSync(out);
      }
      console.log(`${strategy.padEnd(10)} ${(best / 1e6).toFixed(1)} Mb/s = ${((100 * best) / capacityBps).toFixed(0)}% of the shaped capacity (best of 3, 16 MiB, 1 MiB blocks, probes included)`);
    }
  } finally {
    await tb.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`\nload average at the end: ${load()}`);
