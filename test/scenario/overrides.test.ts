// applyOverrides: key-path values on a raw scenario for sweeps, without touching the original.

import { describe, expect, it } from "vitest";
import { ScenarioError } from "../../src/scenario/errors.ts";
import { applyOverrides, parseScenarioYaml, resolveScenario } from "../../src/scenario/load.ts";
import { keyPathProblem, parseKeyPath } from "../../src/scenario/overrides.ts";

const TEXT = `name: t
content: { size_bytes: 4194304, block_bytes: 524288, sub_block_bytes: 65536 }
agent: { downlink_bps: 50000000 }
peers:
  - count: 4
    uplink_bps: 5000000
    rtt_ms: 40
`;

describe("applyOverrides", () => {
  it("sets values by key path on a copy, creating missing mappings", () => {
    const input = parseScenarioYaml(TEXT, "t.yaml") as Record<string, unknown>;
    const out = applyOverrides(input, {
      "agent.max_connections": 3,
      "peers.0.count": 9,
      "network.model": "tcp",
    });
    expect(out.agent).toEqual({ downlink_bps: 50000000, max_connections: 3 });
    expect((out.peers as { count: number }[])[0].count).toBe(9);
    expect(out.network).toEqual({ model: "tcp" });
    // The original is untouched.
    expect(input.agent).toEqual({ downlink_bps: 50000000 });
    expect(input.network).toBeUndefined();
    const loaded = resolveScenario(out, "t.yaml", ".");
    expect(loaded.scenario.network.model).toBe("tcp");
    expect(loaded.scenario.network.mss_bytes).toBe(1448);
  });

  it("keeps the original's line positions for errors in the overridden scenario", () => {
    const input = parseScenarioYaml(TEXT, "t.yaml");
    const out = applyOverrides(input, { "peers.0.count": -1 });
    try {
      resolveScenario(out, "t.yaml", ".");
      expect.unreachable();
    } catch (error) {
      const issue = (error as ScenarioError).issues[0];
      expect([issue.line, issue.column, issue.path, issue.message]).toEqual([
        5,
        12,
        "peers[0].count",
        "expected a number ≥ 0, found -1",
      ]);
    }
  });

  it("rejects paths that are not settable keys", () => {
    const input = parseScenarioYaml(TEXT, "t.yaml");
    expect(() => applyOverrides(input, { "agent.max_conections": 3 })).toThrow(ScenarioError);
    expect(() => applyOverrides(input, { "agent.max_conections": 3 })).toThrow(
      /did you mean "agent.max_connections"/,
    );
    expect(() => applyOverrides(input, { "peers.1.count": 3 })).toThrow(/an index below 1/);
    expect(() => applyOverrides(input, { agent: 3 })).toThrow(
      /a key holding a number, string or true\/false/,
    );
  });
});

describe("key paths", () => {
  it("parses numeric segments as list indexes", () => {
    expect(parseKeyPath("peers.0.churn.time_scale")).toEqual(["peers", 0, "churn", "time_scale"]);
  });

  it("accepts distribution keys (a plain number is a distribution)", () => {
    const input = parseScenarioYaml(TEXT, "t.yaml");
    expect(keyPathProblem(input, "peers.0.uplink_bps")).toBeNull();
    expect(keyPathProblem(input, "peers.0.churn.preset")).toBeNull();
    expect(keyPathProblem(input, "content.bitrate_bps")).toBeNull();
  });
});
