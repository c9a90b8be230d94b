// Liveness: connections whose peer went away without a word are found out within their stall budget, their work
// goes back to the pool and their slot is refilled, even when the deadline fallback keeps taking their work;
// the tracker is asked again, rate-limited, when no known node is left; the origin connection stays open
// between fallbacks. Hand-computed timelines on the scripted ports and the fake network.
import { describe, expect, it } from "vitest";
import { createStrategy } from "../../src/agent/agent.ts";
import type { AgentEvent } from "../../src/agent/ports.ts";
import { FakeNet, type FakeNode, makeConfig, nodeInfo, Script } from "./fakes.ts";

/** 100 kB sub-blocks at 8 Mb/s take 100 ms; sub-block events carry their size. */
const sb = (connId: number, subBlockId: number, firstByteUs: number): AgentEvent => ({
  type: "sub-block",
  connId,
  subBlockId,
  sizeBytes: 100_000,
  firstByteUs,
  checksumOk: true,
});

describe("a peer that leaves while a deadline fallback is active", () => {
  it("is dropped within its stall budget, its silence kept across cancels; its slot is refilled; the origin is opened once", () => {
    // 4 blocks of 4 sub-blocks of 100 kB, played at 3.2 Mb/s (1 s per block) once block 0 is in (the start-up
    // buffer is 0.1 s = 40 kB). Deadline fallback 0.5 s ahead. Budget: max(1 s, 4 × (10 ms + 100 ms)) = 1 s.
    const config = makeConfig({
      content: { sizeBytes: 1_600_000, blockBytes: 400_000, subBlockBytes: 100_000 },
      bitrateBps: 3_200_000,
      startupBufferUs: 100_000,
      maxConnections: 2,
      requestTimeoutMinUs: 1_000_000,
      originNodeId: 100,
      fallback: { whenNoPeers: true, deadlineMarginUs: 500_000 },
    });
    const script = new Script(config, createStrategy("static"));
    const agent = script.agent;
    const at = (tUs: number, e: AgentEvent) => {
      script.advanceTo(tUs);
      script.handle(e);
    };
    script.start();
    // Nodes 1 and 2 have the best priors and get the two slots; node 3 is the spare.
    at(1_000, { type: "tracker-nodes", nodes: [nodeInfo(1, 8e6, 10), nodeInfo(2, 8e6, 10), nodeInfo(3, 4e6, 10)] });
    expect(script.connects.map((c) => c.nodeId)).toEqual([1, 2]);
    at(10_000, { type: "connected", connId: 0 });
    at(10_000, { type: "connected", connId: 1 });
    expect(script.requests.map((r) => [r.connId, r.ids])).toEqual([
      [0, [0, 1]],
      [1, [2, 3]],
    ]);
    // Block 0 in at 220 ms: playback starts, block 1's deadline is 1.22 s, its fallback at 0.72 s.
    at(120_000, sb(0, 0, 20_000));
    at(120_000, sb(1, 2, 20_000));
    at(220_000, sb(0, 1, 120_000));
    at(220_000, sb(1, 3, 120_000));
    expect(script.requests.slice(2).map((r) => [r.connId, r.ids, r.atUs])).toEqual([
      [0, [4, 5], 220_000],
      [1, [6, 7], 220_000],
    ]);
    at(330_000, sb(0, 4, 230_000));
    at(330_000, sb(1, 6, 230_000));
    // Node 2 leaves without a word at 0.7 s (7 never arrives). The fallback fires at 0.72 s: the origin is
    // opened, and once connected it takes 5 and 7 from both peers.
    script.advanceTo(720_000);
    expect(script.fallbacks).toEqual(["deadline"]);
    expect(script.connects.map((c) => [c.nodeId, c.atUs])).toEqual([
      [1, 1_000],
      [2, 1_000],
      [100, 720_000],
    ]);
    at(800_000, { type: "connected", connId: 2 });
    expect(script.cancels).toEqual([
      { connId: 0, ids: [5] },
      { connId: 1, ids: [7] },
    ]);
    expect(script.requests.at(-1)).toEqual({ connId: 2, ids: [5, 7], atUs: 800_000 });
    at(900_000, sb(2, 5, 820_000));
    at(1_000_000, sb(2, 7, 900_000));
    // Block 2 at 1 s: the origin is parked (kept open, not used); static splits over the two peers. Node 2
    // delivered 6 since its last request, so its clock starts afresh: due at 2 s.
    expect(script.closes).toEqual([]);
    expect(script.requests.slice(-2).map((r) => [r.connId, r.ids, r.atUs])).toEqual([
      [0, [8, 9], 1_000_000],
      [1, [10, 11], 1_000_000],
    ]);
    at(1_110_000, sb(0, 8, 1_010_000));
    at(1_210_000, sb(0, 9, 1_110_000));
    // Block 2's fallback at 1.72 s (deadline 2.22 s) takes 10 and 11 from node 2 before its budget ran out:
    // the parked origin serves them at once, without a new connection.
    script.advanceTo(1_720_000);
    expect(script.fallbacks).toEqual(["deadline", "deadline"]);
    expect(script.connects).toHaveLength(3);
    expect(script.requests.at(-1)).toEqual({ connId: 2, ids: [10, 11], atUs: 1_720_000 });
    expect(script.blacklisted).toEqual([]);
    at(1_820_000, sb(2, 10, 1_740_000));
    at(1_920_000, sb(2, 11, 1_820_000));
    // Block 3 at 1.92 s. Node 2 delivered nothing since its request at 1 s and held work for 0.72 s of it:
    // its clock resumes there (not from this request), so it is due at 1.92 + (1 − 0.72) = 2.2 s, not 2.92 s.
    expect(script.requests.slice(-2).map((r) => [r.connId, r.ids, r.atUs])).toEqual([
      [0, [12, 13], 1_920_000],
      [1, [14, 15], 1_920_000],
    ]);
    script.advanceTo(2_199_999);
    expect(script.blacklisted).toEqual([]);
    script.advanceTo(2_200_000);
    expect(script.blacklisted).toEqual([{ nodeId: 2, reason: "stalled" }]);
    expect(script.blacklistedAtUs).toEqual([2_200_000]);
    expect(script.closes).toEqual([1]);
    // The slot goes to the spare node at once; the stalled work is back in the pool for the next idle one.
    expect(script.connects.at(-1)).toEqual({ connId: 3, nodeId: 3, atUs: 2_200_000 });
    at(2_210_000, { type: "connected", connId: 3 });
    expect(script.requests.at(-1)).toEqual({ connId: 3, ids: [14, 15], atUs: 2_210_000 });
    expect(agent.stats()).toMatchObject({ stalledConnections: 1, fallbacks: 2, blacklisted: 1 });
  });
});

describe("N of M peers leaving silently", () => {
  it("2 of 4 peers: each is dropped exactly one stall budget after its last sub-block, and spares take the slots", () => {
    // pull, 100 kB sub-blocks, 8 Mb/s, RTT 20 ms: a sub-block every 120 ms per peer (request, 20 ms, 100 ms).
    // Budget = max(0.1 s, 4 × (20 ms + 100 ms)) = 480 ms. Connected at 21 ms, sub-blocks arrive at 141, 261,
    // 381 ms, …; nodes 1 and 3 fall silent at 0.5 s, so their last sub-block is the one at 381 ms and they
    // are dropped at 381 + 480 = 861 ms. Nodes 5 and 6 (listed, not connected: 4 slots) take their places.
    const peer = (id: number, silentAtUs?: number): FakeNode => ({
      info: nodeInfo(id, 8e6, 20),
      rateBps: 8e6,
      rttUs: 20_000,
      silentAtUs,
    });
    const nodes = [peer(1, 500_000), peer(2), peer(3, 500_000), peer(4), peer(5), peer(6)];
    const config = makeConfig({
      content: { sizeBytes: 8_000_000, blockBytes: 2_000_000, subBlockBytes: 100_000 },
      maxConnections: 4,
      requestTimeoutMinUs: 100_000,
    });
    const net = new FakeNet(nodes, config, createStrategy("pull"));
    net.run();
    expect(net.agent.finished).toBe(true);
    expect(net.script.blacklisted).toEqual([
      { nodeId: 1, reason: "stalled" },
      { nodeId: 3, reason: "stalled" },
    ]);
    expect(net.script.blacklistedAtUs).toEqual([861_000, 861_000]);
    expect(net.script.connects.map((c) => [c.nodeId, c.atUs])).toEqual([
      [1, 1_000],
      [2, 1_000],
      [3, 1_000],
      [4, 1_000],
      [5, 861_000],
      [6, 861_000],
    ]);
    expect(net.script.delivered.map((d) => d.block)).toEqual([0, 1, 2, 3]);
    // The silent peers' last requests (sent at 381 ms) went back to the pool and arrived from others.
    expect(net.agent.stats().stalledConnections).toBe(2);
  });
});

describe("the tracker is asked again when no known node is left", () => {
  it("at once if the last request is trackerMinIntervalUs old, else when it is; else every trackerRefreshUs", () => {
    // One slot. Budget = max(0.5 s, 4 × (10 ms + 100 ms)) = 0.5 s. Node 1 never sends: dropped at 10 + 500 =
    // 510 ms; no node left, but the tracker was asked at 0, so the next request waits until 1 s (not the
    // periodic 10 s). Node 2, listed then, is tried at 1.001 s, answers at 1.6 s, is given the work and never
    // sends either: dropped at 2.1 s, more than 1 s after the last request, so the tracker is asked at once.
    const config = makeConfig({
      content: { sizeBytes: 200_000, blockBytes: 200_000, subBlockBytes: 100_000 },
      maxConnections: 1,
      trackerRefreshUs: 10_000_000,
      trackerMinIntervalUs: 1_000_000,
      requestTimeoutMinUs: 500_000,
    });
    const script = new Script(config, createStrategy("static"));
    script.start();
    script.nowUs = 1_000;
    script.handle({ type: "tracker-nodes", nodes: [nodeInfo(1, 8e6, 10)] });
    script.nowUs = 10_000;
    script.handle({ type: "connected", connId: 0 });
    expect(script.requests).toEqual([{ connId: 0, ids: [0, 1], atUs: 10_000 }]);
    script.advanceTo(510_000);
    expect(script.blacklistedAtUs).toEqual([510_000]);
    expect(script.trackerAskTimesUs).toEqual([0]);
    script.advanceTo(999_999);
    expect(script.trackerAskTimesUs).toEqual([0]);
    script.advanceTo(1_000_000);
    expect(script.trackerAskTimesUs).toEqual([0, 1_000_000]);
    script.nowUs = 1_001_000;
    script.handle({ type: "tracker-nodes", nodes: [nodeInfo(1, 8e6, 10), nodeInfo(2, 8e6, 10)] });
    expect(script.connects.map((c) => [c.nodeId, c.atUs])).toEqual([
      [1, 1_000],
      [2, 1_001_000],
    ]);
    script.advanceTo(1_600_000);
    script.handle({ type: "connected", connId: 1 });
    expect(script.requests.at(-1)).toEqual({ connId: 1, ids: [0, 1], atUs: 1_600_000 });
    script.advanceTo(2_100_000);
    expect(script.blacklistedAtUs).toEqual([510_000, 2_100_000]);
    expect(script.trackerAskTimesUs).toEqual([0, 1_000_000, 2_100_000]);
  });

  it("with every slot full, the node list is refreshed every trackerRefreshUs", () => {
    // Two healthy peers fill both slots; the download ends at 1.461 s (24 sub-blocks, 12 per peer, one at a time:
    // 12 × (20 ms RTT + 100 ms) after connecting at 21 ms). Tracker requests at 0, then every 0.5 s.
    const peer = (id: number): FakeNode => ({ info: nodeInfo(id, 8e6, 20), rateBps: 8e6, rttUs: 20_000 });
    const config = makeConfig({
      content: { sizeBytes: 2_400_000, blockBytes: 800_000, subBlockBytes: 100_000 },
      maxConnections: 2,
      trackerRefreshUs: 500_000,
    });
    const net = new FakeNet([peer(1), peer(2)], config, createStrategy("pull"));
    net.run();
    expect(net.agent.finished).toBe(true);
    expect(net.script.delivered.at(-1)?.atUs).toBe(1_461_000);
    expect(net.script.trackerAskTimesUs).toEqual([0, 500_000, 1_000_000]);
  });
});

describe("the origin connection between fallbacks", () => {
  it("is parked, then closed after originIdleCloseUs unused; with 0 it is closed at the block start", () => {
    // One peer too slow for the stream (a sub-block takes 2 s; its budget, 4 × 2.01 s, lets it live): every
    // block needs the deadline fallback. Blocks of 2 × 100 kB played at 1.6 Mb/s (1 s each).
    const run = (originIdleCloseUs: number) => {
      const nodes: FakeNode[] = [
        { info: nodeInfo(1, 400_000, 10), rateBps: 400_000, rttUs: 10_000 },
        { info: nodeInfo(100, 20e6, 40, "origin"), rateBps: 20e6, rttUs: 40_000 },
      ];
      const config = makeConfig({
        content: { sizeBytes: 1_000_000, blockBytes: 200_000, subBlockBytes: 100_000 },
        bitrateBps: 1_600_000,
        startupBufferUs: 100_000,
        maxConnections: 1,
        originNodeId: 100,
        fallback: { whenNoPeers: true, deadlineMarginUs: 500_000, originIdleCloseUs },
      });
      const net = new FakeNet(nodes, config, createStrategy("static"));
      net.run();
      expect(net.agent.finished).toBe(true);
      const originConnects = net.script.connects.filter((c) => c.nodeId === 100);
      const s = net.agent.stats();
      return { fallbacks: s.fallbacks, stalled: s.stalledConnections, originConnects: originConnects.length };
    };
    const kept = run(30_000_000);
    const closed = run(0);
    expect(kept.stalled).toBe(0);
    expect(kept.fallbacks).toBeGreaterThan(1);
    expect(kept.originConnects).toBe(1);
    // Closed at each block start, the origin is connected again for every fallback.
    expect(closed.originConnects).toBe(closed.fallbacks);
  });
});
