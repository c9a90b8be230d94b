// Hostile scenarios (hostile.test.ts, and many more in hostile.long.test.ts): sizes, counts and numbers at the
// edges, odd keys (escape sequences, __proto__, very long), deep nesting, YAML tricks (anchors, tags, flow and
// block styles). Loading one either succeeds or throws a ScenarioError (exit 2) whose message holds no raw
// control character; a scenario that loads runs one short run (bounded in simulated time and events) that
// returns a result, never a broken invariant (exit 3 material). A case that hangs fails its test's timeout.

import fc from "fast-check";
import { expect } from "vitest";
import { stringify } from "yaml";
import { runOne } from "../../src/harness/run.ts";
import { ScenarioError } from "../../src/scenario/errors.ts";
import { parseScenarioText } from "../../src/scenario/load.ts";

const SCENARIOS_DIR = new URL("../../scenarios/", import.meta.url).pathname;
/** The short run's simulated time at most (a case may ask for up to 1e9 s). */
const SHORT_RUN_S = 600;

const edgeNumber = fc.oneof(
  fc.constantFrom(
    0,
    -0,
    -1,
    1,
    0.5,
    1e-300,
    5e-324,
    1e-6,
    1e6,
    1e9,
    1e12,
    1e15,
    1e16,
    1e100,
    1e300,
    1.7976931348623157e308,
    -1e308,
    2 ** 31,
    2 ** 32,
    2 ** 50,
    2 ** 53 - 1,
    2 ** 53,
    2 ** 53 + 2,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    Number.NaN,
  ),
  fc.double(),
  fc.integer({ min: -10, max: 10_000 }),
);

const oddKey = fc.oneof(
  fc.constantFrom(
    "__proto__",
    "constructor",
    "toString",
    "hasOwnProperty",
    "\u001b[31mred\u001b[0m",
    "\u202eevil",
    "a\u0000b",
    "k".repeat(5000),
    "1",
    "",
    " ",
    "max_conections",
    "dist",
  ),
  fc.string({ maxLength: 20 }),
);

/** A value nested `depth` deep under odd keys and lists. */
const deepValue = fc.integer({ min: 1, max: 80 }).chain((depth) =>
  fc.array(fc.oneof(oddKey, fc.constant(null)), { minLength: depth, maxLength: depth }).map((keys) => {
    let x: unknown = "leaf";
    for (const k of keys) x = k === null ? [x] : { [k]: x };
    return x;
  }),
);

/** Mostly `usual`, sometimes something hostile: most cases then load, and the rest probe one edge each. */
function mostly<T>(usual: fc.Arbitrary<T>, hostile: fc.Arbitrary<unknown> = edgeNumber): fc.Arbitrary<unknown> {
  return fc.oneof({ arbitrary: usual, weight: 100 }, { arbitrary: hostile, weight: 1 });
}

/** Valid but far-flung numbers of a unit: m × 10^e from 1e-3 up to the unit's maximum. */
const wide = (max: number) =>
  fc.oneof(
    fc
      .tuple(fc.integer({ min: 1, max: 999 }), fc.integer({ min: -3, max: Math.floor(Math.log10(max)) }))
      .map(([m, e]) => Math.min(max, m * 10 ** e)),
    fc.constantFrom(max, 1),
  );
/** A valid number in [lo, hi] on a grid of 1000 steps (fast-check's doubles favour subnormals). */
const within = (lo: number, hi: number) => fc.integer({ min: 0, max: 1000 }).map((i) => lo + ((hi - lo) * i) / 1000);

const distribution = (max: number) =>
  mostly(
    fc.oneof(
      wide(max),
      fc.record({ dist: fc.constant("constant"), value: wide(max) }),
      fc.record({ dist: fc.constant("uniform"), min: fc.constant(1), max: wide(max) }),
      fc.record({ dist: fc.constant("normal"), mean: wide(max), sd: wide(max) }),
      fc.record({ dist: fc.constant("lognormal"), median: wide(max), sigma: within(0, 30) }),
      fc.record({ dist: fc.constant("exponential"), mean: wide(max) }),
      fc.record({ dist: fc.constant("weibull"), shape: within(0.05, 10), scale: wide(max) }),
      fc.record({ dist: fc.constant("pareto"), shape: within(0.1, 10), scale: wide(max) }),
      fc.record({ dist: fc.constant("empirical"), values: fc.array(wide(max), { minLength: 1, maxLength: 5 }) }),
    ),
    fc.oneof(
      edgeNumber,
      fc.record({ dist: fc.constant("normal"), mean: edgeNumber, sd: edgeNumber }),
      fc.record({ dist: fc.constant("pareto"), shape: edgeNumber, scale: edgeNumber }),
      fc.record({ dist: fc.constant("weibull"), shape: edgeNumber, scale: edgeNumber }),
      fc.record({ dist: fc.constant("lognormal"), median: edgeNumber, sigma: edgeNumber }),
      fc.record({ dist: fc.constant("empirical"), values: fc.array(edgeNumber, { maxLength: 5 }) }),
      fc.record({ dist: oddKey, value: edgeNumber }),
    ),
  );

const probability = mostly(within(0, 1));
const ratePerS = mostly(within(0, 1));

const failures = fc.record(
  {
    connect_refused_p: probability,
    drop_per_s: ratePerS,
    corrupt_p: mostly(within(0, 0.5)),
    stall_per_s: ratePerS,
    stall_s: distribution(1e3),
    slowdown_per_s: ratePerS,
    slowdown_factor: mostly(within(0.01, 1)),
  },
  { requiredKeys: [] },
);

const peerGroup = fc.record(
  {
    count: mostly(fc.integer({ min: 0, max: 8 })),
    uplink_bps: distribution(1e15),
    rtt_ms: distribution(1e4),
    jitter_ms: mostly(within(0, 100)),
    load: mostly(within(0, 1), distribution(1)),
    failures,
    churn: fc.record(
      {
        preset: mostly(fc.constantFrom("bittorrent", "oversim"), fc.constant("nope")),
        session_s: distribution(1e4),
        downtime_s: distribution(1e4),
        time_scale: mostly(within(1e-3, 10)),
        initially_online_p: probability,
      },
      { requiredKeys: ["preset"] },
    ),
    arrivals: fc.record({ rate_per_s: mostly(within(1e-3, 10)), max_count: mostly(fc.integer({ min: 0, max: 4 })) }),
    uplink_trace: fc.oneof(
      fc.record({
        markov: fc.record({
          good_bps: mostly(wide(1e9)),
          bad_bps: mostly(within(0, 1e6)),
          mean_good_s: mostly(wide(100)),
          mean_bad_s: mostly(wide(100)),
        }),
      }),
      mostly(
        fc.oneof(
          fc.record({ file: fc.constant("traces/lte-walk.pensieve.log"), format: fc.constant("pensieve"), scale: wide(10) }),
          fc.record({ file: fc.constant("traces/4g-drive.sabre.json"), format: fc.constant("sabre"), scale: wide(10) }),
        ),
        fc.record({
          file: fc.constantFrom("/dev/zero", "/proc/self/environ", "..", "nope", "/etc/passwd", "traces/README.md"),
          format: fc.constantFrom("pensieve", "sabre"),
        }),
      ),
    ),
  },
  { requiredKeys: ["uplink_bps", "rtt_ms"] },
);

const scenario = fc.record(
  {
    name: mostly(fc.constant("hostile"), fc.oneof(fc.constantFrom("..", ".", "a/b", "x".repeat(300), "-x"), oddKey)),
    seed: mostly(fc.integer({ min: 0, max: 1000 })),
    seeds: mostly(fc.integer({ min: 1, max: 3 })),
    strategies: mostly(
      fc.array(fc.constantFrom("static", "index", "rebalance", "oracle"), { minLength: 1, maxLength: 3 }),
      fc.array(fc.oneof(oddKey, fc.constant("\u001b")), { maxLength: 2 }),
    ),
    limits: fc.record(
      {
        sim_time_s: mostly(fc.constantFrom(60, 600, 7200)),
        max_events: mostly(fc.constantFrom(100_000, 200_000)),
        max_events_per_timestamp: mostly(fc.integer({ min: 1, max: 10_000 })),
        max_nodes: mostly(fc.constantFrom(64, 1000)),
        max_sub_blocks: mostly(fc.constantFrom(4096, 100_000)),
        max_sub_blocks_per_block: mostly(fc.constantFrom(64, 4096)),
      },
      { requiredKeys: ["max_events"] },
    ),
    content: mostly(
      // Sizes that nest, with few sub-blocks: sub × per-block × blocks.
      fc
        .record({ sub: fc.integer({ min: 1, max: 1 << 16 }), perBlock: fc.integer({ min: 1, max: 64 }), blocks: fc.integer({ min: 1, max: 32 }), bitrate_bps: fc.constantFrom(0, 1_000_000, 8_000_000) })
        .map(({ sub, perBlock, blocks, bitrate_bps }) => ({ size_bytes: sub * perBlock * blocks, block_bytes: sub * perBlock, sub_block_bytes: sub, bitrate_bps })),
      fc.record({ size_bytes: edgeNumber, block_bytes: edgeNumber, sub_block_bytes: edgeNumber }),
    ),
    agent: fc.record(
      {
        downlink_bps: mostly(fc.oneof(wide(1e15).map((x) => Math.max(x, 1e6)), wide(1e15))),
        max_connections: mostly(fc.integer({ min: 1, max: 16 })),
        request_timeout_factor: mostly(within(1, 100)),
        ewma_alpha: mostly(within(0.01, 1)),
        index_weights: fc.record({ speed: mostly(wide(1e9)), rtt: mostly(wide(1e9)) }, { requiredKeys: [] }),
      },
      { requiredKeys: ["downlink_bps"] },
    ),
    network: fc.record(
      { model: fc.constantFrom("fluid", "tcp"), mss_bytes: mostly(fc.integer({ min: 1, max: 65536 })), receive_window_bytes: mostly(fc.integer({ min: 1, max: 1 << 30 })) },
      { requiredKeys: [] },
    ),
    tracker: fc.record(
      { list_size: mostly(fc.integer({ min: 1, max: 1_000_000_000 })), state_noise: mostly(within(0, 5)), rtt_ms: mostly(wide(1e4)) },
      { requiredKeys: [] },
    ),
    origin: fc.record({ uplink_bps: mostly(wide(1e15)), rtt_ms: mostly(wide(1e4)) }),
    peers: fc.array(peerGroup, { minLength: 1, maxLength: 3 }),
    sweep: fc.record({
      params: fc.dictionary(
        mostly(fc.constantFrom("agent.max_connections", "peers.0.count"), oddKey) as fc.Arbitrary<string>,
        fc.array(mostly(fc.integer({ min: 1, max: 8 })), { minLength: 1, maxLength: 3 }),
        { maxKeys: 2 },
      ),
    }),
  },
  { requiredKeys: ["name", "content", "agent", "peers", "limits"] },
);

/** Extra keys and deep values dropped into the scenario at random places. */
const extras = fc.oneof(
  { arbitrary: fc.constant([] as [string, unknown][]), weight: 10 },
  { arbitrary: fc.array(fc.tuple(oddKey, fc.oneof(deepValue, edgeNumber)), { minLength: 1, maxLength: 2 }), weight: 1 },
);

/** The YAML text of a case, in one of several styles, sometimes with anchors or a raw hostile tail. */
const caseText = fc
  .record({
    value: scenario,
    extras,
    style: fc.constantFrom({}, { collectionStyle: "flow" as const }, { indentSeq: false }),
    tail: fc.constantFrom("", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "\nextra: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]", "\nname: again\n", "\nz: !!binary aGVsbG8=\n", "\nw: &a [*a]\n"),
  })
  .map(({ value, extras, style, tail }) => {
    const object: Record<string, unknown> = { ...value };
    for (const [k, v] of extras) {
      if (k === "__proto__") Object.defineProperty(object, k, { value: v, enumerable: true, configurable: true, writable: true });
      else object[k] = v;
    }
    let text: string;
    try {
      text = stringify(object, { ...style, aliasDuplicateObjects: false });
    } catch {
      text = "name: unrepresentable\n";
    }
    return "collectionStyle" in style ? text : text + tail;
  });

function hasRawControl(text: string): boolean {
  for (const c of text) {
    const code = c.charCodeAt(0);
    if (c === "\n") continue;
    if (code <= 0x1f || (code >= 0x7f && code <= 0x9f) || (code >= 0x202a && code <= 0x202e)) return true;
  }
  return false;
}

/**
 * Checks `numRuns` generated hostile scenarios, and that some were refused and some ran; each short run stops
 * after `shortRunEvents` events at most (a case may ask for up to 1e9).
 */
export function checkHostileScenarios(numRuns: number, shortRunEvents: number): void {
  const outcomes = { refused: 0, ran: 0 };
  fc.assert(
    fc.property(caseText, (text) => {
      let loaded: ReturnType<typeof parseScenarioText> | undefined;
      try {
        loaded = parseScenarioText(text, "hostile.yaml", SCENARIOS_DIR);
      } catch (error) {
        if (!(error instanceof ScenarioError)) throw error;
        expect(hasRawControl(error.message)).toBe(false);
        for (const line of error.message.split("\n")) expect(line.length).toBeLessThan(2000);
        outcomes.refused++;
      }
      if (loaded !== undefined) {
        // A short run: what matters is that it starts and steps without breaking, not how it ends.
        const limits = loaded.scenario.limits;
        const short = {
          ...loaded,
          scenario: {
            ...loaded.scenario,
            limits: {
              ...limits,
              sim_time_s: Math.min(limits.sim_time_s, SHORT_RUN_S),
              max_events: Math.min(limits.max_events, shortRunEvents),
              max_events_per_timestamp: Math.min(limits.max_events_per_timestamp, shortRunEvents),
            },
          },
        };
        const { result } = runOne(short, { strategy: short.scenario.strategies[0], seed: short.scenario.seed });
        expect(result.error ?? "").not.toMatch(/^invariant/);
        outcomes.ran++;
      }
    }),
    { numRuns },
  );
  // The generator must exercise both sides.
  expect(outcomes.refused).toBeGreaterThan(0);
  expect(outcomes.ran).toBeGreaterThan(0);
}
