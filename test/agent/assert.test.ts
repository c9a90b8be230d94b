// The one assertion helper (src/assert.ts): nothing happens when the condition holds (the message is not even
// built), and a failed assertion throws an AssertionError whose message has {i} replaced by the i-th argument.
import { describe, expect, it } from "vitest";
import { AssertionError, assert, fail } from "../../src/assert.ts";

describe("assert", () => {
  it("builds no message while the condition holds", () => {
    let built = 0;
    const arg = { toJSON: () => built++ };
    for (let i = 0; i < 100; i++) assert(true, "never shown {0}", arg);
    expect(built).toBe(0);
  });

  it("fills the placeholders on failure: numbers and strings as they are, objects as JSON", () => {
    expect(() => assert(false, "sub-block {0} on conn {1}: {2} ({3})", 17, "c2", { dist: "uniform" }, undefined)).toThrow(
      new AssertionError('sub-block 17 on conn c2: {"dist":"uniform"} (undefined)'),
    );
    expect(() => fail("block {1} before {0}", 3, 4)).toThrow("block 4 before 3");
    expect(() => assert(1 + 1 === 3, "arithmetic")).toThrow(AssertionError);
  });
});
