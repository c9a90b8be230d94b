// Reservations (viewers[].reserve_s, swarm.reservations.prefetch_blocks): a viewer that asks to play at T
// arrives up to reserve_s earlier, prefetches the first blocks, and fetches the rest from T on; its playback
// starts no earlier than T. Hand-computed timings on a world with one fast peer (fluid model, no latency),
// then what reservations buy at a flash crowd over a thin origin: start-up delay and origin peak.

import { describe, expect, it } from "vitest";
import type { RunResult } from "../../src/sim/metrics/records.ts";
import { runScenarioText } from "../sim/run-text.ts";

/** 1 s of content per block: 125,000 bytes at 1 Mb/s; 12 blocks. */
const BLOCK_BYTES = 125_000;

const scenario = (group: string, swarm = "") => `name: reservations
content: { size_bytes: ${12 * BLOCK_BYTES}, block_bytes: ${BLOCK_BYTES}, sub_block_bytes: 25000, bitrate_bps: 1000000, startup_buffer_s: 1 }
agent: { downlink_bps: 100000000, max_connections: 1 }
origin: null
network: { model: fluid }
peers:
  - { count: 1, uplink_bps: 100000000, rtt_ms: 0 }
limits: { sim_time_s: 600 }
viewers:
  - { count: 3, start_s: 20, downlink_bps: 100000000, uplink_bps: 0, upload_slots: 0${group} }
${swarm}`;

const run = runScenarioText;

const viewersOf = (r: RunResult) => r.swarm!.agents.slice(1);

describe("reservations", () => {
  it("without one, a viewer arrives when it asks to play and starts after its start-up download", () => {
    for (const row of viewersOf(run(scenario("")))) {
      expect(row.arrivalUs).toBe(20_000_000);
      expect(row.playAtUs).toBe(20_000_000);
      expect(row.startupDelayS).toBeGreaterThan(0);
    }
  });

  it("a reserving viewer arrives in [T − reserve_s, T), prefetches, and plays at T exactly", () => {
    const rows = viewersOf(run(scenario(", reserve_s: 10")));
    for (const row of rows) {
      expect(row.arrivalUs, row.viewer).toBeGreaterThanOrEqual(10_000_000);
      expect(row.arrivalUs, row.viewer).toBeLessThan(20_000_000);
      expect(row.playAtUs, row.viewer).toBe(20_000_000);
      // The first 2 blocks (2 s ≥ the 1 s start-up buffer) arrived before T: playback starts at T.
      expect(row.startupDelayS, row.viewer).toBe(0);
      expect(row.stallCount, row.viewer).toBe(0);
      // Block 2 on waits for T: the whole content cannot have come before it.
      expect(row.completionUs, row.viewer).toBeGreaterThan(20_000_000);
    }
    // Each viewer drew its own reservation (from its own stream).
    expect(new Set(rows.map((r) => r.arrivalUs)).size).toBe(rows.length);
  });

  it("prefetch_blocks bounds what comes before T: all 12 → done before T; 0 → nothing, a start-up delay", () => {
    for (const row of viewersOf(run(scenario(", reserve_s: 10", "swarm: { reservations: { prefetch_blocks: 12 } }\n")))) {
      expect(row.completionUs, row.viewer).toBeLessThan(20_000_000);
      expect(row.startupDelayS, row.viewer).toBe(0);
    }
    for (const row of viewersOf(run(scenario(", reserve_s: 10", "swarm: { reservations: { prefetch_blocks: 0 } }\n")))) {
      expect(row.arrivalUs, row.viewer).toBeLessThan(20_000_000);
      expect(row.startupDelayS, row.viewer).toBeGreaterThan(0);
    }
  });

  it("at a flash crowd over a thin origin, reservations cut the start-up delay, origin bytes, and with more prefetch its peak", () => {
    const crowd = (reserve: string, swarm = "") => `name: crowd
content: { size_bytes: 8388608, block_bytes: 524288, sub_block_bytes: 65536, bitrate_bps: 2000000, startup_buffer_s: 2 }
agent: { downlink_bps: 20000000, max_connections: 4 }
origin: { uplink_bps: 40000000, rtt_ms: 40 }
peers:
  - { count: 4, uplink_bps: 4000000, rtt_ms: 40 }
viewers:
  - { count: 40, start_s: 30, downlink_bps: 20000000, uplink_bps: 2000000, latency_ms: 10${reserve} }
${swarm}`;
    const originBytes = (r: RunResult) => r.swarm!.agents.reduce((sum, a) => sum + a.bytesFrom.origin, 0);
    // Seed 1, index: mean start-up 6.28 s → 0.11 s, origin bytes 336 MB → 170 MB; the origin peak stays (at T
    // everyone wants block 2 on) until the viewers prefetch more: 8 blocks, 40.0 → 31.6 Mbit/s.
    const plain = run(crowd(""), "index");
    const reserved = run(crowd(", reserve_s: 30"), "index");
    expect(reserved.metrics.meanStartupDelayS).toBeLessThan(plain.metrics.meanStartupDelayS / 2);
    expect(originBytes(reserved)).toBeLessThan(originBytes(plain));
    const more = run(crowd(", reserve_s: 30", "swarm: { reservations: { prefetch_blocks: 8 } }\n"), "index");
    expect(more.metrics.originPeakBps).toBeLessThan(plain.metrics.originPeakBps);
    expect(more.metrics.meanStartupDelayS).toBeLessThan(plain.metrics.meanStartupDelayS / 2);
  });
});
