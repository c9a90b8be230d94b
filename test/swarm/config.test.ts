// Swarm-mode keys: a scenario with viewers translates into SimConfig.swarm with every default applied (hand-
// written expectations), a single-agent scenario has none, and the semantic checks name the key at fault.

import { describe, expect, it } from "vitest";
import { simConfigFor } from "../../src/harness/sim-config.ts";
import { ScenarioError, type ScenarioIssue } from "../../src/scenario/errors.ts";
import { parseScenarioText } from "../../src/scenario/load.ts";

const DIR = new URL("../../scenarios/", import.meta.url).pathname;

const BASE = `name: t
content: { size_bytes: 4194304, block_bytes: 524288, sub_block_bytes: 65536, bitrate_bps: 4000000 }
agent: { downlink_bps: 50000000, max_connections: 6 }
origin: { uplink_bps: 100000000, rtt_ms: 40 }
`;

function issuesOf(text: string): readonly ScenarioIssue[] {
  try {
    parseScenarioText(text, "x.yaml", DIR);
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return (error as ScenarioError).issues;
  }
  throw new Error("expected a ScenarioError");
}

describe("swarm configuration", () => {
  it("a single-agent scenario has no swarm, no live content, a host latency of 0 and an unchanged resolved scenario", () => {
    const loaded = parseScenarioText(BASE, "x.yaml", DIR);
    const c = simConfigFor(loaded);
    expect(c.swarm).toBeNull();
    expect(c.live).toBeNull();
    expect(c.agentLatencyUs).toBe(0);
    expect(c.agent.maxBufferUs).toBeUndefined();
    expect("viewers" in loaded.scenario).toBe(false);
    expect("latency_ms" in loaded.scenario.agent).toBe(false);
  });

  it("fills the defaults of a viewer group", () => {
    const text = `${BASE}viewers:\n  - count: 3\n    downlink_bps: 20000000\n    uplink_bps: 2000000\n`;
    const c = simConfigFor(parseScenarioText(text, "x.yaml", DIR));
    expect(c.swarm).toEqual({
      agent: { uplinkBps: 0, serving: { uploadSlots: 4, cacheBytes: 4194304, cachePolicy: "lru" }, lingerS: 0 },
      groups: [
        {
          name: "viewers[0]",
          count: 3,
          startUs: 0,
          downlinkBps: 20000000,
          uplinkBps: 2000000,
          latencyMs: 0,
          maxConnections: 6,
          serving: { uploadSlots: 4, cacheBytes: 4194304, cachePolicy: "lru" },
          strategies: [{ strategy: null, share: 1 }],
          departure: { lingerS: 0, abandonPerMin: 0 },
          reserveUs: 0,
        },
      ],
      announceIntervalUs: 5_000_000,
      seriesBinUs: 1_000_000,
      prefetchBlocks: 2,
    });
  });

  it("translates arrivals, mixes, departures and the swarm settings", () => {
    const text = `${BASE.replace("max_connections: 6 }", "max_connections: 6, latency_ms: 12.5, uplink_bps: 3000000 }")}viewers:
  - name: crowd
    start_s: 5
    arrivals: { process: decaying, rate_per_s: 20, decay_s: 30, max_count: 100 }
    downlink_bps: 20000000
    uplink_bps: { dist: uniform, min: 1000000, max: 3000000 }
    latency_ms: 15
    upload_slots: 2
    cache_bytes: 1048576
    cache_policy: fifo
    strategy_mix: [{ share: 3 }, { strategy: static, share: 1 }]
    departure: { linger_s: 60, abandon_per_min: 0.1 }
swarm: { announce_interval_s: 2, series_bin_s: 0.5 }
`;
    const c = simConfigFor(parseScenarioText(text, "x.yaml", DIR));
    expect(c.agentLatencyUs).toBe(12_500);
    const s = c.swarm!;
    expect(s.agent.uplinkBps).toBe(3_000_000);
    expect([s.announceIntervalUs, s.seriesBinUs, s.prefetchBlocks]).toEqual([2_000_000, 500_000, 2]);
    const g = s.groups[0];
    expect(g.name).toBe("crowd");
    expect(g.count).toBe(0);
    expect(g.startUs).toBe(5_000_000);
    expect(g.arrivals).toEqual({ process: "decaying", ratePerS: 20, decayS: 30, maxCount: 100 });
    expect(g.serving).toEqual({ uploadSlots: 2, cacheBytes: 1048576, cachePolicy: "fifo" });
    expect(g.strategies).toEqual([
      { strategy: null, share: 3 },
      { strategy: "static", share: 1 },
    ]);
    expect(g.departure).toEqual({ lingerS: 60, abandonPerMin: 0.1 });
  });

  it("names what is wrong in a viewer group", () => {
    const text = `${BASE}viewers:
  - count: 2
    downlink_bps: 0
    uplink_bps: 1000000
    strategy: statik
    strategy_mix: [{ strategy: eft, share: 1 }]
    arrivals: { process: decaying, rate_per_s: 2 }
`;
    const paths = issuesOf(text).map((i) => i.path);
    expect(paths).toEqual(["viewers[0].downlink_bps", "viewers[0].strategy", "viewers[0].strategy_mix", "viewers[0].arrivals.decay_s"]);
  });

  it("refuses live content without a bitrate, reservations with live content, swarm settings without viewers", () => {
    const live = BASE.replace("bitrate_bps: 4000000 }", "live: {} }");
    expect(issuesOf(live).map((i) => i.path)).toEqual(["content.bitrate_bps"]);
    const reserve = `${BASE.replace("bitrate_bps: 4000000 }", "bitrate_bps: 4000000, live: {} }")}viewers:\n  - { count: 1, downlink_bps: 1e7, uplink_bps: 1e6, reserve_s: 30 }\n`;
    expect(issuesOf(reserve).map((i) => i.path)).toEqual(["viewers[0].reserve_s"]);
    expect(issuesOf(`${BASE}swarm: { announce_interval_s: 1 }\n`).map((i) => i.path)).toEqual(["swarm"]);
  });

  it("accepts live content, the maximum buffer and reservations (refusing only reserve_s with live content)", () => {
    const text = `${BASE.replace("bitrate_bps: 4000000 }", "bitrate_bps: 4000000, live: { target_latency_s: 6 } }").replace(
      "max_connections: 6 }",
      "max_connections: 6, max_buffer_s: 30 }",
    )}viewers:\n  - { count: 1, downlink_bps: 1e7, uplink_bps: 1e6, reserve_s: 30 }\nswarm: { reservations: { prefetch_blocks: 3 } }\n`;
    expect(issuesOf(text).map((i) => i.path)).toEqual(["viewers[0].reserve_s"]);
    expect(() => parseScenarioText(text.replace(", live: { target_latency_s: 6 }", ""), "x.yaml", DIR)).not.toThrow();
  });
});

describe("swarm limits", () => {
  it("counts viewers (count + arrivals.max_count, 1000 by default) against limits.max_nodes", () => {
    const viewers = (n: number) =>
      `${BASE}limits: { max_nodes: 1500 }\nviewers:\n  - { count: ${n}, downlink_bps: 1e7, uplink_bps: 1e6, arrivals: { process: poisson, rate_per_s: 1 } }\n`;
    // 1 origin + n + 1000 arrivals: 1500 is the most allowed.
    expect(() => parseScenarioText(viewers(499), "x.yaml", DIR)).not.toThrow();
    expect(issuesOf(viewers(500)).map((i) => i.found)).toEqual(["1501"]);
  });
});
