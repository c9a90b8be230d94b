// Live content (content.live): produced at the bitrate from t0, so block b (1 s of content here) exists from
// (b + 1) s on; a viewer joins at the live edge minus the target latency and never requests a block before it
// exists; its playback lag behind the edge is reported. Hand-computed timings on a world with one fast peer
// (fluid model, no latency): every block downloads in milliseconds, so production is what paces the download.

import { describe, expect, it } from "vitest";
import { Content } from "../../src/agent/content.ts";
import { blockProducedUs, liveJoinBlock } from "../../src/agent/live.ts";
import { runScenarioText } from "./run-text.ts";

/** 1 s of content per block: 125,000 bytes at 1 Mb/s. */
const BLOCK_BYTES = 125_000;
const BITRATE_BPS = 1_000_000;

const scenario = (blocks: number, live: string, tail = "") => `name: live
content: { size_bytes: ${blocks * BLOCK_BYTES}, block_bytes: ${BLOCK_BYTES}, sub_block_bytes: 25000, bitrate_bps: ${BITRATE_BPS}, startup_buffer_s: 2${live} }
agent: { downlink_bps: 100000000, max_connections: 1 }
origin: null
network: { model: fluid }
peers:
  - { count: 1, uplink_bps: 100000000, rtt_ms: 0 }
limits: { sim_time_s: 600 }
${tail}`;

const run = runScenarioText;

describe("live content", () => {
  it("joins at the block holding the live edge minus the target latency; a block exists once produced", () => {
    const content = new Content({ sizeBytes: 30 * BLOCK_BYTES, blockBytes: BLOCK_BYTES, subBlockBytes: 25_000 });
    const live = { producedFromUs: 0, targetLatencyUs: 4_000_000 };
    expect(liveJoinBlock(content, BITRATE_BPS, live, 0)).toBe(0); // the edge is behind the latency: block 0
    expect(liveJoinBlock(content, BITRATE_BPS, live, 4_999_999)).toBe(0); // content position 0.999999 s
    expect(liveJoinBlock(content, BITRATE_BPS, live, 5_000_000)).toBe(1);
    expect(liveJoinBlock(content, BITRATE_BPS, live, 15_500_000)).toBe(11);
    expect(liveJoinBlock(content, BITRATE_BPS, live, 1e9)).toBe(29); // past the end: the last block
    expect(blockProducedUs(content, BITRATE_BPS, live, 0)).toBe(1_000_000);
    expect(blockProducedUs(content, BITRATE_BPS, live, 29)).toBe(30_000_000);
  });

  it("video on demand stays the default: no lag reported, blocks back to back", () => {
    const r = run(scenario(12, ""));
    expect(r.metrics.playbackLagS).toBe(-1);
    expect(r.blocks[11].endUs).toBeLessThan(1e6);
  });

  it("the agent at t0 fetches block b at (b + 1) s, the µs it is produced; its lag is its start-up delay", () => {
    for (const strategy of ["static", "eft", "ecf"]) {
      const r = run(scenario(12, ", live: { target_latency_s: 4 }"), strategy);
      expect(r.blocks.length).toBe(12);
      for (let b = 0; b < 12; b++) {
        expect(r.blocks[b].startUs, `${strategy} block ${b}`).toBe((b + 1) * 1e6);
        expect(r.blocks[b].endUs - r.blocks[b].startUs, `${strategy} block ${b}`).toBeLessThan(50_000);
      }
      for (const sb of r.subBlocks) expect(sb.requestUs).toBeGreaterThanOrEqual((sb.block + 1) * 1e6);
      // Playback starts when block 1 arrives, at t2 ≈ 2.01 s (a 2 s start-up buffer), and never stalls (block b
      // arrives ms after (b + 1) s, is played from t2 + b s): it ends at t2 + 12 s, 12 s of content: lag t2.
      expect(r.metrics.stallCount).toBe(0);
      expect(r.metrics.startupDelayS).toBeGreaterThan(2);
      expect(r.metrics.playbackLagS).toBeCloseTo(r.metrics.startupDelayS, 6);
    }
  });

  it("a viewer arriving later joins at edge − latency: lag = target latency + its start-up delay", () => {
    const viewers = `viewers:
  - { count: 2, start_s: 15.5, downlink_bps: 100000000, uplink_bps: 10000000, latency_ms: 0 }
`;
    const r = run(scenario(30, ", live: { target_latency_s: 4 }", viewers));
    const rows = r.swarm!.agents;
    expect(rows.length).toBe(3);
    for (const row of rows.slice(1)) {
      // At 15.5 s the edge is at 15.5 s of content: it joins at 11.5 s, in block 11 (produced at 12 s), and plays
      // blocks 11-29 (19 s) from 15.5 s + its start-up delay; block b is needed at (b + 4.5) s + delay, produced
      // at (b + 1) s: no stall; the lag is then 15.5 + delay + 19 − 30 = 4.5 s + delay.
      expect(row.arrivalUs).toBe(15_500_000);
      expect(row.stallCount, row.viewer).toBe(0);
      expect(row.startupDelayS, row.viewer).toBeLessThan(0.1);
      expect(row.playbackLagS, row.viewer).toBeCloseTo(4.5 + row.startupDelayS, 6);
      // The last block exists from 30 s on.
      expect(row.completionUs, row.viewer).toBeGreaterThanOrEqual(30_000_000);
      // It received blocks 11-29 only (each byte once: one source at a time, static never copies).
      const received = Object.values(row.bytesFrom).reduce((a, b) => a + b, 0);
      expect(received).toBe(19 * BLOCK_BYTES);
    }
    expect(r.metrics.playbackLagS).toBeCloseTo(rows[0].playbackLagS, 9);
    expect(rows[0].playbackLagS).toBeCloseTo(rows[0].startupDelayS, 6);
  });
});
