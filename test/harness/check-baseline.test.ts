// The baseline file's format: a hand-written baseline is read back as written, and every malformed one (nulls,
// strings, an older format, lists of the wrong length, a group twice, not JSON, a folder) is refused with a
// message that names the place and what was expected. Also its text: one line per list, round-tripping.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type Baseline, baselineJson, loadBaseline, parseBaseline, roundMetric } from "../../src/harness/check-baseline.ts";
import { CheckInputError } from "../../src/harness/check-config.ts";

const TMP = mkdtempSync(join(tmpdir(), "sim-baseline-"));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const three = (x: number) => [x, x, x];
/** A hand-written baseline: one group, seeds 4–6. */
function sample(): Baseline {
  return {
    format: 2,
    tool: { name: "sim", version: "0.0.0" },
    max_seeds: 3,
    groups: [
      {
        scenario: "s",
        file: "suite/s.yaml",
        strategy: "static",
        seeds: [4, 5, 6],
        fingerprints: ["a", "b", "c"],
        metrics: {
          completion_s: [1.5, 2, 2.5],
          throughput_bound_ratio: three(1.2),
          startup_delay_s: three(-1),
          stall_count: three(0),
          stall_s: three(0),
          redundant_bytes: three(0),
          origin_bytes: [0, 65536, 0],
          mean_block_s: three(0.5),
          p95_block_s: three(0.75),
          t_star_ratio: three(1.25),
        },
        causes: { rebalances: three(1), fallbacks: three(0), stall_count: three(0), request_timeouts: three(0), blacklisted: three(2) },
      },
    ],
  };
}

const refused = (input: unknown) => {
  try {
    parseBaseline(input, "b.json");
  } catch (error) {
    expect(error).toBeInstanceOf(CheckInputError);
    return (error as Error).message;
  }
  throw new Error("expected a refusal");
};

describe("the baseline format", () => {
  it("reads a hand-written baseline back as written, and writes one list per line", () => {
    const b = sample();
    expect(parseBaseline(JSON.parse(JSON.stringify(b)), "b.json")).toEqual(b);
    const text = baselineJson(b);
    expect(JSON.parse(text)).toEqual(b);
    expect(text).toContain('\n      "seeds": [4, 5, 6],\n');
    expect(text).toContain('\n        "completion_s": [1.5, 2, 2.5],\n');
    expect(text.endsWith("}\n")).toBe(true);
  });

  it("refuses nulls and strings where numbers belong, naming the place", () => {
    const withNull = sample() as unknown as { groups: { metrics: { completion_s: unknown[] } }[] };
    withNull.groups[0].metrics.completion_s[1] = null;
    const regenerate = "; regenerate it with `npx sim check --update-baseline`";
    expect(refused(withNull)).toBe(`b.json: not a sim check baseline: groups[0].metrics.completion_s[1]: expected a number, found null${regenerate}`);
    const withString = sample() as unknown as { groups: { causes: { rebalances: unknown[] } }[] };
    withString.groups[0].causes.rebalances[0] = "many\u001b[31m";
    expect(refused(withString)).toBe(
      `b.json: not a sim check baseline: groups[0].causes.rebalances[0]: expected a number, found the string "many\\u001b[31m"${regenerate}`,
    );
    const noGroups = { ...sample(), groups: null };
    expect(refused(noGroups)).toBe(`b.json: not a sim check baseline: groups: expected a list, found null${regenerate}`);
  });

  it("refuses an older format, lists of the wrong length, a group twice and seeds with gaps", () => {
    expect(refused({ tool: { name: "sim", version: "0.1.0" }, runs: [] })).toMatch(/older sim check.*--update-baseline/);
    expect(refused({ ...sample(), format: 3 })).toMatch(/format 3, this sim reads format 2/);
    const short = sample();
    (short.groups[0].metrics.stall_s as number[]).pop();
    expect(refused(short)).toMatch(/groups\[0\]\.metrics\.stall_s: expected 3 values \(one per seed\), found 2/);
    const twice = sample();
    expect(refused({ ...twice, groups: [twice.groups[0], twice.groups[0]] })).toMatch(/s\/static appears twice/);
    const gaps = sample();
    (gaps.groups[0].seeds as number[])[2] = 9;
    expect(refused(gaps)).toMatch(/expected consecutive seeds/);
  });

  it("reads files: absent is null, not JSON and folders are refused", () => {
    expect(loadBaseline(join(TMP, "none.json"))).toBeNull();
    writeFileSync(join(TMP, "bad.json"), "{ not json");
    expect(() => loadBaseline(join(TMP, "bad.json"))).toThrow(/not valid JSON/);
    mkdirSync(join(TMP, "dir.json"));
    expect(() => loadBaseline(join(TMP, "dir.json"))).toThrow(/found a folder/);
    writeFileSync(join(TMP, "ok.json"), baselineJson(sample()));
    expect(loadBaseline(join(TMP, "ok.json"))).toEqual(sample());
  });

  it("keeps 9 significant digits", () => {
    expect(roundMetric(1.23456789012)).toBe(1.23456789);
    expect(roundMetric(65536)).toBe(65536);
  });
});
