// Benchmark helpers for scripts/bench.ts and scripts/bench-network.ts (figures are printed there, never
// asserted): the cost of one max-min recompute, the network's wall time for many sub-blocks over many concurrent
// flows of one agent, and a synthetic swarm (many downloaders over many seeders). The wall clock is
// injected by the caller (nothing in src/sim reads a clock itself); inputs come from a fixed LCG, not Math.random.

import { Kernel } from "../kernel/kernel.ts";
import { MaxMinScratch, solveMaxMin } from "./maxmin.ts";
import { Network } from "./network.ts";
import { routeRttUs } from "./route.ts";

/** Deterministic pseudo-random numbers in [0, 1) (Numerical Recipes LCG): benchmark inputs only. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

/**
 * µs per max-min solve for `flows` flows spread over flows/2 nodes (a third of the flows window-capped),
 * averaged over `iterations` solves. wallClockMs: e.g. () => performance.now().
 */
export function benchSolver(flows: number, iterations: number, wallClockMs: () => number): number {
  const rnd = lcg(12345);
  const nodes = Math.max(1, Math.floor(flows / 2));
  const flowNode = new Int32Array(flows);
  const flowCap = new Float64Array(flows);
  const nodeCap = new Float64Array(nodes);
  for (let n = 0; n < nodes; n++) nodeCap[n] = 1e6 + rnd() * 50e6;
  for (let f = 0; f < flows; f++) {
    flowNode[f] = Math.floor(rnd() * nodes);
    flowCap[f] = f % 3 === 0 ? 1e6 + rnd() * 20e6 : Infinity;
  }
  const rate = new Float64Array(flows);
  const level = new Float64Array(nodes);
  const scratch = new MaxMinScratch();
  const downlink = 0.5 * nodeCap.reduce((a, b) => a + b, 0);
  let sink = 0;
  const t0 = wallClockMs();
  for (let i = 0; i < iterations; i++) {
    sink += solveMaxMin(
      flows,
      flowNode,
      flowCap,
      nodes,
      nodeCap,
      downlink * (1 + (i & 7) * 0.01),
      rate,
      level,
      scratch,
    );
  }
  const ms = wallClockMs() - t0;
  if (!(sink > 0)) throw new Error("benchSolver: degenerate problem");
  return (ms * 1000) / iterations;
}

/**
 * Wall ms for the network to move `subBlocks` sub-blocks of 16 KiB over `flows` connections (one per node,
 * uplinks 1-20 Mb/s, RTT 20-200 ms, 100 Mb/s downlink), each connection keeping two sub-blocks requested and
 * re-requesting (readyAt = now + RTT) on every delivery, as a pipelining agent would. Fluid or tcp.
 */
export function benchNetwork(
  subBlocks: number,
  flows: number,
  model: "fluid" | "tcp",
  wallClockMs: () => number,
): number {
  const rnd = lcg(777);
  const kernel = new Kernel({
    endTimeUs: 1e13,
    maxEvents: 50 * subBlocks + 1000,
    maxEventsPerTimestamp: 100_000,
  });
  let sent = 0;
  let delivered = 0;
  const rtt: number[] = [];
  const size = 16_384;
  const net = new Network(
    kernel,
    {
      model,
      downlinkBps: 100e6,
      efficiency: 0.95,
      initialWindowBytes: 14_480,
      receiveWindowBytes: 4 * 1024 * 1024,
      idleRestartUs: 1_000_000,
    },
    {
      onSubBlockDelivered: (conn) => {
        if (++delivered === subBlocks) kernel.stop();
        if (sent < subBlocks) net.send(conn, sent++, size, kernel.nowUs + rtt[conn]);
      },
    },
  );
  for (let i = 0; i < flows; i++) {
    rtt.push(20_000 + Math.floor(rnd() * 180_000));
    net.addNode(i, 1e6 + rnd() * 19e6, rtt[i]);
    net.openConnection(i, i);
  }
  for (let k = 0; k < 2; k++) {
    for (let i = 0; i < flows && sent < subBlocks; i++) net.send(i, sent++, size, rtt[i]);
  }
  const t0 = wallClockMs();
  kernel.run();
  const ms = wallClockMs() - t0;
  if (delivered !== subBlocks) throw new Error(`benchNetwork: ${delivered} of ${subBlocks} delivered`);
  return ms;
}

/** The shape of a synthetic swarm for benchSwarm (issue 12's benchmark D, network only). */
export interface SwarmShape {
  model: "fluid" | "tcp";
  downloaders: number;
  seeders: number;
  /** Connections per downloader to distinct random seeders. */
  connectionsPerDownloader: number;
  /** Share of downloaders that also hold a connection to the origin. */
  originShare: number;
  /** Sub-blocks each downloader fetches (64 MiB in 64 KiB sub-blocks: 1,024). */
  subBlocksPerDownloader: number;
  subBlockBytes: number;
  /** Sub-blocks per block: after each block a connection is replaced by one to another seeder with this probability. */
  subBlocksPerBlock: number;
  switchProbability: number;
  /** Requests a connection keeps outstanding (1: the flow stops for an RTT after every sub-block). */
  pipelineDepth: number;
  /** Downloaders arrive uniformly over this span (µs); 0 = all at t0. */
  arrivalSpanUs: number;
}

export interface SwarmResult {
  wallMs: number;
  simulatedS: number;
  events: number;
  subBlocks: number;
  connections: number;
  starSolves: number;
  generalSolves: number;
  /** Flows given a new rate per general solve, on average. */
  flowsPerSolve: number;
  roundsPerSolve: number;
  componentFallbacks: number;
  peakActiveFlows: number;
}

/**
 * A swarm over the network alone (no agent, no world): `downloaders` hosts (downlinks 10-100 Mb/s) each keep
 * connections to random seeders (uplinks 1-20 Mb/s; one origin of 1 Gb/s for a share of them), request
 * sub-blocks one after the other on each (readyAt = now + RTT, RTT from the route model with one-way latencies
 * of 5-50 ms), and after each block may replace a connection by one to another seeder. Ends when every
 * downloader has its sub-blocks. Inputs from a fixed LCG.
 */
export function benchSwarm(shape: SwarmShape, wallClockMs: () => number): SwarmResult {
  const rnd = lcg(4242);
  const kernel = new Kernel({ endTimeUs: 1e13, maxEvents: 1e9, maxEventsPerTimestamp: 1_000_000 });
  const latencyUs: number[] = [];
  const net: Network = new Network(
    kernel,
    {
      model: shape.model,
      efficiency: 0.95,
      initialWindowBytes: 14_480,
      receiveWindowBytes: 4 * 1024 * 1024,
      idleRestartUs: 1_000_000,
    },
    { onSubBlockDelivered: (conn) => delivered(conn) },
  );
  const host = (upBps: number, downBps: number) => {
    latencyUs.push(5_000 + Math.floor(rnd() * 45_000));
    return net.addHost(upBps, downBps);
  };
  const origin = host(1e9, 1e9);
  const seeders: number[] = [];
  for (let i = 0; i < shape.seeders; i++) seeders.push(host(1e6 * Math.pow(20, rnd()), 50e6));
  const downloaders: number[] = [];
  for (let i = 0; i < shape.downloaders; i++) downloaders.push(host(2e6, 10e6 * Math.pow(10, rnd())));

  // Per connection: its downloader index, source, RTT, sub-blocks received in the current block, outstanding.
  const connOwner: number[] = [];
  const connSrc: number[] = [];
  const connRtt: number[] = [];
  const connInBlock: number[] = [];
  const connOpen: boolean[] = [];
  const requested: number[] = downloaders.map(() => 0); // sub-blocks requested per downloader
  const received: number[] = downloaders.map(() => 0);
  let subBlocks = 0;
  let finished = 0;
  let peakActive = 0;
  let active = 0;
  const sbBytes = shape.subBlockBytes;

  const request = (conn: number, readyAtUs: number) => {
    const d = connOwner[conn];
    if (requested[d] >= shape.subBlocksPerDownloader) return;
    net.send(conn, requested[d]++, sbBytes, readyAtUs);
  };
  const open = (d: number, src: number, delayUs: number) => {
    const conn = connOwner.length;
    const rtt = routeRttUs(latencyUs[src], latencyUs[downloaders[d]]);
    connOwner.push(d);
    connSrc.push(src);
    connRtt.push(rtt);
    connInBlock.push(0);
    connOpen.push(true);
    net.connect(conn, src, downloaders[d], rtt);
    // Set-up costs one RTT, the request another.
    for (let i = 0; i < shape.pipelineDepth; i++) request(conn, kernel.nowUs + delayUs + 2 * rtt);
    return conn;
  };
  const randomSeeder = () => seeders[Math.floor(rnd() * seeders.length)];

  function delivered(conn: number): void {
    const d = connOwner[conn];
    subBlocks++;
    if (++received[d] === shape.subBlocksPerDownloader && ++finished === shape.downloaders) kernel.stop();
    if (++connInBlock[conn] === shape.subBlocksPerBlock) {
      connInBlock[conn] = 0;
      if (connSrc[conn] !== origin && rnd() < shape.switchProbability) {
        // Replace the connection: its queue is dropped (those sub-blocks are requested again elsewhere).
        for (const [, bytes] of net.closeConnection(conn)) void bytes;
        requested[d] -= shape.pipelineDepth - 1;
        connOpen[conn] = false;
        open(d, randomSeeder(), 0);
        return;
      }
    }
    request(conn, kernel.nowUs + connRtt[conn]);
  }

  const arrive = kernel.registerKind("arrival", (d) => {
    const chosen = new Set<number>();
    for (let i = 0; i < shape.connectionsPerDownloader; i++) {
      let s = randomSeeder();
      while (chosen.has(s) && chosen.size < seeders.length) s = randomSeeder();
      chosen.add(s);
      open(d, s, 0);
    }
    if (rnd() < shape.originShare) open(d, origin, 0);
  });
  for (let d = 0; d < shape.downloaders; d++) {
    kernel.schedule(Math.floor(rnd() * shape.arrivalSpanUs), arrive, d);
  }
  const probe = kernel.registerKind("probe", () => {
    active = net.activeFlows;
    if (active > peakActive) peakActive = active;
    kernel.schedule(kernel.nowUs + 1_000_000, probe, 0);
  });
  kernel.schedule(0, probe, 0);

  const t0 = wallClockMs();
  kernel.run();
  const wallMs = wallClockMs() - t0;
  const st = net.sharingStats;
  return {
    wallMs,
    simulatedS: kernel.nowUs / 1e6,
    events: kernel.eventsProcessed,
    subBlocks,
    connections: connOwner.length,
    starSolves: st.starSolves,
    generalSolves: st.generalSolves,
    flowsPerSolve: st.generalFlows / Math.max(1, st.generalSolves),
    roundsPerSolve: st.generalRounds / Math.max(1, st.generalSolves),
    componentFallbacks: st.componentFallbacks,
    peakActiveFlows: peakActive,
  };
}
