// What really ran: the scenario with the run's strategies and seeds, and the provenance line of summary.md and
// index.html, on hand-written inputs.

import { describe, expect, it } from "vitest";
import { provenanceLine, scenarioAsRun, seedsText } from "../../src/report/provenance.ts";
import { fakeLoaded, fakeRunResult } from "./fixtures.ts";

const { scenario } = fakeLoaded(); // strategies static, index, rebalance; seed 1; seeds 2

describe("provenance", () => {
  it("writes the run's strategies and seeds into the scenario", () => {
    const ran = scenarioAsRun(scenario, ["rebalance"], [7, 8, 9]);
    expect([ran.strategies, ran.seed, ran.seeds]).toEqual([["rebalance"], 7, 3]);
    expect(ran.content).toEqual(scenario.content);
    expect(scenario.strategies).toEqual(["static", "index", "rebalance"]); // the input is not changed
    expect(scenarioAsRun(scenario, [], [])).toBe(scenario);
  });

  it("names consecutive seeds as a range, others as a list", () => {
    expect(seedsText([3, 1, 2])).toBe("1–3");
    expect(seedsText([5])).toBe("5");
    expect(seedsText([9, 1, 5, 5])).toBe("1, 5, 9");
    expect(seedsText([])).toBe("none");
  });

  it("says which strategies and seeds ran, from the runs themselves", () => {
    const results = [fakeRunResult({ strategy: "index", seed: 4 }), fakeRunResult({ strategy: "index", seed: 6 })];
    expect(provenanceLine(scenario, results)).toBe("Strategies: index; seeds: 4, 6 (2 per strategy).");
    expect(provenanceLine(scenario, [])).toBe("Strategies: static, index, rebalance; seeds: 2 (from 1).");
  });
});
