// The scenario keys of swarm mode (issue 12): viewer groups, each viewer running the real agent and serving
// what it holds to the others, the swarm-wide settings, live content and the player's maximum buffer. Every key
// here is optional without a zod default, so a single-agent scenario resolves exactly as before (summary.json
// unchanged); the defaults are applied once, in src/harness/sim-config.ts, and documented in
// docs/cli-and-scenarios.md.

import { z } from "zod";
import { Distribution } from "./distribution-schema.ts";

const positive = z.number().positive();
const nonNegative = z.number().nonnegative();

/** How a viewer (or the scenario's agent in a swarm) serves: upload slots and the cache it serves from. */
const servingFields = {
  upload_slots: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe("connections from other viewers it accepts at once (default 4); 0 serves nobody"),
  cache_bytes: z
    .number()
    .int()
    .positive()
    .optional()
    .describe("bytes of whole blocks its cache keeps for serving (default: the whole content)"),
  cache_policy: z
    .enum(["lru", "fifo"])
    .optional()
    .describe("which block a full cache evicts: the least recently stored or served (lru, default) or the first stored (fifo)"),
};

/** When a viewer leaves. */
export const Departure = z.strictObject({
  linger_s: Distribution.optional().describe(
    "seconds it stays as a seeder after its playback ended (default 0: it leaves when playback ends)",
  ),
  abandon_per_min: z
    .number()
    .min(0)
    .lt(1)
    .optional()
    .describe("probability per minute of abandoning (leaving before playback ends), a hazard while it is in the swarm (default 0)"),
});
export type Departure = z.infer<typeof Departure>;

/** Viewers arriving after t0. */
export const ViewerArrivals = z.strictObject({
  process: z
    .enum(["poisson", "decaying"])
    .describe("poisson: at rate_per_s; decaying: at rate_per_s × e^(−t/decay_s), the measured shape of a flash crowd"),
  rate_per_s: positive.describe("arrivals per second (decaying: at the group's start_s)"),
  decay_s: positive.optional().describe("decaying: the time constant τ of the rate"),
  max_count: z.number().int().min(0).optional().describe("at most this many arrivals (default 1000)"),
});
export type ViewerArrivals = z.infer<typeof ViewerArrivals>;

export const StrategyShare = z.strictObject({
  strategy: z.string().optional().describe("a strategy name; left out: the run's strategy"),
  share: positive.describe("relative share of the group's viewers"),
});

export const ViewerGroup = z.strictObject({
  name: z.string().optional(),
  count: z.number().int().min(0).default(0).describe("viewers that ask to play at start_s, all at once (a flash crowd)"),
  start_s: nonNegative.optional().describe("when the count viewers ask to play and the arrival process starts (default 0)"),
  arrivals: ViewerArrivals.optional(),
  downlink_bps: Distribution,
  uplink_bps: Distribution,
  latency_ms: Distribution.optional().describe("one-way latency to the core; RTT between two hosts = 2 × (latency_a + latency_b) (default 0)"),
  max_connections: z.number().int().positive().optional().describe("default: agent.max_connections"),
  ...servingFields,
  strategy: z.string().optional().describe("the strategy every viewer of the group runs (default: the run's strategy)"),
  strategy_mix: z
    .array(StrategyShare)
    .min(1)
    .optional()
    .describe("strategies in shares: each viewer draws one from its own stream (instead of strategy)"),
  departure: Departure.optional(),
  reserve_s: nonNegative
    .optional()
    .describe(
      "reservations (claim 27): each viewer reserves up to this long before it asks to play (uniformly in (0, reserve_s]) and prefetches the first blocks meanwhile (default 0: no reservation)",
    ),
});
export type ViewerGroup = z.infer<typeof ViewerGroup>;

/** The scenario's agent as a member of a swarm (ignored without viewers). */
export const AgentSwarmFields = {
  latency_ms: nonNegative
    .optional()
    .describe("one-way latency of the agent's host to the core: its RTT to a node is 2 × latency_ms + the node's rtt_ms (default 0)"),
  uplink_bps: nonNegative.optional().describe("in a swarm: the agent's uplink, for serving other viewers (default 0)"),
  ...servingFields,
  linger_s: nonNegative
    .optional()
    .describe("in a swarm: the agent stays this long as a seeder after its playback ended (default 0)"),
  max_buffer_s: nonNegative
    .optional()
    .describe("the player's maximum buffer: downloading pauses while this much content is buffered ahead (default 0: no limit)"),
};

/** Swarm-wide settings. */
export const Swarm = z.strictObject({
  announce_interval_s: positive.optional().describe("how often a viewer reports what it holds to the tracker (default 5)"),
  series_bin_s: positive.optional().describe("width of the bins of the egress series (default 1)"),
  reservations: z
    .strictObject({
      prefetch_blocks: z
        .number()
        .int()
        .min(0)
        .optional()
        .describe("a viewer that reserved prefetches this many first blocks before it asks to play (default 2)"),
    })
    .optional(),
});
export type Swarm = z.infer<typeof Swarm>;

/** Live content: produced at the bitrate from t0; viewers join at the live edge minus a target latency. */
export const Live = z.strictObject({
  target_latency_s: nonNegative.default(10).describe("a viewer joins this far behind the live edge"),
});
export type Live = z.infer<typeof Live>;
