// The progress bar shows only on an interactive terminal outside CI.

import { describe, expect, it } from "vitest";
import { wantProgress } from "../../src/cli/progress.ts";

describe("wantProgress", () => {
  it("needs a TTY and no CI", () => {
    expect(wantProgress({ isTTY: true }, {})).toBe(true);
    expect(wantProgress({ isTTY: true }, { CI: "false" })).toBe(true);
    expect(wantProgress({ isTTY: true }, { CI: "true" })).toBe(false);
    expect(wantProgress({ isTTY: true }, { CI: "1" })).toBe(false);
    expect(wantProgress({ isTTY: false }, {})).toBe(false);
    expect(wantProgress({}, {})).toBe(false);
  });
});
