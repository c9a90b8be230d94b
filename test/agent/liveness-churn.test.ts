// The demo scenario on the full simulator: with dead connections noticed, no strategy's blocks sit at exactly the
// playback duration. Before the liveness fix, 77 of 96 blocks of static/index/rebalance/pull on seeds 1-3 took
// block_bytes × 8 / bitrate: dead peers kept their slots and every block waited for the deadline fallback.
import { describe, expect, it } from "vitest";
import { STRATEGIES } from "../../src/agent/agent.ts";
import { runOne } from "../../src/harness/run.ts";
import { loadScenario } from "../../src/scenario/load.ts";

describe("churn.yaml: blocks pinned at the playback duration", () => {
  const loaded = loadScenario("scenarios/churn.yaml");
  const { block_bytes, bitrate_bps } = loaded.scenario.content;
  const playbackUs = (block_bytes * 8e6) / bitrate_bps; // 1.048576 s
  const seeds = [1, 2, 3, 4, 5, 6]; // the scenario's seeds (1-3) and three more

  for (const { name } of STRATEGIES) {
    it(`${name}: at most 5% of its blocks within 1 ms of ${playbackUs} µs`, () => {
      let pinned = 0;
      let blocks = 0;
      for (const seed of seeds) {
        const { result } = runOne(loaded, { strategy: name, seed });
        expect(result.error).toBeNull();
        pinned += result.blocks.filter((b) => Math.abs(b.endUs - b.startUs - playbackUs) <= 1000).length;
        blocks += result.blocks.length;
      }
      expect(blocks).toBe(32 * seeds.length);
      expect(pinned / blocks).toBeLessThanOrEqual(0.05);
    });
  }
});
