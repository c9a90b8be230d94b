// Have messages in a swarm world: a viewer node tells each requester connected to it what it holds (`holds`
// before `connected`, then `have` for each block it completes and `lost` for each its cache evicts), so the
// agents ask a viewer node only for blocks it holds; `not-held` answers are left to stale sets.

import { afterEach, describe, expect, it, vi } from "vitest";
import { Agent } from "../../src/agent/agent.ts";
import type { AgentEvent } from "../../src/agent/ports.ts";
import { simConfigFor } from "../../src/harness/sim-config.ts";
import { parseScenarioText } from "../../src/scenario/load.ts";
import { World } from "../../src/sim/world/world.ts";

const DIR = new URL("../../scenarios/", import.meta.url).pathname;

const scenario = (cache: string) => `name: have-test
content: { size_bytes: 2097152, block_bytes: 524288, sub_block_bytes: 65536, bitrate_bps: 2000000 }
agent: { downlink_bps: 20000000, max_connections: 4 }
origin: { uplink_bps: 10000000, rtt_ms: 40 }
peers:
  - count: 2
    uplink_bps: 1000000
    rtt_ms: 40
viewers:
  - name: a
    downlink_bps: 20000000
    uplink_bps: 8000000
    latency_ms: 10
    arrivals: { process: poisson, rate_per_s: 2, max_count: 16 }
    departure: { linger_s: 10 }
${cache}`;

/** What one agent was told and what it asked, in order. */
interface Log {
  /** Per connection: the blocks its node said it holds (absent: it never said). */
  readonly told: Map<number, Set<number>>;
  readonly events: AgentEvent[];
  /** Requests for a block the node had not said it holds: [forced by the agent's last-resort assignment, count]. */
  readonly unheldRequests: [boolean, number][];
  forcedBefore: number;
  forcedNow: boolean;
}

/**
 * Runs the scenario, following each agent's inputs and requests: the test keeps its own record of what each
 * connection's node said it holds, and notes every request for a block outside it.
 */
function runLogged(yaml: string, strategy: string) {
  const logs = new Map<Agent, Log>();
  const logOf = (a: Agent): Log => {
    let log = logs.get(a);
    if (log === undefined) logs.set(a, (log = { told: new Map(), events: [], unheldRequests: [], forcedBefore: 0, forcedNow: false }));
    return log;
  };
  const handle = Agent.prototype.handle;
  const poll = Agent.prototype.poll;
  vi.spyOn(Agent.prototype, "handle").mockImplementation(function (this: Agent, nowUs: number, e: AgentEvent) {
    const log = logOf(this);
    log.events.push(e);
    if (e.type === "holds") log.told.set(e.connId, new Set(e.blocks));
    if (e.type === "have") log.told.get(e.connId)?.add(e.block);
    if (e.type === "lost") log.told.get(e.connId)?.delete(e.block);
    log.forcedBefore = this.stats().forcedAssignments;
    handle.call(this, nowUs, e);
    log.forcedNow = this.stats().forcedAssignments > log.forcedBefore;
  });
  vi.spyOn(Agent.prototype, "poll").mockImplementation(function (this: Agent) {
    const c = poll.call(this);
    if (c?.type === "request") {
      const log = logOf(this);
      const held = log.told.get(c.connId);
      const unheld = held === undefined ? 0 : c.subBlockIds.filter((id) => !held.has(Math.floor(id / 8))).length;
      if (unheld > 0) log.unheldRequests.push([log.forcedNow, unheld]);
    }
    return c;
  });
  const w = new World(simConfigFor(parseScenarioText(yaml, "t.yaml", DIR)), { strategy, seed: 1 });
  const r = w.run(() => 0);
  vi.restoreAllMocks();
  return { r, logs: [...logs.values()] };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("have messages", () => {
  it("a viewer node's holds come right before its connected; agents ask it only for blocks it said it holds (or as a last resort)", () => {
    for (const strategy of ["pull", "static", "eft"]) {
      const { r, logs } = runLogged(scenario(""), strategy);
      expect(r.error).toBeNull();
      let holds = 0;
      let haves = 0;
      for (const log of logs) {
        const events = log.events;
        for (let i = 0; i < events.length; i++) {
          const e = events[i];
          if (e.type === "holds") {
            holds++;
            expect(events[i + 1]).toEqual({ type: "connected", connId: e.connId });
            expect([...e.blocks].sort((a, b) => a - b)).toEqual(e.blocks);
          }
          if (e.type === "have") haves++;
          expect(e.type, strategy).not.toBe("lost"); // the whole content fits the default cache
        }
        // A request for a block the node did not say it holds comes only from the agent's last-resort (forced) assignment.
        for (const [forced] of log.unheldRequests) expect(forced, strategy).toBe(true);
      }
      expect(holds, strategy).toBeGreaterThan(0);
      expect(haves, strategy).toBeGreaterThan(0);
    }
  });

  it("a cache that evicts sends lost messages, and the agents drop the evicted blocks from what they ask that node for", () => {
    // A cache of two blocks (fifo): every node forgets its oldest block when it completes a third one.
    const { r, logs } = runLogged(scenario("    cache_bytes: 1048576\n    cache_policy: fifo\n"), "pull");
    expect(r.error).toBeNull();
    let lost = 0;
    for (const log of logs) {
      lost += log.events.filter((e) => e.type === "lost").length;
      for (const [forced] of log.unheldRequests) expect(forced).toBe(true);
    }
    expect(lost).toBeGreaterThan(0);
  });
});
