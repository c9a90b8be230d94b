// The long run of hostile.test.ts (`npm run test:long`): 3,000 generated hostile scenarios, each refused with a
// ScenarioError or loaded and run without breaking an invariant.

import { describe, it } from "vitest";
import { checkHostileScenarios } from "./hostile-cases.ts";

describe("hostile scenarios", () => {
  it("are refused with a ScenarioError or load and run, never an internal error (3,000 cases)", () => {
    checkHostileScenarios(3000, 200_000);
  });
});
