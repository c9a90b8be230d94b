// Every registered strategy downloads the content to the end on a fake network: blocks reach the sink in
// order, each exactly once, with its exact size; peers failing hands the rest to the origin.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createStrategy, STRATEGIES } from "../../src/agent/agent.ts";
import type { Oracle } from "../../src/agent/strategy.ts";
import { FakeNet, type FakeNode, makeConfig, nodeInfo } from "./fakes.ts";

function peers(): FakeNode[] {
  return [
    { info: nodeInfo(1, 4_000_000, 20), rateBps: 4_000_000, rttUs: 20_000 },
    { info: nodeInfo(2, 2_000_000, 50), rateBps: 2_000_000, rttUs: 50_000 },
    { info: nodeInfo(3, 1_000_000, 80), rateBps: 500_000, rttUs: 80_000 },
  ];
}

function oracleFor(nodes: FakeNode[]): Oracle {
  return {
    trueUplinkBps: (id) => nodes.find((n) => n.info.nodeId === id)?.rateBps ?? 0,
    trueRttUs: (id) => nodes.find((n) => n.info.nodeId === id)?.rttUs ?? 0,
    downlinkBps: () => 1e9,
  };
}

function expectInOrder(net: FakeNet, sizeBytes: number, blockBytes: number): void {
  const blocks = Math.ceil(sizeBytes / blockBytes);
  expect(net.script.delivered.map((d) => d.block)).toEqual([...Array(blocks).keys()]);
  expect(net.script.delivered.reduce((a, d) => a + d.sizeBytes, 0)).toBe(sizeBytes);
}

describe("every strategy completes the download", () => {
  for (const entry of STRATEGIES) {
    it(`${entry.name}: blocks in order, exactly once`, () => {
      const nodes = peers();
      const content = { sizeBytes: 2_350_000, blockBytes: 500_000, subBlockBytes: 64_000 };
      const net = new FakeNet(nodes, makeConfig({ content }), entry.create({ oracle: oracleFor(nodes) }));
      net.run();
      expect(net.agent.finished).toBe(true);
      expectInOrder(net, content.sizeBytes, content.blockBytes);
      expect(net.script.timers.size).toBe(0); // everything cancelled at the end
    });
  }

  it("holds for random layouts and node rates (pull, rebalance, endgame)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 400_000 }),
        fc.integer({ min: 1_000, max: 150_000 }),
        fc.integer({ min: 500, max: 60_000 }),
        fc.array(fc.integer({ min: 100_000, max: 5_000_000 }), { minLength: 1, maxLength: 4 }),
        fc.constantFrom("pull", "rebalance", "endgame", "static"),
        (sizeBytes, blockBytes, subBlockBytes, rates, name) => {
          const nodes: FakeNode[] = rates.map((r, i) => ({
            info: nodeInfo(i + 1, r, 30),
            rateBps: r,
            rttUs: 10_000 * (i + 1),
          }));
          const content = { sizeBytes, blockBytes, subBlockBytes };
          const net = new FakeNet(nodes, makeConfig({ content }), createStrategy(name));
          net.run(200_000);
          expect(net.agent.finished).toBe(true);
          expectInOrder(net, sizeBytes, blockBytes);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe("fallback to the origin", () => {
  it("serves the rest when every peer fails", () => {
    const nodes: FakeNode[] = [
      { info: nodeInfo(1, 2_000_000, 20), rateBps: 2_000_000, rttUs: 20_000, resetAtUs: 1_000_000 },
      { info: nodeInfo(2, 2_000_000, 20), rateBps: 2_000_000, rttUs: 20_000, resetAtUs: 1_500_000 },
      { info: nodeInfo(0, 0, 0, "origin"), rateBps: 8_000_000, rttUs: 40_000 },
    ];
    const content = { sizeBytes: 2_000_000, blockBytes: 500_000, subBlockBytes: 100_000 };
    const net = new FakeNet(nodes, makeConfig({ content, originNodeId: 0 }), createStrategy("rebalance"));
    net.run();
    expect(net.agent.finished).toBe(true);
    expectInOrder(net, content.sizeBytes, content.blockBytes);
    const originConn = net.script.connects.find((c) => c.nodeId === 0)!;
    expect(originConn.atUs).toBeGreaterThanOrEqual(1_500_000);
    // 4 Mb/s for 1.5 s is at most 750 kB from the peers: the origin served the rest.
    expect(net.script.requestsOn(originConn.connId).length).toBeGreaterThanOrEqual(13);
    expect(net.script.fallbacks).toEqual(["no-peers"]);
    expect(net.agent.stats().fallbacks).toBe(1);
    expect(net.script.blacklisted.map((b) => b.reason)).toEqual(["reset", "reset"]);
  });

  it("gives the current block to the origin when its playback deadline is near", () => {
    // One slow peer (0.5 Mb/s) and a 1 Mb/s stream: block 1 is due 2 s after playback starts (block 0 delivered
    // at ~3.2 s), margin 1.5 s ⇒ the origin is called at ~3.7 s and takes block 1's unfinished sub-blocks.
    const nodes: FakeNode[] = [
      { info: nodeInfo(1, 500_000, 20), rateBps: 500_000, rttUs: 20_000 },
      { info: nodeInfo(0, 0, 0, "origin"), rateBps: 10_000_000, rttUs: 20_000 },
    ];
    const content = { sizeBytes: 500_000, blockBytes: 250_000, subBlockBytes: 50_000 };
    const config = makeConfig({
      content,
      originNodeId: 0,
      bitrateBps: 1_000_000,
      startupBufferUs: 2_000_000,
      fallback: { whenNoPeers: true, deadlineMarginUs: 1_500_000 },
    });
    const net = new FakeNet(nodes, config, createStrategy("static"));
    net.run();
    expect(net.agent.finished).toBe(true);
    expect(net.script.fallbacks).toEqual(["deadline"]);
    const originConn = net.script.connects.find((c) => c.nodeId === 0)!;
    const block0At = net.script.delivered[0].atUs;
    expect(originConn.atUs).toBe(block0At + 2_000_000 - 1_500_000);
    expect(net.script.requestsOn(originConn.connId).every((id) => id >= 5)).toBe(true);
    expect(net.script.delivered[1].atUs).toBeLessThan(block0At + 2_000_000);
  });

  it("rebalance never takes work back from the origin serving a block at its deadline", () => {
    // A slow peer holds block 1 when its deadline nears; the origin takes it over. A fast peer that goes idle
    // meanwhile would see the origin (an unmeasured 1 Mb/s prior) as the slowest connection and move its work
    // back to peers, undoing the fallback: the origin's work is pinned instead.
    const nodes: FakeNode[] = [
      { info: nodeInfo(1, 400_000, 20), rateBps: 400_000, rttUs: 20_000 },
      { info: nodeInfo(2, 8_000_000, 20), rateBps: 8_000_000, rttUs: 20_000 },
      { info: nodeInfo(0, 0, 0, "origin"), rateBps: 3_000_000, rttUs: 20_000 },
    ];
    const config = makeConfig({
      content: { sizeBytes: 1_000_000, blockBytes: 250_000, subBlockBytes: 25_000 },
      originNodeId: 0,
      bitrateBps: 1_000_000,
      startupBufferUs: 2_000_000,
      fallback: { whenNoPeers: true, deadlineMarginUs: 1_900_000 },
    });
    const net = new FakeNet(nodes, config, createStrategy("rebalance"));
    net.run();
    expect(net.agent.finished).toBe(true);
    expect(net.script.fallbacks).toContain("deadline");
    const originConns = net.script.connects.filter((c) => c.nodeId === 0).map((c) => c.connId);
    expect(originConns.length).toBeGreaterThan(0);
    expect(net.script.rebalances.length).toBeGreaterThan(0);
    for (const r of net.script.rebalances) expect(originConns).not.toContain(r.from);
  });
});
