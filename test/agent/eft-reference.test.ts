// `eft`'s decisions on mid-size blocks (hundreds of sub-blocks: longer queues than the shipped scenarios') equal
// those of the straightforward computation (naive-eft.ts: every queue walked in full for every estimate, every
// finish recomputed at every step, every k scanned): the reuse of walks and the bounded scans of eft.ts and
// timeline.ts change the work, never a command. The networks include a node that goes silent (overdue heads),
// one that resets (work the agent takes back), a corrupt sub-block (a node that may not fetch it) and a short
// last sub-block.
import { describe, expect, it } from "vitest";
import type { AgentCommand } from "../../src/agent/ports.ts";
import { EftStrategy } from "../../src/agent/strategies/eft.ts";
import type { Strategy } from "../../src/agent/strategy.ts";
import { type FakeNode, FakeNet, makeConfig, nodeInfo } from "./fakes.ts";
import { NaiveEftStrategy } from "./naive-eft.ts";

interface World {
  readonly name: string;
  readonly nodes: () => FakeNode[];
  readonly content: { sizeBytes: number; blockBytes: number; subBlockBytes: number };
}

/** A peer whose true rate is rateBps; it advertises advertisedBps (as much by default). */
const peer = (id: number, rateBps: number, rttMs: number, extra: Partial<FakeNode> = {}, advertisedBps = rateBps): FakeNode => ({
  info: nodeInfo(id, advertisedBps, rttMs),
  rateBps,
  rttUs: rttMs * 1_000,
  ...extra,
});

const WORLDS: World[] = [
  {
    name: "6 peers of 1-8 Mb/s advertising other rates, 3.5 blocks of 240 sub-blocks",
    nodes: () => [
      peer(1, 8e6, 20, {}, 2e6),
      peer(2, 4e6, 60),
      peer(3, 2e6, 30, {}, 8e6),
      peer(4, 1e6, 120, {}, 5e6),
      peer(5, 6e6, 200),
      peer(6, 3e6, 45, {}, 1e6),
    ],
    content: { sizeBytes: 3 * 2_400_000 + 1_234_567, blockBytes: 2_400_000, subBlockBytes: 10_000 },
  },
  {
    name: "a peer goes silent, one resets, one sub-block comes corrupt; 3 blocks of 400 sub-blocks",
    nodes: () => [
      peer(1, 5e6, 25, { corrupt: new Set([17, 450]) }),
      peer(2, 5e6, 25, { silentAtUs: 1_500_000 }),
      peer(3, 2e6, 80, { resetAtUs: 2_500_000 }),
      peer(4, 9e6, 150),
    ],
    content: { sizeBytes: 3 * 2_000_000, blockBytes: 2_000_000, subBlockBytes: 5_000 },
  },
];

function run(world: World, strategy: Strategy): { commands: { atUs: number; command: AgentCommand }[]; finished: boolean } {
  const net = new FakeNet(world.nodes(), makeConfig({ content: world.content, maxConnections: 8 }), strategy);
  net.run(200_000);
  return { commands: net.script.issued.map((i) => ({ atUs: i.atUs, command: i.command })), finished: net.agent.finished };
}

describe("eft equals the straightforward computation", () => {
  for (const world of WORLDS) {
    it(world.name, () => {
      const fast = run(world, new EftStrategy());
      const naive = run(world, new NaiveEftStrategy());
      expect(naive.finished).toBe(true);
      expect(fast.finished).toBe(true);
      // The comparison covers the paths that matter: moves and copies were made (each cancels a request).
      const count = (type: string) => naive.commands.filter((c) => c.command.type === type).length;
      expect(count("cancel")).toBeGreaterThan(0);
      expect(fast.commands.length).toBe(naive.commands.length);
      expect(fast.commands).toEqual(naive.commands);
    });
  }
});
