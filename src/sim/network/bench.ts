// Benchmark helpers for scripts/bench.ts (figures are printed there, never asserted): the cost of one max-min
// recompute, and the network's wall time for many sub-blocks over many concurrent flows. The wall clock is
// injected by the caller (nothing in src/sim reads a clock itself); inputs come from a fixed LCG, not Math.random.

import { Kernel } from "../kernel/kernel.ts";
import { MaxMinScratch, solveMaxMin } from "./maxmin.ts";
import { Network } from "./network.ts";

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
