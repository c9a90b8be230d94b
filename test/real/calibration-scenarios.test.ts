// The shipped calibration scenarios keep to issue 13's envelope: 4-16 nodes, uplinks within 1-50 Mb/s, RTTs
// within 10-200 ms, no churn, arrivals or failures, and they validate and document themselves like every
// shipped scenario.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../src/scenario/load.ts";
import type { Distribution } from "../../src/scenario/schema.ts";

const DIR = new URL("../../scenarios/calibration/", import.meta.url).pathname;
const FILES = readdirSync(DIR).filter((f) => f.endsWith(".yaml")).sort();

/** The smallest and largest value a distribution of the shipped kinds can take. */
function bounds(d: Distribution): [number, number] {
  if (typeof d === "number") return [d, d];
  if (d.dist === "uniform") return [d.min, d.max];
  if (d.dist === "constant") return [d.value, d.value];
  throw new Error(`unexpected distribution ${d.dist}`);
}

describe("scenarios/calibration", () => {
  it("ships at least three scenarios", () => {
    expect(FILES.length).toBeGreaterThanOrEqual(3);
  });

  it.each(FILES)("%s keeps to the calibration envelope", (f) => {
    const text = readFileSync(join(DIR, f), "utf8").split("\n");
    expect(text[0]).toBe("# yaml-language-server: $schema=../schema.json");
    expect(text[1]).toMatch(/^# \S/);
    const s = loadScenario(join(DIR, f)).scenario;
    const groups = [...s.servers, ...s.peers];
    const nodes = groups.reduce((n, g) => n + g.count, 0) + (s.origin !== null ? 1 : 0);
    expect(nodes).toBeGreaterThanOrEqual(4);
    expect(nodes).toBeLessThanOrEqual(16);
    for (const g of groups) {
      const [upMin, upMax] = bounds(g.uplink_bps);
      const [rttMin, rttMax] = bounds(g.rtt_ms);
      expect(upMin).toBeGreaterThanOrEqual(1e6);
      expect(upMax).toBeLessThanOrEqual(50e6);
      expect(rttMin).toBeGreaterThanOrEqual(10);
      expect(rttMax).toBeLessThanOrEqual(200);
      expect(g.uplink_trace).toBeUndefined();
      const f = g.failures;
      expect([f.connect_refused_p, f.connect_timeout_p, f.drop_per_s, f.corrupt_p, f.stall_per_s, f.slowdown_per_s]).toEqual([0, 0, 0, 0, 0, 0]);
    }
    for (const g of s.peers) {
      expect(g.churn).toBeUndefined();
      expect(g.arrivals).toBeUndefined();
    }
    expect(s.strategies).toEqual(["static", "index", "rebalance"]);
  });
});
