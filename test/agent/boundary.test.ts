// The agent's boundary (ports.ts): inputs carry their time, outputs are commands a driver drains in order, ids are
// the agent's own, and what a strategy hands the agent is copied into the commands. Hand-written expectations.
import { describe, expect, it } from "vitest";
import { Agent, createStrategy } from "../../src/agent/agent.ts";
import type { AgentCommand } from "../../src/agent/ports.ts";
import type { Strategy } from "../../src/agent/strategy.ts";
import { makeConfig, nodeInfo } from "./fakes.ts";

function drain(agent: Agent): AgentCommand[] {
  const out: AgentCommand[] = [];
  for (let c = agent.poll(); c !== undefined; c = agent.poll()) out.push(c);
  return out;
}

describe("the agent's boundary", () => {
  it("queues its outputs as commands, in order, with ids it allocates (connections from 0, timers from 1)", () => {
    const agent = new Agent(makeConfig({ maxConnections: 2 }), createStrategy("static"));
    agent.start(5);
    // The tracker is asked at once; with no connection yet, the next ask is due trackerMinIntervalUs (1 s) later.
    expect(drain(agent)).toEqual([
      { type: "ask-tracker", maxNodes: 10 },
      { type: "set-timer", timerId: 1, atUs: 1_000_005 },
    ]);
    expect(agent.poll()).toBeUndefined();
    agent.handle(1_000, { type: "tracker-nodes", nodes: [nodeInfo(7, 1e6, 10), nodeInfo(9, 2e6, 10), nodeInfo(3, 5e5, 10)] });
    // Best prior first: node 9, then node 7; each attempt gets its connect timeout (3 s). With both slots taken
    // the next tracker ask moves to trackerRefreshUs (5 s) after the last one: timer 1 goes, timer 4 comes.
    expect(drain(agent)).toEqual([
      { type: "connect", connId: 0, nodeId: 9 },
      { type: "set-timer", timerId: 2, atUs: 3_001_000 },
      { type: "connect", connId: 1, nodeId: 7 },
      { type: "set-timer", timerId: 3, atUs: 3_001_000 },
      { type: "cancel-timer", timerId: 1 },
      { type: "set-timer", timerId: 4, atUs: 5_000_005 },
    ]);
  });

  it("refuses an input whose time goes back or is not an integer µs", () => {
    const agent = new Agent(makeConfig(), createStrategy("static"));
    agent.start(1_000);
    expect(() => agent.handle(999, { type: "tracker-nodes", nodes: [] })).toThrow(/not before the last input's 1000 µs/);
    const other = new Agent(makeConfig(), createStrategy("static"));
    other.start(0);
    expect(() => other.handle(1.5, { type: "tracker-nodes", nodes: [] })).toThrow(/integer µs/);
  });

  it("copies the ids a strategy passes: changing its array afterwards changes no command", () => {
    const scratch: number[] = [];
    const reuser: Strategy = {
      name: "reuser",
      onBlockStart: (ctx) => {
        for (const conn of ctx.connections) {
          scratch.length = 0;
          for (const id of ctx.poolHead(conn.id, 2)) scratch.push(id);
          ctx.request(conn.id, scratch);
        }
      },
      onConnectionIdle: () => {},
    };
    const agent = new Agent(makeConfig({ content: { sizeBytes: 400_000, blockBytes: 400_000, subBlockBytes: 100_000 } }), reuser);
    agent.start(0);
    agent.handle(1_000, { type: "tracker-nodes", nodes: [nodeInfo(1, 2e6, 10), nodeInfo(2, 1e6, 10)] });
    agent.handle(10_000, { type: "connected", connId: 0 });
    agent.handle(10_000, { type: "connected", connId: 1 });
    const requests = drain(agent).filter((c) => c.type === "request");
    expect(requests).toEqual([
      { type: "request", connId: 0, subBlockIds: [0, 1] },
      { type: "request", connId: 1, subBlockIds: [2, 3] },
    ]);
  });

  it("writes notes as flat objects of named fields (a trace can serialise any of them)", () => {
    const agent = new Agent(makeConfig(), createStrategy("pull"));
    agent.start(0);
    agent.handle(1_000, { type: "tracker-nodes", nodes: [nodeInfo(4, 1e6, 10)] });
    agent.handle(11_000, { type: "connect-failed", connId: 0, reason: "refused" });
    const notes = drain(agent).filter((c) => c.type === "note");
    const untilUs = 11_000 + makeConfig().blacklistUs;
    expect(notes).toEqual([{ type: "note", note: "blacklisted", nodeId: 4, reason: "connect-refused", untilUs }]);
    expect(JSON.parse(JSON.stringify(notes))).toEqual(notes);
  });
});
