// The player's maximum buffer (agent.max_buffer_s): once playback started, the agent starts no block whose
// playback is max_buffer_s or more away, and starts it at the first µs it is less. Hand-computed timings on a
// world with one fast peer (fluid model, no latency): every block downloads in milliseconds, so the buffer is
// what paces the download. Also in a swarm, where every viewer runs the same agent.

import { describe, expect, it } from "vitest";
import { runScenarioText } from "./run-text.ts";

/** 1 s of content per block: 125,000 bytes at 1 Mb/s. */
const BLOCK_BYTES = 125_000;
const BITRATE_BPS = 1_000_000;
const BLOCKS = 12;

const scenario = (agentExtra: string, tail = "") => `name: max-buffer
content: { size_bytes: ${BLOCKS * BLOCK_BYTES}, block_bytes: ${BLOCK_BYTES}, sub_block_bytes: 25000, bitrate_bps: ${BITRATE_BPS}, startup_buffer_s: 1 }
agent: { downlink_bps: 100000000, max_connections: 1${agentExtra} }
origin: null
network: { model: fluid }
peers:
  - { count: 1, uplink_bps: 100000000, rtt_ms: 0 }
limits: { sim_time_s: 600 }
${tail}`;

const run = runScenarioText;

describe("the player's maximum buffer", () => {
  it("without it, each block starts as soon as the one before ends", () => {
    const r = run(scenario(""));
    expect(r.blocks.length).toBe(BLOCKS);
    for (let b = 1; b < BLOCKS; b++) expect(r.blocks[b].startUs).toBe(r.blocks[b - 1].endUs);
    expect(r.blocks.at(-1)!.endUs).toBeLessThan(1e6); // the whole content in well under a second
  });

  it("holds block b back until playback is less than max_buffer_s from it: start = t1 + (b − M)·1 s + 1 µs", () => {
    const M = 3;
    for (const strategy of ["static", "eft"]) {
      const r = run(scenario(`, max_buffer_s: ${M}`), strategy);
      expect(r.blocks.length).toBe(BLOCKS);
      // Playback starts when block 0 (1 s of content = the start-up buffer) is delivered.
      const t1 = r.blocks[0].endUs;
      expect(r.metrics.startupDelayS).toBeCloseTo(t1 / 1e6, 6);
      // Block b is played from t1 + b s: blocks 1..M are less than M s away already when their turn comes.
      for (let b = 1; b <= M; b++) expect(r.blocks[b].startUs, `${strategy} block ${b}`).toBeLessThan(t1 + 1e6);
      for (let b = M + 1; b < BLOCKS; b++) {
        expect(r.blocks[b].startUs, `${strategy} block ${b}`).toBe(t1 + (b - M) * 1e6 + 1);
      }
      // A block downloads in milliseconds, so playback never stalls and the buffer ends each fetch below M + 1 s.
      expect(r.metrics.stallCount).toBe(0);
      for (const p of r.bufferSeries) expect(p.value).toBeLessThanOrEqual(M + 1);
      expect(Math.max(...r.bufferSeries.map((p) => p.value))).toBeGreaterThan(M);
    }
  });

  it("a buffer smaller than the start-up buffer does not hold back the start", () => {
    const r = run(scenario(", max_buffer_s: 0.5").replace("startup_buffer_s: 1", "startup_buffer_s: 3"));
    // Playback starts after 3 blocks, at t3; block b is played from t3 + b s and starts just after 0.5 s before.
    const t3 = r.blocks[2].endUs;
    expect(r.blocks[1].startUs).toBe(r.blocks[0].endUs);
    expect(r.blocks[2].startUs).toBe(r.blocks[1].endUs);
    for (let b = 3; b < BLOCKS; b++) expect(r.blocks[b].startUs).toBe(t3 + b * 1e6 - 500_000 + 1);
  });

  it("paces every viewer of a swarm: the last block starts no earlier than play start + (N − 1 − M) s", () => {
    const M = 2;
    const viewers = `viewers:
  - { count: 3, downlink_bps: 100000000, uplink_bps: 10000000, latency_ms: 0, departure: { linger_s: 0 } }
`;
    const r = run(scenario(`, max_buffer_s: ${M}`, viewers));
    const rows = r.swarm!.agents;
    expect(rows.length).toBe(4);
    for (const row of rows) {
      expect(row.startupDelayS, row.viewer).toBeGreaterThanOrEqual(0);
      const playStartUs = row.playAtUs + Math.round(row.startupDelayS * 1e6);
      expect(row.completionUs, row.viewer).toBeGreaterThan(playStartUs + (BLOCKS - 1 - M) * 1e6 - 2);
      expect(row.stallCount, row.viewer).toBe(0);
    }
  });
});
