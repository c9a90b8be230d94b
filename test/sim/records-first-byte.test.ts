// Sub-block records keep their first byte when cut short: a request dropped or cancelled after bytes flowed
// records when its first byte arrived, so first_byte_s is empty only when no byte ever came.

import { describe, expect, it } from "vitest";
import { runOne } from "../../src/harness/run.ts";
import { loadScenario } from "../../src/scenario/load.ts";

describe("first byte of cut-short sub-blocks", () => {
  const loaded = loadScenario("scenarios/flaky.yaml");
  for (const strategy of ["static", "endgame"]) {
    it(`is recorded whenever bytes crossed (${strategy}, flaky.yaml)`, () => {
      const { result } = runOne(loaded, { strategy, seed: 1 });
      expect(result.error).toBeNull();
      const cut = result.subBlocks.filter((s) => (s.outcome === "dropped" || s.outcome === "cancelled") && s.bytes > 0);
      expect(cut.length).toBeGreaterThan(0); // the scenario does cut transfers short
      for (const s of result.subBlocks) {
        if (s.bytes > 0) {
          expect(s.firstByteUs, `sub-block ${s.subBlockId} on conn ${s.connId} (${s.outcome})`).toBeGreaterThanOrEqual(s.requestUs);
          expect(s.firstByteUs).toBeLessThanOrEqual(s.endUs);
        }
      }
    });
  }
});
