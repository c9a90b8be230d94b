// Bounds on work and on numbers, checked when a scenario is loaded: nodes, sub-blocks, runs, seeds, sweep
// sizes, a download that cannot finish, events; numbers beyond their unit's maximum, distributions whose draws
// can overflow (their extremes computed by hand here), and notes on clamped draws with their share.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ScenarioError, type ScenarioIssue } from "../../src/scenario/errors.ts";
import { parseScenarioText } from "../../src/scenario/load.ts";
import type { Distribution } from "../../src/scenario/schema.ts";
import { drawRange, makeSampler } from "../../src/sim/random/distributions.ts";
import type { Rng } from "../../src/sim/random/streams.ts";

const HEAD = `name: t
strategies: [static]
content: { size_bytes: 4194304, block_bytes: 524288, sub_block_bytes: 65536 }
agent: { downlink_bps: 50000000 }
`;
const PEERS = `peers:
  - count: 4
    uplink_bps: 5000000
    rtt_ms: 40
`;

function issuesOf(text: string): readonly ScenarioIssue[] {
  try {
    parseScenarioText(text, "x.yaml", ".");
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return (error as ScenarioError).issues;
  }
  return [];
}

function messages(text: string): string[] {
  return issuesOf(text).map((i) => `${i.path}: ${i.message}`);
}

describe("limits on work", () => {
  it("counts nodes (peers, arrivals, servers, origin) against limits.max_nodes", () => {
    const text = `${HEAD}peers:\n  - { count: 60000, uplink_bps: 1e6, rtt_ms: 40, arrivals: { rate_per_s: 1, max_count: 40001 } }\n`;
    expect(messages(text)).toEqual([
      "peers: expected at most 100000 nodes (limits.max_nodes), found 100001 (count + arrivals.max_count of every group)",
    ]);
    expect(messages(`${text}limits: { max_nodes: 100001 }\n`)).toEqual([]);
    expect(messages(`${text}limits: { max_nodes: 1000001 }\n`)).toEqual([
      "limits.max_nodes: expected a number ≤ 1000000, found 1000001",
    ]);
  });

  it("counts sub-blocks per block and in all: 1-byte sub-blocks in 1 GiB are refused at once", () => {
    const text = HEAD.replace(
      "size_bytes: 4194304, block_bytes: 524288, sub_block_bytes: 65536",
      "size_bytes: 1073741824, block_bytes: 1048576, sub_block_bytes: 1",
    );
    expect(messages(`${text}${PEERS}`)).toEqual([
      "content.sub_block_bytes: expected at most 4096 sub-blocks per block (limits.max_sub_blocks_per_block), found 1048576 (block_bytes / sub_block_bytes)",
      "content.sub_block_bytes: expected at most 1048576 sub-blocks in the content (limits.max_sub_blocks), found 1073741824 (size_bytes / sub_block_bytes)",
    ]);
    // A short last block counts its own sub-blocks: 2 full blocks of 3 and 1 byte left.
    const odd = HEAD.replace(
      "size_bytes: 4194304, block_bytes: 524288, sub_block_bytes: 65536",
      "size_bytes: 7, block_bytes: 3, sub_block_bytes: 1",
    );
    expect(messages(`${odd}limits: { max_sub_blocks: 6 }\n${PEERS}`)).toEqual([
      "content.sub_block_bytes: expected at most 6 sub-blocks in the content (limits.max_sub_blocks), found 7 (size_bytes / sub_block_bytes)",
    ]);
    expect(messages(`${odd}limits: { max_sub_blocks: 7 }\n${PEERS}`)).toEqual([]);
  });

  it("counts runs: sweep points × strategies × seeds", () => {
    const values = Array.from({ length: 40 }, (_, i) => i + 1).join(", ");
    const text = `${HEAD}seeds: 2500\n${PEERS}sweep:\n  params:\n    agent.max_connections: [${values}]\n`;
    expect(messages(text)).toEqual([]);
    expect(messages(text.replace("seeds: 2500", "seeds: 2501"))).toEqual([
      "sweep.params: expected at most 100000 runs (limits.max_runs), found 40 sweep points × 1 strategies × 2501 seeds = 100040",
    ]);
  });

  it("keeps seeds exact integers and swept values few", () => {
    expect(messages(`${HEAD}seed: 9007199254740991\nseeds: 2\n${PEERS}`)).toEqual([
      "seed: expected seed + seeds - 1 ≤ 9007199254740991, found seed 9007199254740991 with 2 seeds",
    ]);
    expect(messages(`${HEAD}seed: 9007199254740991\n${PEERS}`)).toEqual([]);
    const keys = Array.from({ length: 33 }, (_, i) => `    peers.0.count${i}: [1]`).join("\n");
    expect(messages(`${HEAD}${PEERS}sweep:\n  params:\n${keys}\n`)[0]).toBe(
      "sweep.params: expected at most 32 swept keys, found 33",
    );
  });

  it("refuses a download that cannot finish within sim_time_s, and more events than max_events before it can", () => {
    const slow = HEAD.replace("downlink_bps: 50000000", "downlink_bps: 1000");
    // 4 MiB at 1 kb/s: 33554 s at least, past the default 7200 s.
    expect(messages(`${slow}${PEERS}`)).toEqual([
      "content.size_bytes: expected a download that can finish within limits.sim_time_s (7200 s), found 4194304 bytes at downlink_bps 1000: at least 33550 s",
    ]);
    // 4 MiB at 50 Mb/s takes ≥ 0.67108864 s; 1000 peers × 1e6 drops/s: 671088640 events, + 2 per sub-block.
    const stormy = `${HEAD}peers:\n  - { count: 1000, uplink_bps: 1e6, rtt_ms: 40, failures: { drop_per_s: 1000000 } }\n`;
    expect(messages(stormy)).toEqual([
      "limits.max_events: expected at most limits.max_events (50000000) events, found at least 671088768 before the download can finish (64 sub-blocks, failures, churn and arrivals over 0.6711 s)",
    ]);
  });
});

describe("numbers that fit their unit", () => {
  it("refuses values that pass the schema but overflow once converted", () => {
    expect(messages(`${HEAD}${PEERS.replace("rtt_ms: 40", "rtt_ms: 1e308")}`)).toEqual([
      "peers[0].rtt_ms: expected a number within ±1e12 ms, found 1e308",
    ]);
    expect(messages(`${HEAD}${PEERS.replace("rtt_ms: 40", "rtt_ms: { dist: normal, mean: 1e308, sd: 1e308 }")}`)).toEqual([
      "peers[0].rtt_ms.mean: expected a number within ±1e12 ms, found 1e308",
      "peers[0].rtt_ms.sd: expected a number within ±1e12 ms, found 1e308",
    ]);
    expect(messages(`${HEAD}${PEERS.replace("uplink_bps: 5000000", "uplink_bps: { dist: pareto, shape: 1e-300, scale: 1 }")}`)).toEqual([
      "peers[0].uplink_bps: expected a distribution whose draws stay within ±1e100 (a larger shape), found a pareto distribution whose draws reach Infinity",
    ]);
    expect(messages(`${HEAD}${PEERS}origin: { uplink_bps: 2e15, rtt_ms: 1 }\n`)).toEqual([
      "origin.uplink_bps: expected a number within ±1e15 bit/s, found 2000000000000000",
    ]);
    expect(messages(`${HEAD.replace("agent: {", "agent: { request_timeout_factor: 1e300,")}${PEERS}`)).toEqual([
      "agent.request_timeout_factor: expected a number within ±1e9, found 1e300",
    ]);
  });

  it("bounds the tracker's state noise like a lognormal sigma on uplinks up to 1e15", () => {
    // exp(z × 22.8) × 1e15 with z = sqrt(106 ln 2) ≈ 8.572: 1e15 × e^195.4 ≈ 7.5e99, within 1e100; 22.9 is not.
    expect(messages(`${HEAD}${PEERS}tracker: { state_noise: 22.8 }\n`)).toEqual([]);
    expect(messages(`${HEAD}${PEERS}tracker: { state_noise: 359 }\n`)).toEqual([
      "tracker.state_noise: expected a noise whose factor keeps reported uplinks within ±1e100 (at most 22.8), found 359",
    ]);
  });

  it("scales churn draws by time_scale before bounding them", () => {
    const churn = "    churn: { session_s: { dist: pareto, shape: 0.5, scale: 1 }, downtime_s: 10, time_scale: 1e9 }\n";
    // At most 2^(53 / 0.5) = 2^106 ≈ 8.1e31 s, × 1e9: within 1e100.
    expect(messages(`${HEAD}${PEERS}${churn}`)).toEqual([]);
    // 2^(53 / 0.17) ≈ 7.09e93 fits alone, not × 1e9.
    expect(messages(`${HEAD}${PEERS}${churn.replace("shape: 0.5", "shape: 0.17")}`)).toEqual([
      "peers[0].churn.session_s: expected a distribution whose draws stay within ±1e100 (a larger shape), found a pareto distribution whose draws reach 7.088e102",
    ]);
    // Alone beyond 1e100: 2^530 ≈ 3.5e159.
    expect(messages(`${HEAD}${PEERS}${churn.replace("shape: 0.5", "shape: 0.1")}`)).toEqual([
      "peers[0].churn.session_s: expected a distribution whose draws stay within ±1e100 (a larger shape), found a pareto distribution whose draws reach 3.515e159",
    ]);
  });
});

describe("drawRange", () => {
  it("gives each distribution's extremes by hand", () => {
    const z = Math.sqrt(106 * Math.LN2); // the largest |Box-Muller| deviate from a 53-bit uniform
    const e = 53 * Math.LN2; // the largest -ln(1 - U)
    expect(drawRange({ dist: "normal", mean: 10, sd: 2 })).toEqual({ min: 10 - 2 * z, max: 10 + 2 * z });
    expect(drawRange({ dist: "exponential", mean: 3 })).toEqual({ min: 0, max: 3 * e });
    expect(drawRange({ dist: "pareto", shape: 1, scale: 2 })).toEqual({ min: 2, max: 2 ** 54 });
    expect(drawRange({ dist: "uniform", min: -1, max: 4 })).toEqual({ min: -1, max: 4 });
    expect(drawRange({ dist: "empirical", values: [3, -2, 7] })).toEqual({ min: -2, max: 7 });
    expect(drawRange({ dist: "lognormal", median: 1, sigma: 200 }).max).toBe(Number.POSITIVE_INFINITY);
  });

  /** A stream replaying the given uniforms (the extremes 0 and 1 - 2^-53 included by the generator). */
  function replay(us: readonly number[]): Rng {
    let i = 0;
    return { next: () => us[i++ % us.length] };
  }

  const uniform = fc.oneof(fc.constantFrom(0, 0.5, 1 - 2 ** -53), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }));
  const positive = fc.double({ min: 1e-3, max: 1e6, noNaN: true });
  const distribution: fc.Arbitrary<Distribution> = fc.oneof(
    fc.record({ dist: fc.constant("normal" as const), mean: fc.double({ min: -1e6, max: 1e6, noNaN: true }), sd: positive }),
    fc.record({ dist: fc.constant("lognormal" as const), median: positive, sigma: fc.double({ min: 0, max: 5, noNaN: true }) }),
    fc.record({ dist: fc.constant("exponential" as const), mean: positive }),
    fc.record({ dist: fc.constant("weibull" as const), shape: fc.double({ min: 0.1, max: 10, noNaN: true }), scale: positive }),
    fc.record({ dist: fc.constant("pareto" as const), shape: fc.double({ min: 0.5, max: 10, noNaN: true }), scale: positive }),
  );

  it("bounds every draw the sampler makes, the extreme uniforms included", () => {
    fc.assert(
      fc.property(distribution, fc.array(uniform, { minLength: 2, maxLength: 8 }), (d, us) => {
        const { min, max } = drawRange(d);
        const x = makeSampler(d)(replay(us));
        const slack = 1e-9 * Math.max(1, Math.abs(min), Math.abs(max));
        expect(x).toBeGreaterThanOrEqual(min - slack);
        expect(x).toBeLessThanOrEqual(max + slack);
      }),
    );
  });
});

describe("notes on clamped draws", () => {
  it("say which key clamps, how, and for what share of draws", () => {
    const loaded = parseScenarioText(
      `${HEAD}peers:\n  - count: 4\n    uplink_bps: 5000000\n    rtt_ms: { dist: normal, mean: 40, sd: 15 }\n    load: { dist: lognormal, median: 0.5, sigma: 1 }\n`,
      "x.yaml",
      ".",
    );
    // Φ(-40/15) = Φ(-2.667) ≈ 0.0038; P(lognormal(ln 0.5, 1) > 1) = 1 - Φ(ln 2) ≈ 0.244.
    expect((loaded.notes ?? []).map((n) => `${n.line}: ${n.path}: ${n.message}`)).toEqual([
      "8: peers[0].rtt_ms: draws below 0 are raised to 0 (about 0.38% of draws)",
      "9: peers[0].load: draws outside [0, 1] are clamped into it (about 24% of draws)",
    ]);
  });
});

describe("unit maxima as the docs write them", () => {
  it("match the values the checks use", async () => {
    const { UNIT_MAXIMA } = await import("../../src/input/limit-values.ts");
    expect(UNIT_MAXIMA).toEqual({ bps: 1e15, s: 1e9, ms: 1e12, per_s: 1e6, bytes: 2 ** 50, plain: 1e9 });
  });
});

describe("docs/cli-and-scenarios.md", () => {
  it("lists every limits key with its default and ceiling", async () => {
    const { readFileSync } = await import("node:fs");
    const { LIMIT_CEILINGS, LIMIT_DEFAULTS } = await import("../../src/input/limit-values.ts");
    const docs = readFileSync(new URL("../../docs/cli-and-scenarios.md", import.meta.url), "utf8");
    for (const key of Object.keys(LIMIT_DEFAULTS) as (keyof typeof LIMIT_DEFAULTS)[]) {
      // Byte sizes in MiB; counts with thousands separators, but 4 digits written plain (4096).
      const show = (n: number) =>
        key.endsWith("_bytes") ? `${n / 1024 / 1024} MiB` : n.toLocaleString("en-US").replace(/^(\d),(\d{3})$/, "$1$2");
      const row = docs.split("\n").find((line) => line.startsWith(`| \`limits.${key}\``));
      expect(row, key).toBeDefined();
      const cells = (row ?? "").split("|").map((c) => c.trim());
      expect(cells.slice(3, 5), key).toEqual([show(LIMIT_DEFAULTS[key]), show(LIMIT_CEILINGS[key])]);
    }
  });
});
