// Generates the small synthetic capacity traces shipped in scenarios/traces/ (no downloads): mean-reverting
// random walks in log space with a few scripted dips, drawn from fixed named streams so every run writes the
// same bytes. Run: npx tsx scripts/gen-traces.ts

import { writeFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { makeSampler } from "../src/sim/random/distributions.ts";
import { type Rng, RandomStreams } from "../src/sim/random/streams.ts";

const SEED = 2024;
const SAMPLES = 120;

interface Walk {
  /** Level the walk reverts to, and its bounds (any unit). */
  readonly typical: number;
  readonly min: number;
  readonly max: number;
  /** Share of the gap to the typical level closed per step, and the step noise (sd of the log). */
  readonly reversion: number;
  readonly noise: number;
  /** Sample indices [from, to) forced down to [min, 1.5 × min]: tunnels, handovers, cell edges. */
  readonly dips: readonly (readonly [number, number])[];
}

const standardNormal = makeSampler({ dist: "normal", mean: 0, sd: 1 });

function walk(rng: Rng, spec: Walk): number[] {
  const values: number[] = [];
  const logTypical = Math.log(spec.typical);
  let x = logTypical;
  for (let i = 0; i < SAMPLES; i++) {
    x += spec.reversion * (logTypical - x) + spec.noise * standardNormal(rng);
    x = Math.min(Math.log(spec.max), Math.max(Math.log(spec.min), x));
    const dipped = spec.dips.some(([from, to]) => i >= from && i < to);
    values.push(dipped ? spec.min * (1 + 0.5 * rng.next()) : Math.exp(x));
  }
  return values;
}

function pensieve(mbps: number[]): string {
  return mbps.map((v, i) => `${i.toFixed(1)} ${v.toFixed(3)}\n`).join("");
}

function sabre(kbps: number[], durationMs: number, latencyMs: number): string {
  const periods = kbps.map(
    (v) => `  {"duration_ms": ${durationMs}, "bandwidth_kbps": ${Math.round(v)}, "latency_ms": ${latencyMs}}`,
  );
  return `[\n${periods.join(",\n")}\n]\n`;
}

/** File name → content of every shipped synthetic trace. */
export function generateTraces(): Map<string, string> {
  const streams = new RandomStreams(SEED);
  const lte = walk(streams.stream("traces/lte-walk"), {
    typical: 12,
    min: 2,
    max: 30,
    reversion: 0.2,
    noise: 0.25,
    dips: [
      [30, 34],
      [71, 74],
      [100, 105],
    ],
  });
  const bus = walk(streams.stream("traces/3g-bus"), {
    typical: 1.5,
    min: 0.3,
    max: 6,
    reversion: 0.15,
    noise: 0.3,
    dips: [
      [45, 50],
      [88, 91],
    ],
  });
  const drive = walk(streams.stream("traces/4g-drive"), {
    typical: 20_000,
    min: 2_000,
    max: 45_000,
    reversion: 0.1,
    noise: 0.2,
    dips: [[60, 64]],
  });
  return new Map([
    ["lte-walk.pensieve.log", pensieve(lte)],
    ["3g-bus.pensieve.log", pensieve(bus)],
    ["4g-drive.sabre.json", sabre(drive, 1000, 20)],
  ]);
}

function main(): void {
  const dir = fileURLToPath(new URL("../scenarios/traces/", import.meta.url));
  for (const [file, content] of generateTraces()) {
    writeFileSync(dir + file, content);
    console.log(`wrote scenarios/traces/${file}`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
