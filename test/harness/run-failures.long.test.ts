// The long run of run-failures.test.ts (`npm run test:long`): 300 generated misbehaving strategies, each a
// failed run with a short, escaped reason (or a clean run when it misbehaves too late), never an exception or a
// hang, through runOne and runScenario.

import { describe, it } from "vitest";
import { checkMisbehavingStrategies } from "./hostile-strategies.ts";

describe("a misbehaving strategy", () => {
  it("is a failed run with its reason, never an exception or a hang (300 cases)", () => {
    checkMisbehavingStrategies(300);
  });
});
