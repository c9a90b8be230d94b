// The verdict (src/report/verdict.ts) from hand-made per-seed values: which strategy is best, its paired
// difference to the reference with the interval (over 2 seeds a percentile bootstrap of the mean difference is
// the range of the two differences), the plain statement when the interval holds 0, the collapsed equal
// metrics and the small-sample warning; and where the verdict appears (summary.md, index.html, the CLI text).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildIndexHtml } from "../../src/report/html.ts";
import { buildSummaryMd } from "../../src/report/markdown.ts";
import { SMALL_SAMPLE_SEEDS, verdictOf, verdictText } from "../../src/report/verdict.ts";
import type { BlockRecord, RunResult } from "../../src/sim/metrics/records.ts";
import { fakeLoaded, fakeRunResult } from "./fixtures.ts";

/** One run per (strategy, seed) with the given completion times; every other metric equal. */
function runs(completion: Record<string, readonly number[]>, firstSeed = 1): RunResult[] {
  return Object.entries(completion).flatMap(([strategy, xs]) =>
    xs.map((completionS, i) => fakeRunResult({ strategy, seed: firstSeed + i, metrics: { completionS } })),
  );
}

const scenario = (strategies: string[], seeds = 2) => fakeLoaded({ strategies, seeds }).scenario;

describe("verdict", () => {
  it("names the best strategy, its difference to the reference and the interval (2 seeds: their range)", () => {
    // static 10, 12; rebalance 8, 9: differences -2, -3 → mean -2.5, interval [-3, -2], relative -2.5 / 11.
    const v = verdictOf(scenario(["static", "rebalance"]), runs({ static: [10, 12], rebalance: [8, 9] }));
    expect(v.reference).toBe("static");
    expect(v.seeds).toBe(2);
    const line = v.lines.find((l) => l.metric === "completion_s");
    expect(line).toMatchObject({ best: "rebalance", compared: "rebalance", kind: "supported", better: "lower" });
    expect(line?.diff?.mean_diff).toBe(-2.5);
    expect(line?.diff?.ci95).toEqual([-3, -2]);
    expect(line?.text).toBe(
      "completion time (lower is better): rebalance is best with 8.500 s against 11.000 s for static: " +
        "-2.500 s (-22.7%), 95% interval [-3.000, -2.000] s; the seeds support the difference.",
    );
  });

  it("says plainly when the seeds cannot tell the best from the reference", () => {
    // index 8, 13 against static 10, 12: differences -2, +1 → mean -0.5, interval [-2, +1] holds 0.
    const v = verdictOf(scenario(["static", "index"]), runs({ static: [10, 12], index: [8, 13] }));
    const line = v.lines.find((l) => l.metric === "completion_s");
    expect(line).toMatchObject({ best: "index", kind: "unclear" });
    expect(line?.diff?.ci95).toEqual([-2, 1]);
    expect(line?.text).toContain("the seeds cannot tell index and static apart (the interval includes 0)");
  });

  it("quotes the runner-up when the reference is best", () => {
    // index 13, 14 against static 10, 12: index − static = 3, 2 → +2.5, interval [+2, +3].
    const v = verdictOf(
      scenario(["static", "index", "rebalance"]),
      runs({ static: [10, 12], index: [13, 14], rebalance: [15, 15] }),
    );
    const line = v.lines.find((l) => l.metric === "completion_s");
    expect(line).toMatchObject({ best: "static", compared: "index", kind: "supported" });
    expect(line?.text).toContain("static (the reference) is best with 11.000 s; next, index: +2.500 s (+22.7%)");
    expect(line?.text).toContain("[+2.000, +3.000] s");
  });

  it("collapses metrics equal for every strategy into one sentence, leaving them out of the lines", () => {
    const v = verdictOf(
      scenario(["static", "rebalance"]),
      runs({ static: [10, 12], rebalance: [8, 9] }).map((r) => ({
        ...r,
        metrics: { ...r.metrics, stallCount: 0, stallS: 0 },
      })),
    );
    expect(v.lines.map((l) => l.metric)).toEqual(["completion_s"]);
    expect(v.equal).toContain("stalls 0;");
    expect(v.equal).toContain("stall time 0 s");
  });

  it(`warns with fewer than ${SMALL_SAMPLE_SEEDS} seeds, not with ${SMALL_SAMPLE_SEEDS}`, () => {
    const four = verdictOf(scenario(["static", "index"], 4), runs({ static: [1, 2, 3, 4], index: [2, 3, 4, 5] }));
    expect(four.warning).toMatch(/^only 4 seeds/);
    expect(verdictText(four)).toContain("WARNING: only 4 seeds");
    const five = verdictOf(
      scenario(["static", "index"], 5),
      runs({ static: [1, 2, 3, 4, 5], index: [2, 3, 4, 5, 6] }),
    );
    expect(five.warning).toBeNull();
    expect(verdictText(five)).not.toContain("WARNING");
    // Every difference is exactly +1: the interval is [1, 1] and excludes 0.
    expect(five.lines[0]).toMatchObject({ best: "static", compared: "index", kind: "supported" });
  });

  it("with one seed gives no interval and cannot tell", () => {
    const v = verdictOf(scenario(["static", "index"], 1), runs({ static: [10], index: [9] }));
    const line = v.lines.find((l) => l.metric === "completion_s");
    expect(line?.kind).toBe("unclear");
    expect(line?.text).toContain("one seed, no interval");
    expect(v.warning).toMatch(/^only 1 seed:/);
  });

  it("leaves a pipelining strategy out of the per-block metrics", () => {
    const overlapping: BlockRecord[] = [
      { block: 0, startUs: 0, endUs: 4_000_000, bytes: 1, tStarUs: 1, tGUs: 1 },
      { block: 1, startUs: 1_000_000, endUs: 5_000_000, bytes: 1, tStarUs: 1, tGUs: 1 },
    ];
    const results = [
      ...runs({ static: [10, 12], index: [13, 14] }).map((r) => ({
        ...r,
        metrics: { ...r.metrics, meanBlockS: r.strategy === "static" ? 5 : 6 },
      })),
      ...[1, 2].map((seed) =>
        fakeRunResult({ strategy: "rebalance", seed, blocks: overlapping, metrics: { completionS: 9, meanBlockS: 1 } }),
      ),
    ];
    const v = verdictOf(scenario(["static", "index", "rebalance"]), results);
    expect(v.lines.find((l) => l.metric === "completion_s")?.best).toBe("rebalance");
    expect(v.lines.find((l) => l.metric === "mean_block_s")?.best).toBe("static");
    expect(v.notes.join(" ")).toContain("left out (they pipeline blocks): rebalance");
  });

  it("names the strategy of least mean completion, quoting its mean paired difference (property)", () => {
    const seeds = fc.integer({ min: 1, max: 4 });
    fc.assert(
      fc.property(
        seeds.chain((n) =>
          fc.tuple(...[0, 1, 2].map(() => fc.array(fc.integer({ min: 1, max: 50 }), { minLength: n, maxLength: n }))),
        ),
        ([a, b, c]) => {
          const names = ["static", "index", "rebalance"];
          const values = [a, b, c];
          const v = verdictOf(scenario(names, a.length), runs({ static: a, index: b, rebalance: c }));
          const line = v.lines.find((l) => l.metric === "completion_s");
          const sums = values.map((xs) => xs.reduce((t, x) => t + x, 0));
          if (sums.every((x) => x === sums[0])) {
            expect(line).toBeUndefined(); // equal means: in the "equal" sentence
            return;
          }
          // Least sum (= least mean, same seeds), the first in order on a tie.
          const best = sums.indexOf(Math.min(...sums));
          expect(line?.best).toBe(names[best]);
          const order = [0, 1, 2].sort((i, j) => sums[i] - sums[j] || i - j);
          const compared = best === 0 ? order[1] : best;
          expect(line?.compared).toBe(names[compared]);
          const diff = values[compared].reduce((t, x, k) => t + (x - a[k]), 0) / a.length;
          expect(line?.diff?.mean_diff).toBeCloseTo(diff, 9);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("has nothing to compare with one strategy", () => {
    const v = verdictOf(scenario(["static"]), runs({ static: [10, 12] }));
    expect(v.lines).toEqual([]);
    expect(v.notes).toEqual(["one strategy ran: nothing to compare."]);
  });
});

describe("verdict on the pages", () => {
  const loaded = fakeLoaded({ strategies: ["static", "rebalance"] });
  const verdict = verdictOf(loaded.scenario, runs({ static: [10, 12], rebalance: [8, 9] }));
  const table = { title: "Comparison", caption: "", columns: ["strategy", "x"], rows: [["static", "1"]] };

  it("comes first in summary.md, before every table, with the warning", () => {
    const md = buildSummaryMd({ scenario: loaded.scenario, tables: [table], charts: [], notes: [], verdict });
    const at = md.indexOf("## Verdict (against static, 2 seeds");
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(md.indexOf("## Comparison"));
    expect(md).toContain("> **Warning:** only 2 seeds");
    expect(md).toContain("- completion time (lower is better): rebalance is best");
  });

  it("comes first in index.html, before the comparison table, the supported line marked", () => {
    const html = buildIndexHtml({ scenario: loaded.scenario, tables: [table], charts: [], notes: [], verdict });
    const at = html.indexOf('<section id="verdict">');
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(html.indexOf("<table>"));
    expect(html).toContain('<p class="warning"><strong>Warning:</strong> only 2 seeds');
    expect(html).toContain('<li class="supported"><b>completion time (lower is better)</b>: rebalance is best');
  });
});
