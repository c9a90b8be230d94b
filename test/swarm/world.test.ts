// Swarm worlds: many agents in one simulation. Same seed ⇒ identical; adding viewers shifts nobody else's
// draws (common random numbers); every viewer that finished got each byte of the content intact exactly once,
// and the bytes viewers uploaded are the bytes viewers received from viewers; no host ever sends beyond its
// uplink or receives beyond its downlink; arrivals follow their process.

import { describe, expect, it } from "vitest";
import { simConfigFor } from "../../src/harness/sim-config.ts";
import { parseScenarioText } from "../../src/scenario/load.ts";
import { RandomStreams } from "../../src/sim/random/streams.ts";
import type { RunResult } from "../../src/sim/metrics/records.ts";
import { SOURCE_KINDS } from "../../src/sim/metrics/swarm-records.ts";
import type { ViewerGroupConfig } from "../../src/sim/swarm-config.ts";
import { ArrivalProcess, drawViewer } from "../../src/sim/world/population.ts";
import { World } from "../../src/sim/world/world.ts";

const DIR = new URL("../../scenarios/", import.meta.url).pathname;
const SIZE = 2 * 1048576;

const scenario = (viewers: string) => `name: swarm-test
content: { size_bytes: ${SIZE}, block_bytes: 524288, sub_block_bytes: 65536, bitrate_bps: 2000000 }
agent: { downlink_bps: 20000000, max_connections: 4 }
origin: { uplink_bps: 10000000, rtt_ms: 40 }
peers:
  - count: 4
    uplink_bps: { dist: uniform, min: 1000000, max: 3000000 }
    rtt_ms: { dist: uniform, min: 20, max: 80 }
viewers:
${viewers}`;

const GROUP_A = `  - name: a
    count: 3
    downlink_bps: { dist: uniform, min: 8000000, max: 20000000 }
    uplink_bps: 4000000
    latency_ms: { dist: uniform, min: 5, max: 30 }
    arrivals: { process: poisson, rate_per_s: 1, max_count: 12 }
    departure: { linger_s: 10 }
`;
const GROUP_B = `  - name: b
    downlink_bps: 10000000
    uplink_bps: 1000000
    arrivals: { process: decaying, rate_per_s: 4, decay_s: 2, max_count: 20 }
`;

function world(viewers: string, strategy = "static", seed = 1): World {
  return new World(simConfigFor(parseScenarioText(scenario(viewers), "t.yaml", DIR)), { strategy, seed });
}

function run(viewers: string, strategy = "static", seed = 1): { w: World; r: RunResult } {
  const w = world(viewers, strategy, seed);
  return { w, r: w.run(() => 0) };
}

describe("swarm world", () => {
  it("runs every viewer to its departure, and the same seed gives the same run", () => {
    const a = run(GROUP_A);
    const b = run(GROUP_A);
    expect(a.r.error).toBeNull();
    expect(a.r.metrics.fingerprint).toBe(b.r.metrics.fingerprint);
    expect(JSON.stringify(a.r.swarm)).toBe(JSON.stringify(b.r.swarm));
    const rows = a.r.swarm!.agents;
    expect(rows.length).toBe(1 + 3 + 12);
    expect(a.r.metrics.viewers).toBe(16);
    for (const row of rows) {
      expect(row.completionUs, row.viewer).toBeGreaterThan(row.arrivalUs);
      expect(row.departure, row.viewer).toBe("left");
      expect(row.departureUs, row.viewer).toBeGreaterThanOrEqual(row.completionUs);
    }
    // The viewers that finished early served the later ones.
    expect(rows.some((row) => row.uploadedBytes > 0)).toBe(true);
    expect(a.r.metrics.p2pShare).toBeGreaterThan(0);
    expect(a.r.swarm!.viewersOnline.at(-1)!.value).toBe(0);
  });

  it("adding a group shifts none of the first group's draws (common random numbers)", () => {
    const alone = run(GROUP_A).r.swarm!.agents.filter((r) => r.group === "a");
    const both = run(GROUP_A + GROUP_B).r.swarm!.agents.filter((r) => r.group === "a");
    const key = (rows: typeof alone) => rows.map((r) => `${r.viewer}@${r.arrivalUs}`).sort();
    expect(key(both)).toEqual(key(alone));
    // A viewer's own parameters come from its own streams, whatever else the world holds.
    const g = simConfigFor(parseScenarioText(scenario(GROUP_A), "t.yaml", DIR)).swarm!.groups[0];
    const s1 = new RandomStreams(7);
    const s2 = new RandomStreams(7);
    drawViewer(s2, 0, g, "a0", "x"); // other viewers drawn first
    drawViewer(s2, 1, g, "a5", "y");
    expect(drawViewer(s2, 0, g, "a5", "a+5")).toEqual(drawViewer(s1, 0, g, "a5", "a+5"));
  });

  it("every finished viewer got each byte intact exactly once; uploads match what viewers received from viewers", () => {
    const { w, r } = run(GROUP_A + GROUP_B, "endgame");
    expect(r.error).toBeNull();
    let uploaded = 0;
    let fromViewers = 0;
    let received = 0;
    for (const v of w.viewers) {
      expect(v.sink.completionUs, v.label).toBeGreaterThanOrEqual(0);
      // okBytesFrom counts only the first intact copy of each sub-block (the sink's "ok" outcome).
      expect(v.okBytesFrom.reduce((s, x) => s + x, 0), v.label).toBe(SIZE);
      uploaded += v.uploadedBytes;
      fromViewers += v.bytesFrom[3];
      received += v.bytesFrom.reduce((s, x) => s + x, 0);
    }
    expect(uploaded).toBe(fromViewers);
    // The egress series holds every byte that crossed to a viewer.
    const e = r.swarm!.egress;
    let binned = 0;
    for (const k of SOURCE_KINDS) for (const bps of e.bps[k]) binned += (bps * e.binUs) / 8e6;
    expect(binned).toBeCloseTo(received, 3);
  });

  it("no host sends beyond its uplink or receives beyond its downlink", () => {
    const w = world(GROUP_A + GROUP_B, "index");
    const n = w.network;
    let checks = 0;
    const probe = w.kernel.registerKind("test-probe", () => {
      for (const v of w.viewers) {
        expect(n.hostDownlinkRateBps(v.host)).toBeLessThanOrEqual(v.downlinkBps * (1 + 1e-9));
        if (v.node !== null && v.node.online) expect(n.hostUplinkRateBps(v.host)).toBeLessThanOrEqual(v.uplinkBps * (1 + 1e-9));
      }
      for (const node of w.nodes) {
        if (node.kind !== "viewer") expect(n.hostUplinkRateBps(node.host)).toBeLessThanOrEqual(node.uplinkBps * (1 + 1e-9));
      }
      checks++;
      w.kernel.after(50_000, probe);
    });
    w.kernel.schedule(0, probe);
    expect(w.run(() => 0).error).toBeNull();
    expect(checks).toBeGreaterThan(100);
  });

  it("viewers abandon at their hazard while they download; a mix gives each viewer one of its strategies", () => {
    const group = `  - name: m
    count: 40
    downlink_bps: 4000000
    uplink_bps: 0
    strategy_mix: [{ strategy: index, share: 3 }, { strategy: rebalance, share: 1 }]
    departure: { abandon_per_min: 0.5 }
`;
    const { r } = run(group);
    expect(r.error).toBeNull();
    const rows = r.swarm!.agents.filter((a) => a.group === "m");
    expect(rows.length).toBe(40);
    const abandoned = rows.filter((a) => a.departure === "abandoned");
    // 2 MiB at 4 Mbit/s shared by 41 viewers takes well over a minute: about half abandon (hazard 0.5/min).
    expect(abandoned.length).toBeGreaterThan(5);
    for (const a of abandoned) {
      expect(a.completionUs, a.viewer).toBe(-1);
      expect(a.departureUs, a.viewer).toBeGreaterThan(a.arrivalUs);
    }
    for (const a of rows.filter((x) => x.departure === "left")) expect(a.completionUs, a.viewer).toBeGreaterThan(0);
    const index = rows.filter((a) => a.strategy === "index").length;
    expect(index + rows.filter((a) => a.strategy === "rebalance").length).toBe(40);
    expect(index).toBeGreaterThan(20); // 3 in 4 expected: 30 ± 2.7
    expect(index).toBeLessThan(38);
    expect(r.swarm!.viewersOnline.at(-1)!.value).toBe(0);
  });

  it("arrivals: a Poisson process at its rate, a decaying one of about λ₀τ arrivals, both capped by max_count", () => {
    const group = (arrivals: ViewerGroupConfig["arrivals"]): ViewerGroupConfig =>
      ({ name: "g", count: 0, startUs: 5_000_000, arrivals }) as unknown as ViewerGroupConfig;
    const times = (g: ViewerGroupConfig) => {
      const p = new ArrivalProcess(new RandomStreams(3), 0, g);
      const out: number[] = [];
      for (let t = p.next(); t >= 0; t = p.next()) out.push(t);
      return out;
    };
    const poisson = times(group({ process: "poisson", ratePerS: 2, decayS: Infinity, maxCount: 4000 }));
    expect(poisson.length).toBe(4000);
    expect(poisson[0]).toBeGreaterThanOrEqual(5_000_000);
    poisson.forEach((t, i) => i > 0 && expect(t).toBeGreaterThanOrEqual(poisson[i - 1]));
    // 4000 arrivals at 2/s take about 2000 s (sd of the sum: √4000 / 2 ≈ 32 s).
    expect((poisson.at(-1)! - 5_000_000) / 1e6).toBeGreaterThan(1800);
    expect((poisson.at(-1)! - 5_000_000) / 1e6).toBeLessThan(2200);
    // λ₀τ = 100 × 10 = 1000 expected in all (sd ≈ 32); 80% of them within τ·ln 5 ≈ 16.1 s.
    const decaying = times(group({ process: "decaying", ratePerS: 100, decayS: 10, maxCount: 100_000 }));
    expect(decaying.length).toBeGreaterThan(900);
    expect(decaying.length).toBeLessThan(1100);
    const early = decaying.filter((t) => t - 5_000_000 <= 16_094_379).length / decaying.length;
    expect(early).toBeGreaterThan(0.75);
    expect(early).toBeLessThan(0.85);
    expect(times(group({ process: "decaying", ratePerS: 100, decayS: 10, maxCount: 50 })).length).toBe(50);
  });
});
