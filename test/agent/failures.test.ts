// Corrupt data and end-game duplicates on the fake network: a corrupt sub-block is fetched again from another
// node; a node that keeps sending corrupt data is blacklisted; the first copy of a duplicate wins.
import { describe, expect, it } from "vitest";
import { createStrategy } from "../../src/agent/agent.ts";
import { FakeNet, type FakeNode, makeConfig, nodeInfo } from "./fakes.ts";

const content = { sizeBytes: 800_000, blockBytes: 400_000, subBlockBytes: 50_000 };

function twoPeers(corrupt: number[]): FakeNode[] {
  return [
    { info: nodeInfo(1, 4e6, 20), rateBps: 4e6, rttUs: 20_000, corrupt: new Set(corrupt) },
    { info: nodeInfo(2, 2e6, 20), rateBps: 2e6, rttUs: 20_000 },
  ];
}

describe("corrupt sub-blocks", () => {
  for (const name of ["pull", "static", "rebalance"]) {
    it(`${name}: a corrupt sub-block is fetched again from another node`, () => {
      const net = new FakeNet(twoPeers([0]), makeConfig({ content }), createStrategy(name));
      net.run();
      expect(net.agent.finished).toBe(true);
      const conn1 = net.script.connects.find((c) => c.nodeId === 1)!.connId;
      const conn2 = net.script.connects.find((c) => c.nodeId === 2)!.connId;
      expect(net.sentOn.get(conn1)!.filter((id) => id === 0)).toHaveLength(1);
      expect(net.sentOn.get(conn2)).toContain(0);
      expect(net.agent.stats().corruptSubBlocks).toBe(1);
      expect(net.script.blacklisted).toEqual([]); // one corrupt sub-block is below the limit of 2
    });
  }

  it("a node that delivers corruptLimit corrupt sub-blocks is blacklisted and its work moves", () => {
    const net = new FakeNet(
      twoPeers([0, 2]),
      makeConfig({ content, corruptLimit: 2 }),
      createStrategy("pull"),
    );
    net.run();
    expect(net.agent.finished).toBe(true);
    expect(net.script.blacklisted).toEqual([{ nodeId: 1, reason: "corrupt-data" }]);
    expect(net.script.delivered.map((d) => d.block)).toEqual([0, 1]);
  });
});

describe("end-game", () => {
  it("idle connections duplicate the slowest connection's sub-blocks; the first copy wins", () => {
    const nodes: FakeNode[] = [
      { info: nodeInfo(1, 8e6, 10), rateBps: 8e6, rttUs: 10_000 },
      { info: nodeInfo(2, 8e6, 10), rateBps: 200_000, rttUs: 10_000 }, // far slower than it claims
    ];
    const net = new FakeNet(nodes, makeConfig({ content }), createStrategy("endgame"));
    net.run();
    expect(net.agent.finished).toBe(true);
    const s = net.agent.stats();
    expect(s.duplicatesRequested).toBeGreaterThan(0);
    // Every duplicate ends with one copy cancelled (the other arrived first), or the block completed first.
    expect(s.redundantCancelled).toBeGreaterThan(0);
    expect(s.redundantCancelled).toBeLessThanOrEqual(s.duplicatesRequested);
    expect(net.script.delivered.map((d) => d.block)).toEqual([0, 1]);
  });
});
