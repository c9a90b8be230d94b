// The agent driven event by event against the scripted ports: splits at block start, rebalancing, blacklist
// expiry, stalls, departures and strategy failures, with hand-computed expectations.
import { describe, expect, it } from "vitest";
import { createStrategy, StrategyError } from "../../src/agent/agent.ts";
import type { AgentConfig } from "../../src/agent/config.ts";
import type { NodeInfo } from "../../src/agent/ports.ts";
import type { Oracle, Strategy } from "../../src/agent/strategy.ts";
import { makeConfig, nodeInfo, Script } from "./fakes.ts";

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

/** Starts an agent, lists the nodes at t = 1 ms and connects every one at t = 10 ms. */
function connectAll(config: AgentConfig, strategy: Strategy, nodes: NodeInfo[]) {
  const script = new Script(config, strategy);
  const agent = script.agent;
  script.start();
  script.nowUs = 1_000;
  script.handle({ type: "tracker-nodes", nodes });
  script.nowUs = 10_000;
  for (const c of [...script.connects]) script.handle({ type: "connected", connId: c.connId });
  return { script, agent };
}

function subBlock(connId: number, subBlockId: number, firstByteUs: number, checksumOk = true) {
  return { type: "sub-block", connId, subBlockId, sizeBytes: 12_500, firstByteUs, checksumOk } as const;
}

const oneBlock = (subBlocks: number) => ({
  sizeBytes: subBlocks * 100_000,
  blockBytes: subBlocks * 100_000,
  subBlockBytes: 100_000,
});

describe("splits at block start", () => {
  it("static: 10 sub-blocks over 3 connections ⇒ 4, 3, 3 in one request each", () => {
    const nodes = [nodeInfo(1, 1e6, 50), nodeInfo(2, 5e6, 20), nodeInfo(3, 2e6, 80)];
    const { script } = connectAll(makeConfig({ content: oneBlock(10) }), createStrategy("static"), nodes);
    const byNode = (n: number) => script.connects.find((c) => c.nodeId === n)!.connId;
    // Connections open best prior first: node 2, node 3, node 1.
    expect(script.connects.map((c) => c.nodeId)).toEqual([2, 3, 1]);
    expect(script.requests.map((r) => [r.connId, r.ids])).toEqual([
      [byNode(2), range(0, 4)],
      [byNode(3), range(4, 7)],
      [byNode(1), range(7, 10)],
    ]);
  });

  it("index: V = 0.8·rate/max + 0.2·minRtt/rtt ⇒ A (3 Mb/s, 50 ms) 1.0, B (1 Mb/s, 100 ms) 0.3667 ⇒ 7 and 3", () => {
    // Shares of 10: 7.317 and 2.683 ⇒ floors 7 and 2, the last one to the larger remainder (B).
    const nodes = [nodeInfo(1, 3e6, 50), nodeInfo(2, 1e6, 100)];
    const { script } = connectAll(makeConfig({ content: oneBlock(10) }), createStrategy("index"), nodes);
    expect(script.requests.map((r) => r.ids)).toEqual([range(0, 7), range(7, 10)]);
  });

  it("oracle: the best split over 8, 4, 2 Mb/s with RTTs 0.1, 0.4, 2 s ⇒ 8 / 2 / 0 sub-blocks, the block ends at 0.9 s", () => {
    // 10 sub-blocks of 100 kB take 0.1, 0.2, 0.4 s alone (the 100 Mb/s downlink never binds): 8 on the first end
    // at 0.9 s, 2 on the second at 0.8 s; 7 / 3 would end at 1.0 s; the third's first byte comes only at 2 s.
    const truth = new Map([
      [1, { bps: 8e6, rttUs: 100_000 }],
      [2, { bps: 4e6, rttUs: 400_000 }],
      [3, { bps: 2e6, rttUs: 2_000_000 }],
    ]);
    const oracle: Oracle = {
      trueUplinkBps: (id) => truth.get(id)!.bps,
      trueRttUs: (id) => truth.get(id)!.rttUs,
      downlinkBps: () => 100e6,
    };
    const nodes = [nodeInfo(1, 1e6, 10), nodeInfo(2, 1e6, 10), nodeInfo(3, 1e6, 10)];
    const { script } = connectAll(
      makeConfig({ content: oneBlock(10) }),
      createStrategy("oracle", { oracle }),
      nodes,
    );
    const onNode = (n: number) => script.requestsOn(script.connects.find((c) => c.nodeId === n)!.connId);
    expect(onNode(1)).toEqual(range(0, 8));
    expect(onNode(2)).toEqual([8, 9]);
    expect(onNode(3)).toEqual([]);
  });

  it("oracle without an oracle cannot be created (a real network offers none)", () => {
    expect(() => createStrategy("oracle")).toThrow(/oracle strategy needs an Oracle, which only a simulator provides/);
    expect(() => createStrategy("oracle", {})).toThrow(/needs an Oracle/);
  });
});

describe("rebalance", () => {
  it("a finished 4 Mb/s connection takes 7 of the 9 unstarted sub-blocks of a 1 Mb/s one; its head and 2 stay", () => {
    // Both advertise 4 Mb/s, so the index split of 22 sub-blocks is 11 / 11. Sub-blocks are 12.5 kB = 100 kbit:
    // 25 ms at 4 Mb/s, 100 ms at 1 Mb/s. B delivers one at 120 ms (measured 1 Mb/s, 10 left: its head 12
    // started at 120 ms, 13..21 have not started); A delivers its 11, the last at 295 ms, and goes idle.
    // Unstarted on B: 9 ⇒ [keep, give] = largestRemainder(9, [1, 4]) = [2, 7] ⇒ 15..21 move. It pays: B would
    // end at 295 ms (its head is overdue: taken as arriving now) + 9 × 100 ms = 1,195 ms; after the move B ends
    // at 295 + 2 × 100 = 495 ms and A at 295 + 10 (RTT) + 7 × 25 = 480 ms.
    const config = makeConfig({
      content: { sizeBytes: 275_000, blockBytes: 275_000, subBlockBytes: 12_500 },
    });
    const { script, agent } = connectAll(config, createStrategy("rebalance"), [
      nodeInfo(1, 4e6, 10),
      nodeInfo(2, 4e6, 10),
    ]);
    expect(script.requests.map((r) => [r.connId, r.ids])).toEqual([
      [0, range(0, 11)],
      [1, range(11, 22)],
    ]);
    for (let k = 0; k < 11; k++) {
      script.nowUs = 45_000 + 25_000 * k;
      if (script.nowUs === 120_000) script.handle(subBlock(1, 11, 20_000)); // 100 kbit in 100 ms
      script.handle(subBlock(0, k, 20_000 + 25_000 * k));
    }
    expect(script.cancels).toEqual([{ connId: 1, ids: range(15, 22) }]);
    expect(script.requests.at(-1)).toEqual({ connId: 0, ids: range(15, 22), atUs: 295_000 });
    expect(script.rebalances).toEqual([{ from: 1, to: 0, count: 7 }]);
    expect(agent.stats().rebalances).toBe(1);
    expect(agent.stats().movedSubBlocks).toBe(7);
  });
});

describe("connection control", () => {
  it("a refused node is blacklisted, not retried before expiry, retried after", () => {
    const config = makeConfig({ blacklistUs: 30_000_000 });
    const script = new Script(config, createStrategy("pull"));
    const agent = script.agent;
    script.start();
    script.handle({ type: "tracker-nodes", nodes: [nodeInfo(7, 1e6, 10)] });
    expect(script.connects.map((c) => c.nodeId)).toEqual([7]);
    script.nowUs = 50_000;
    script.handle({ type: "connect-failed", connId: 0, reason: "refused" });
    expect(script.blacklisted).toEqual([{ nodeId: 7, reason: "connect-refused" }]);
    // The tracker keeps listing node 7 (refreshes every 5 s): no new attempt before 30.05 s.
    for (let t = 5_000_000; t < 30_000_000; t += 5_000_000) {
      script.advanceTo(t + 1_000);
      script.handle({ type: "tracker-nodes", nodes: [nodeInfo(7, 1e6, 10)] });
    }
    script.advanceTo(30_049_999);
    expect(script.connects).toHaveLength(1);
    script.advanceTo(30_050_000);
    expect(script.connects.map((c) => [c.nodeId, c.atUs])).toEqual([
      [7, 0],
      [7, 30_050_000],
    ]);
    expect(agent.stats()).toMatchObject({ blacklisted: 1, connectFailures: 1 });
  });

  it("an attempt with no answer times out after connectTimeoutUs and the node is blacklisted", () => {
    const script = new Script(makeConfig({ connectTimeoutUs: 3_000_000 }), createStrategy("pull"));
    script.start();
    script.handle({ type: "tracker-nodes", nodes: [nodeInfo(1, 1e6, 10), nodeInfo(2, 2e6, 10)] });
    script.advanceTo(3_000_000);
    expect(script.blacklisted).toEqual([
      { nodeId: 2, reason: "connect-timeout" },
      { nodeId: 1, reason: "connect-timeout" },
    ]);
    expect(script.closes).toEqual([0, 1]);
  });

  it("a stalled request returns its sub-blocks to the pool, closes the connection and blacklists the node", () => {
    // Timeout = max(2 s, 4 × (10 ms + 100 kB at 8 Mb/s = 0.1 s)) = 2 s after the request at 10 ms.
    const nodes = [nodeInfo(1, 8e6, 10), nodeInfo(2, 4e6, 10)];
    const { script, agent } = connectAll(
      makeConfig({ content: oneBlock(4) }),
      createStrategy("static"),
      nodes,
    );
    expect(script.requests.map((r) => r.ids)).toEqual([
      [0, 1],
      [2, 3],
    ]);
    script.nowUs = 400_000;
    script.handle({ ...subBlock(1, 2, 200_000), sizeBytes: 100_000 });
    script.handle({ ...subBlock(1, 3, 300_000), sizeBytes: 100_000 });
    script.advanceTo(2_009_999);
    expect(script.blacklisted).toEqual([]);
    script.advanceTo(2_010_000);
    expect(script.blacklisted).toEqual([{ nodeId: 1, reason: "stalled" }]);
    expect(script.closes).toEqual([0]);
    expect(script.requests.at(-1)).toEqual({ connId: 1, ids: [0, 1], atUs: 2_010_000 });
    expect(agent.stats().stalledConnections).toBe(1);
  });

  it("peer-left returns the work without blacklisting; reset blacklists", () => {
    const nodes = [nodeInfo(1, 8e6, 10), nodeInfo(2, 4e6, 10), nodeInfo(3, 1e6, 10)];
    const { script } = connectAll(
      makeConfig({ content: oneBlock(6), maxConnections: 3 }),
      createStrategy("static"),
      nodes,
    );
    script.nowUs = 50_000;
    script.handle({ type: "disconnected", connId: 0, reason: "peer-left" });
    expect(script.blacklisted).toEqual([]);
    script.handle({ type: "disconnected", connId: 1, reason: "reset" });
    expect(script.blacklisted).toEqual([{ nodeId: 2, reason: "reset" }]);
    // Both shares went back to the pool; the last connection (busy with 4, 5) takes them when it is idle.
    script.handle({ ...subBlock(2, 4, 20_000), sizeBytes: 100_000 });
    script.handle({ ...subBlock(2, 5, 30_000), sizeBytes: 100_000 });
    expect(script.requestsOn(2)).toEqual([4, 5, 0, 1, 2, 3]);
  });
});

describe("strategy failures", () => {
  it("a strategy that throws gives a StrategyError naming it and the time", () => {
    const boom: Strategy = {
      name: "boom",
      onBlockStart: () => {
        throw new Error("kaput");
      },
      onConnectionIdle: () => {},
    };
    const script = new Script(makeConfig(), boom);
    script.start();
    script.handle({ type: "tracker-nodes", nodes: [nodeInfo(1, 1e6, 10)] });
    script.nowUs = 12_345;
    let error: unknown;
    try {
      script.handle({ type: "connected", connId: 0 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StrategyError);
    const se = error as StrategyError;
    expect([se.strategy, se.timeUs, (se.cause as Error).message]).toEqual(["boom", 12_345, "kaput"]);
    expect(se.message).toContain('"boom"');
    expect(() => script.handle({ type: "timer", timerId: 999 })).toThrow(StrategyError);
  });

  it("an invalid action (requesting a sub-block twice) is reported as the strategy's error", () => {
    const greedy: Strategy = {
      name: "greedy",
      onBlockStart: (ctx) => {
        ctx.request(ctx.connections[0].id, [0]);
        ctx.request(ctx.connections[0].id, [0]);
      },
      onConnectionIdle: () => {},
    };
    const script = new Script(makeConfig(), greedy);
    script.start();
    script.handle({ type: "tracker-nodes", nodes: [nodeInfo(1, 1e6, 10)] });
    expect(() => script.handle({ type: "connected", connId: 0 })).toThrow(/greedy.*not in the pool/);
  });
});

describe("don't have (swarm mode)", () => {
  it("a not-held answer closes the connection, blacklists the node and puts its sub-blocks back on the other one", () => {
    // Static splits 10 sub-blocks 4 / 3 / 3 over nodes 2, 3, 1 (as above); node 3 answers "don't have" for 4.
    const nodes = [nodeInfo(1, 1e6, 50), nodeInfo(2, 5e6, 20), nodeInfo(3, 2e6, 80)];
    const { script } = connectAll(makeConfig({ content: oneBlock(10) }), createStrategy("static"), nodes);
    const byNode = (n: number) => script.connects.find((c) => c.nodeId === n)!.connId;
    const before = script.requests.length;
    script.nowUs = 50_000;
    script.handle({ type: "not-held", connId: byNode(3), subBlockId: 4 });
    expect(script.closes).toContain(byNode(3));
    expect(script.blacklisted).toEqual([{ nodeId: 3, reason: "not-held" }]);
    // Its three sub-blocks went back to the pool; once the others delivered theirs, they were requested again,
    // none of them from node 3.
    script.nowUs = 60_000;
    for (const id of range(0, 4)) script.handle(subBlock(byNode(2), id, 55_000));
    for (const id of range(7, 10)) script.handle(subBlock(byNode(1), id, 55_000));
    const again = script.requests.slice(before);
    expect(again.flatMap((r) => r.ids).sort((a, b) => a - b)).toEqual([4, 5, 6]);
    expect(again.every((r) => r.connId !== byNode(3))).toBe(true);
    // An answer for a sub-block the connection no longer holds is ignored.
    const n = script.requests.length;
    script.handle({ type: "not-held", connId: byNode(3), subBlockId: 5 });
    expect(script.requests.length).toBe(n);
  });
});

describe("have messages (swarm mode)", () => {
  // 4 blocks of 2 sub-blocks (block b: sub-blocks 2b, 2b + 1); pull keeps one sub-block in flight per
  // connection. Node 2 is a viewer that holds blocks 0–2 at connect time; node 1 a seeding peer.
  const content = { sizeBytes: 800_000, blockBytes: 200_000, subBlockBytes: 100_000 };
  const nodes = [nodeInfo(1, 1e6, 50), nodeInfo(2, 5e6, 20, "viewer")];

  function start() {
    const script = new Script(makeConfig({ content }), createStrategy("pull"));
    script.start();
    script.nowUs = 1_000;
    script.handle({ type: "tracker-nodes", nodes });
    const byNode = (n: number) => script.connects.find((c) => c.nodeId === n)!.connId;
    script.nowUs = 10_000;
    script.handle({ type: "holds", connId: byNode(2), blocks: [0, 1, 2] });
    for (const c of [...script.connects]) script.handle({ type: "connected", connId: c.connId });
    return { script, viewer: byNode(2), peer: byNode(1) };
  }

  /** Answers the oldest unanswered request, one sub-block per ms, until `until` says stop (bounded). */
  function answer(script: Script, until: () => boolean): void {
    const answered = new Set<number>();
    for (let step = 0; step < 100 && !until(); step++) {
      const next = script.requests.flatMap((r) => r.ids.map((id) => ({ connId: r.connId, id }))).find((x) => !answered.has(x.id));
      if (next === undefined) break;
      answered.add(next.id);
      script.nowUs += 1_000;
      script.handle(subBlock(next.connId, next.id, script.nowUs - 500));
    }
  }

  it("a viewer node holding blocks 0–2 is asked for nothing of block 3 until it says `have 3`, then it is", () => {
    const { script, viewer, peer } = start();
    answer(script, () => script.requests.some((r) => r.ids.includes(6)));
    // Blocks 0–2: each connection pulled one of the two sub-blocks of each block.
    const fromViewer = script.requestsOn(viewer);
    expect(fromViewer.map((id) => Math.floor(id / 2))).toEqual([0, 1, 2]);
    // Block 3 started: the peer pulled 6; the idle viewer connection was offered and took nothing.
    expect(script.requestsOn(peer).at(-1)).toBe(6);
    expect(script.requests.flatMap((r) => r.ids)).not.toContain(7);
    script.nowUs += 1_000;
    script.handle({ type: "have", connId: viewer, block: 3 });
    expect(script.requestsOn(viewer).at(-1)).toBe(7);
    expect(script.closes).toEqual([]);
    expect(script.blacklisted).toEqual([]);
  });

  it("`lost` takes a block back out of a node's holdings; a node that never said holds everything", () => {
    const { script, viewer, peer } = start();
    script.nowUs = 10_500;
    script.handle({ type: "lost", connId: viewer, block: 1 });
    script.handle({ type: "have", connId: peer, block: 1 }); // the peer never said what it holds: nothing changes
    answer(script, () => script.requests.some((r) => r.ids.includes(6)));
    // Without block 1 the viewer connection takes nothing of it: the peer fetched both 2 and 3.
    expect(script.requestsOn(viewer).map((id) => Math.floor(id / 2))).toEqual([0, 2]);
    expect(script.requestsOn(peer).filter((id) => id === 2 || id === 3)).toEqual([2, 3]);
  });

  it("a holds message naming a block outside the content breaks the agent", () => {
    const script = new Script(makeConfig({ content }), createStrategy("pull"));
    script.start();
    script.handle({ type: "tracker-nodes", nodes });
    expect(() => script.handle({ type: "holds", connId: 0, blocks: [4] })).toThrow(/block 4 is not a block/);
  });
});
