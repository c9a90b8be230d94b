// Benchmark of the agent alone (issue 10, "bounded work"): how its cost grows with the number of sub-blocks per
// block. Each strategy downloads two blocks of K sub-blocks (K = 1k, 4k, 16k, 64k, 256k by default) from 8 peers
// on a minimal deterministic driver (fixed rates and RTTs, requests served back to back, an event heap), so
// the figure is the agent's and its strategy's work, not the simulator's (the driver keeps only each
// connection's next arrival in its heap: O(log connections) per sub-block). Printed: CPU time of the process
// per K (user + system, so that other processes sharing the machine inflate it less than wall time) and per
// sub-block; near-linear total time shows as a flat ns/sub-block row. A strategy whose ns/sub-block has grown
// more than 4-fold over its lowest at some K is not run at the larger ones (it is superlinear; the next size
// would take minutes). Figures are the best of `--tries` runs (default 2).
//
// Every shipped strategy takes its work through ctx.poolHead or at block start (O(log K) per call).
// Usage: npm run bench:agent [-- --sizes 1000,16000 --strategies static,pull --tries 3]

import { Agent } from "../src/agent/agent.ts";
import type { AgentConfig } from "../src/agent/config.ts";
import type { AgentCommand, AgentEvent, NodeInfo, SubBlockId } from "../src/agent/ports.ts";
import { STRATEGIES } from "../src/agent/strategies/registry.ts";
import type { Strategy, StrategyEnv } from "../src/agent/strategy.ts";
import { EventHeap } from "../src/sim/kernel/event-heap.ts";

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
/** What the driver offers strategies: the oracle of its fixed network. */
const ENV: StrategyEnv = { oracle: { trueUplinkBps: (id) => rateBps(id), trueRttUs: (id) => rttUs(id), downlinkBps: () => 1e12 } };

const sizes = (arg("sizes") ?? "1000,4000,16000,64000,256000").split(",").map(Number);
const strategies = (arg("strategies") ?? STRATEGIES.map((s) => s.name).join(",")).split(",");
const tries = Number(arg("tries") ?? 2);

const SUB_BLOCK_BYTES = 1024;
const BLOCKS = 2;
const PEERS = 8;
/** Peer i: rate (1 + i) Mb/s, RTT 20 + 10 i ms; the tracker reports them exactly. */
const rateBps = (i: number) => (1 + i) * 1e6;
const rttUs = (i: number) => 20_000 + 10_000 * i;

const K_TRACKER = 0;
const K_CONNECTED = 1;
const K_ARRIVAL = 2;
const K_TIMER = 3;

/** One connection of the driver: requested ids in order (from `head`), each available one RTT after its request. */
interface DriverConn {
  readonly node: number;
  readonly perUs: number;
  readonly ids: SubBlockId[];
  readonly availUs: number[];
  head: number;
  /** Requested ids cancelled before they were sent. */
  readonly cancelled: Set<SubBlockId>;
  /** The id whose arrival is in the heap (-1: none), and when its transfer ends. */
  sending: SubBlockId;
  endUs: number;
  closed: boolean;
}

/** Drives one agent to completion; returns the process's CPU time it took, ms. */
function drive(subBlocksPerBlock: number, strategy: Strategy): number {
  const heap = new EventHeap(1024);
  let nowUs = 0;
  const nodes: NodeInfo[] = Array.from({ length: PEERS }, (_, i) => ({
    nodeId: i,
    kind: "peer" as const,
    advertisedUplinkBps: rateBps(i),
    rttHintMs: rttUs(i) / 1000,
    load: 0,
    connectedUsers: 0,
  }));
  const conns: DriverConn[] = [];
  const cancelledTimers = new Set<number>();
  /** Sends conn's next id that was not cancelled, from max(previous end, its availability). */
  const sendNext = (c: DriverConn, fromUs: number) => {
    c.sending = -1;
    while (c.head < c.ids.length) {
      const id = c.ids[c.head];
      const avail = c.availUs[c.head++];
      if (c.cancelled.delete(id)) continue;
      c.sending = id;
      c.endUs = Math.max(fromUs, avail) + c.perUs;
      heap.push(c.endUs, K_ARRIVAL, conns.indexOf(c), id);
      return;
    }
    c.ids.length = c.availUs.length = c.head = 0;
  };
  const blockBytes = subBlocksPerBlock * SUB_BLOCK_BYTES;
  const config: AgentConfig = {
    content: { sizeBytes: BLOCKS * blockBytes, blockBytes, subBlockBytes: SUB_BLOCK_BYTES },
    bitrateBps: 0,
    maxConnections: PEERS,
    trackerListSize: PEERS,
    trackerRefreshUs: 5_000_000,
    connectTimeoutUs: 3_000_000,
    blacklistUs: 30_000_000,
    requestTimeoutMinUs: 2_000_000,
    requestTimeoutFactor: 4,
    ewmaAlpha: 0.3,
    index: { speedWeight: 0.8, rttWeight: 0.2 },
    originNodeId: null,
    fallback: { whenNoPeers: false, deadlineMarginUs: 0 },
    startupBufferUs: 0,
  };
  /** The driver's side of the agent's commands. */
  const execute = (c: AgentCommand) => {
    switch (c.type) {
      case "set-timer":
        heap.push(c.atUs, K_TIMER, c.timerId, 0);
        return;
      case "cancel-timer":
        cancelledTimers.add(c.timerId);
        return;
      case "connect": {
        const perUs = Math.ceil((SUB_BLOCK_BYTES * 8e6) / rateBps(c.nodeId));
        conns[c.connId] = { node: c.nodeId, perUs, ids: [], availUs: [], head: 0, cancelled: new Set(), sending: -1, endUs: 0, closed: false };
        heap.push(nowUs + rttUs(c.nodeId), K_CONNECTED, c.connId, 0);
        return;
      }
      case "request": {
        const conn = conns[c.connId];
        for (const id of c.subBlockIds) {
          conn.ids.push(id);
          conn.availUs.push(nowUs + rttUs(conn.node));
        }
        if (conn.sending < 0) sendNext(conn, nowUs);
        return;
      }
      case "cancel": {
        const conn = conns[c.connId];
        for (const id of c.subBlockIds) if (id !== conn.sending) conn.cancelled.add(id); // the one being sent arrives anyway
        return;
      }
      case "close":
        conns[c.connId].closed = true;
        return;
      case "ask-tracker":
        heap.push(nowUs + 1_000, K_TRACKER, 0, 0);
        return;
      default:
        return; // blocks delivered, announces and notes: nothing to do
    }
  };
  const cpu0 = process.cpuUsage();
  const agent = new Agent(config, strategy);
  agent.start(nowUs);
  for (let c = agent.poll(); c !== undefined; c = agent.poll()) execute(c);
  while (!agent.finished && heap.length > 0) {
    heap.pop();
    nowUs = heap.poppedTimeUs;
    const a = heap.poppedA;
    const b = heap.poppedB;
    let e: AgentEvent;
    switch (heap.poppedKind) {
      case K_TRACKER:
        e = { type: "tracker-nodes", nodes };
        break;
      case K_CONNECTED:
        e = { type: "connected", connId: a };
        break;
      case K_ARRIVAL: {
        const c = conns[a];
        if (c.closed) continue;
        sendNext(c, nowUs);
        // A sub-block cancelled while it was being sent arrives anyway; the agent ignores it, as it must.
        e = { type: "sub-block", connId: a, subBlockId: b, sizeBytes: SUB_BLOCK_BYTES, firstByteUs: nowUs - c.perUs, checksumOk: true };
        break;
      }
      default:
        if (cancelledTimers.delete(a)) continue;
        e = { type: "timer", timerId: a };
    }
    agent.handle(nowUs, e);
    for (let c = agent.poll(); c !== undefined; c = agent.poll()) execute(c);
  }
  if (!agent.finished) throw new Error(`${strategy.name}: the download did not finish`);
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / 1000;
}

const fmt = (x: number, d = 0) => x.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });

console.log(`agent alone: ${BLOCKS} blocks of K sub-blocks of ${SUB_BLOCK_BYTES} B from ${PEERS} peers; best of ${tries}`);
const W = 26;
const creators = strategies.map((name) => {
  const create = STRATEGIES.find((s) => s.name === name)?.create;
  if (create === undefined) throw new Error(`unknown strategy ${name}`);
  return create;
});
for (let i = 0; i < 3; i++) for (const create of creators) drive(2000, create(ENV)); // warm-up (JIT)
console.log(`${"strategy".padEnd(16)}${sizes.map((k) => `K=${fmt(k)}`.padStart(W)).join("")}`);
for (const [s, name] of strategies.entries()) {
  const create = creators[s];
  const cells: string[] = [];
  let lowestNs = Number.POSITIVE_INFINITY;
  let skip = false;
  for (const k of sizes) {
    if (skip) {
      cells.push("superlinear: skipped".padStart(W));
      continue;
    }
    let bestMs = Number.POSITIVE_INFINITY;
    for (let t = 0; t < tries; t++) bestMs = Math.min(bestMs, drive(k, create(ENV)));
    const ns = (bestMs * 1e6) / (k * BLOCKS);
    lowestNs = Math.min(lowestNs, ns);
    skip = ns > 4 * lowestNs;
    cells.push(`${fmt(bestMs)} ms, ${fmt(ns)} ns/sb`.padStart(W));
  }
  console.log(`${name.padEnd(16)}${cells.join("")}`);
}
