// Test helper: one world run of a scenario given as YAML text (seed 1), the run's error asserted absent. Used
// by the tests that build small scenarios by hand (live content, the maximum buffer, reservations).

import { expect } from "vitest";
import { simConfigFor } from "../../src/harness/sim-config.ts";
import { parseScenarioText } from "../../src/scenario/load.ts";
import type { RunResult } from "../../src/sim/metrics/records.ts";
import { World } from "../../src/sim/world/world.ts";

const DIR = new URL("../../scenarios/", import.meta.url).pathname;

export function runScenarioText(text: string, strategy = "static"): RunResult {
  const r = new World(simConfigFor(parseScenarioText(text, "t.yaml", DIR)), { strategy, seed: 1 }).run(() => 0);
  expect(r.error).toBeNull();
  return r;
}
