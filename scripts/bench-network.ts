// The network alone under a swarm of benchmark D's shape (issue 12): 1,000 downloaders × 8 connections over
// 10,000 seeders and one origin, 64 MiB each in 64 KiB sub-blocks (1 MiB blocks), flows starting and ending
// (one request at a time per connection, connections replaced after some blocks). Prints recomputes/s, flows
// given a new rate per recompute, events/s and peak RSS. Figures are printed, never asserted.
// Usage: npx tsx scripts/bench-network.ts [--model fluid|tcp] [--downloaders N] [--seeders N] [--connections N]
//        [--sub-blocks N] [--depth N] [--span-s S] [--origin-share X]
//   --depth: requests kept outstanding per connection (1: every sub-block starts and ends a flow);
//   --span-s: downloaders arrive uniformly over this many seconds (0: all at once).
// "rounds per recompute" counts the recomputes that had nothing to move as 0.

import { benchSwarm, type SwarmShape } from "../src/sim/network/bench.ts";

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};
const shape: SwarmShape = {
  model: arg("model", "fluid") === "tcp" ? "tcp" : "fluid",
  downloaders: Number(arg("downloaders", "1000")),
  seeders: Number(arg("seeders", "10000")),
  connectionsPerDownloader: Number(arg("connections", "8")),
  originShare: Number(arg("origin-share", "0.1")),
  subBlocksPerDownloader: Number(arg("sub-blocks", "1024")),
  subBlockBytes: 65_536,
  subBlocksPerBlock: 16,
  switchProbability: 0.25,
  pipelineDepth: Number(arg("depth", "1")),
  arrivalSpanUs: Number(arg("span-s", "60")) * 1e6,
};
const fmt = (x: number, d = 0) => x.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
const r = benchSwarm(shape, () => performance.now());
const rssMb = process.resourceUsage().maxRSS / 1024;
const solves = r.starSolves + r.generalSolves;
console.log(
  `swarm (${shape.model}): ${fmt(shape.downloaders)} downloaders × ${shape.connectionsPerDownloader} connections over ` +
    `${fmt(shape.seeders)} seeders + origin (share ${shape.originShare}), ${fmt(shape.subBlocksPerDownloader)} sub-blocks each, depth ${shape.pipelineDepth}`,
);
console.log(
  `  ${fmt(r.wallMs)} ms wall for ${fmt(r.simulatedS, 1)} s simulated: ${fmt(r.subBlocks)} sub-blocks, ` +
    `${fmt(r.connections)} connections, peak ${fmt(r.peakActiveFlows)} active flows`,
);
console.log(
  `  ${fmt(r.events)} events: ${fmt(r.events / (r.wallMs / 1000))} events/s; ${fmt(solves)} recomputes ` +
    `(${fmt(r.generalSolves)} general): ${fmt(solves / (r.wallMs / 1000))} recomputes/s`,
);
console.log(
  `  flows given a new rate per recompute: ${fmt(r.flowsPerSolve, 1)} (rounds per recompute ${fmt(r.roundsPerSolve, 2)}, ` +
    `whole-component fallbacks ${fmt(r.componentFallbacks)}); peak RSS ${fmt(rssMb)} MB`,
);
