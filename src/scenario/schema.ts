// The scenario schema: every key a scenario file may hold, its unit (always in the key's name), its default.
// zod validates; scripts/gen-schema.ts turns this into scenarios/schema.json for editors.

import { z } from "zod";
import { Distribution } from "./distribution-schema.ts";
import { AgentSwarmFields, Live, Swarm, ViewerGroup } from "./swarm-schema.ts";
import { LIMIT_CEILINGS, LIMIT_DEFAULTS, MAX_NAME_CHARS, MAX_SEEDS } from "../input/limit-values.ts";

const positive = z.number().positive();
const nonNegative = z.number().nonnegative();
const probability = z.number().min(0).max(1);

export { Distribution } from "./distribution-schema.ts";

/** An optional `limits:` key bounding work: a positive integer up to its ceiling, the default when unset. */
function limitKey(key: keyof typeof LIMIT_DEFAULTS, what: string) {
  return z
    .number()
    .int()
    .positive()
    .max(LIMIT_CEILINGS[key])
    .optional()
    .describe(`${what} (default ${LIMIT_DEFAULTS[key]}, at most ${LIMIT_CEILINGS[key]})`);
}

/** Time-varying capacity: a trace file (replayed from a per-node random offset, wrapping) or a Markov chain. */
export const CapacityTrace = z.union([
  z.strictObject({
    file: z.string().min(1).describe("path relative to the scenario file"),
    format: z.enum(["pensieve", "sabre"]),
    scale: positive.default(1).describe("multiplies every bandwidth sample"),
    random_offset: z.boolean().default(true).describe("start each node at its own random point of the trace"),
  }),
  z.strictObject({
    markov: z.strictObject({
      good_bps: positive,
      bad_bps: nonNegative,
      mean_good_s: positive,
      mean_bad_s: positive,
    }),
  }),
]);
export type CapacityTrace = z.infer<typeof CapacityTrace>;

export const ChurnPreset = z.enum(["bittorrent", "bittorrent-debian", "bittorrent-redhat", "bittorrent-flatout", "oversim"]);

export const Churn = z.strictObject({
  preset: ChurnPreset.optional().describe("session and downtime distributions from measurement studies"),
  session_s: Distribution.optional().describe("length of an online session"),
  downtime_s: Distribution.optional().describe("length of an offline period"),
  time_scale: positive.default(1).describe("multiplies every session and downtime (compress hours into minutes)"),
  initially_online_p: probability.default(1),
  graceful_leave_p: probability.default(0.5).describe("a graceful leave finishes the sub-block in flight, then disconnects"),
});
export type Churn = z.infer<typeof Churn>;

export const Failures = z.strictObject({
  connect_refused_p: probability.default(0),
  connect_timeout_p: probability.default(0).describe("the node never answers a connection attempt"),
  drop_per_s: nonNegative.default(0).describe("hazard of a mid-transfer connection reset while sending"),
  corrupt_p: probability.default(0).describe("probability a delivered sub-block fails its checksum"),
  stall_per_s: nonNegative.default(0).describe("hazard of a stall: the node keeps the connection but stops sending"),
  stall_s: Distribution.default(10),
  slowdown_per_s: nonNegative.default(0).describe("hazard of a temporary slow-down"),
  slowdown_factor: z.number().gt(0).max(1).default(0.25),
  slowdown_s: Distribution.default(5),
});
export type Failures = z.infer<typeof Failures>;

const nodeFields = {
  name: z.string().optional(),
  count: z.number().int().min(0).default(1),
  uplink_bps: Distribution,
  rtt_ms: Distribution,
  jitter_ms: nonNegative.default(0).describe("each request's first byte is delayed by an extra U[0, jitter_ms]"),
  uplink_trace: CapacityTrace.optional().describe(
    "time-varying uplink: the trace (× scale) replaces uplink_bps; the tracker reports it, stale by state_staleness_s",
  ),
  failures: Failures.prefault({}),
};

export const PeerGroup = z.strictObject({
  ...nodeFields,
  load: Distribution.default(0).describe("upload utilisation in [0, 1] the peer reports to the tracker"),
  churn: Churn.optional(),
  arrivals: z
    .strictObject({
      rate_per_s: positive.describe("Poisson arrival rate of new peers of this group"),
      max_count: z.number().int().min(0).default(1000),
    })
    .optional(),
});
export type PeerGroup = z.infer<typeof PeerGroup>;

export const ServerGroup = z.strictObject({
  ...nodeFields,
  cpu_load: Distribution.default(0).describe("CPU load in [0, 1]; the server gives (1 - cpu_load) of its share"),
  connected_users: Distribution.default(0).describe("other users; the server's uplink is shared with them"),
});
export type ServerGroup = z.infer<typeof ServerGroup>;

/** One node (its label: `peers[1]#4`, `servers[0]#0`, `origin`, `peers[0]+2`) or several. */
const Targets = z
  .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
  .describe("a node's label (peers[g]#i, servers[g]#i, origin, or peers[g]+k for the k-th arrival of group g) or a list of them");
const at_s = nonNegative.describe("when, seconds from the start");
const for_s = positive.optional().describe("how long, seconds (absent: to the end of the run)");

/** A timed world event of an explicit schedule (docs/cli-and-scenarios.md, "Explicit schedules"). */
export const ScheduleEntry = z.union([
  z.strictObject({
    at_s,
    event: z.literal("leave"),
    node: Targets,
    graceful: z.boolean().default(false).describe("a graceful leave finishes the sub-block in flight, then disconnects"),
  }),
  z.strictObject({ at_s, event: z.literal("join"), node: Targets }),
  z.strictObject({
    at_s,
    event: z.literal("arrive"),
    node: z.string().regex(/^peers\[\d+\]\+\d+$/, "peers[g]+k").describe("the new peer: peers[g]+k, the k-th arrival of group g"),
  }),
  z.strictObject({ at_s, event: z.literal("stall"), node: Targets, for_s }),
  z.strictObject({
    at_s,
    event: z.literal("slowdown"),
    node: Targets,
    factor: z.number().gt(0).max(1).describe("share of its uplink the node keeps"),
    for_s,
  }),
  z.strictObject({ at_s, event: z.literal("drop"), node: Targets }),
  z.strictObject({ at_s, event: z.literal("refuse"), node: Targets, for_s }),
  z.strictObject({ at_s, event: z.literal("ignore"), node: Targets, for_s }),
  z.strictObject({
    at_s,
    event: z.literal("corrupt"),
    node: Targets,
    nth: z.number().int().positive().default(1).describe("the nth sub-block the node delivers from at_s on fails its checksum"),
  }),
  z.strictObject({ at_s, event: z.literal("capacity"), node: Targets, uplink_bps: nonNegative }),
  z.strictObject({ at_s, event: z.literal("downlink"), downlink_bps: positive }),
  z.strictObject({ at_s, event: z.literal("tracker-down"), for_s }),
]);
export type ScheduleEntry = z.infer<typeof ScheduleEntry>;

export const Scenario = z.strictObject({
  name: z
    .string()
    .max(MAX_NAME_CHARS)
    .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, "a file-name segment: letters, digits, '.', '_' or '-', not starting with '.' or '-'"),
  description: z.string().default(""),
  seed: z.number().int().min(0).default(1),
  seeds: z.number().int().min(1).max(MAX_SEEDS).default(1),
  strategies: z.array(z.string()).min(1).default(["static", "index", "rebalance"]),
  limits: z
    .strictObject({
      sim_time_s: positive.default(7200).describe("a run still going at this simulated time fails"),
      // Bounds on the work and memory a scenario may ask for, checked before anything runs (src/scenario/limits.ts,
      // docs/cli-and-scenarios.md). Unset means the default (left out of the resolved scenario, so setting none
      // changes no output); a scenario may raise each up to its ceiling.
      max_nodes: limitKey("max_nodes", "most nodes: peers (count + arrivals.max_count), servers and the origin"),
      max_sub_blocks: limitKey("max_sub_blocks", "most sub-blocks in the content"),
      max_sub_blocks_per_block: limitKey("max_sub_blocks_per_block", "most sub-blocks in one block"),
      max_runs: limitKey("max_runs", "most runs one command starts: sweep points × strategies × seeds"),
      max_trace_bytes: limitKey("max_trace_bytes", "largest trace file read, in bytes"),
      max_events: z.number().int().positive().default(50_000_000),
      max_events_per_timestamp: z.number().int().positive().default(100_000).describe("livelock guard"),
      wall_s: positive
        .max(2_000_000)
        .default(300)
        .describe("a run still going after this many seconds of real (wall-clock) time is stopped and fails; --wall-s overrides"),
    })
    .prefault({}),
  content: z.strictObject({
    size_bytes: z.number().int().positive(),
    block_bytes: z.number().int().positive(),
    sub_block_bytes: z.number().int().positive(),
    bitrate_bps: nonNegative.default(0).describe("0: a plain download, no player"),
    startup_buffer_s: nonNegative.default(2).describe("seconds of content buffered before playback starts"),
    live: Live.optional().describe("live content: produced at the bitrate from t0 (needs bitrate_bps); absent: video on demand"),
  }),
  agent: z.strictObject({
    downlink_bps: positive,
    downlink_trace: CapacityTrace.optional().describe("time-varying downlink: the trace (× scale) replaces downlink_bps"),
    max_connections: z.number().int().positive().default(8),
    connect_timeout_ms: positive.default(3000),
    blacklist_ms: nonNegative.default(30_000),
    request_timeout_min_ms: positive
      .default(2000)
      .describe(
        "floor of the stall budget: a connection holding work that delivers nothing for max(request_timeout_min_ms, request_timeout_factor × (estimated RTT + its next sub-block at its estimated rate)) is dropped and its node blacklisted",
      ),
    request_timeout_factor: z
      .number()
      .min(1)
      .default(4)
      .describe("multiplies a connection's expected time to its next sub-block in its stall budget (see request_timeout_min_ms)"),
    tracker_refresh_ms: positive.default(5000).describe("how often the agent asks the tracker for a fresh node list"),
    tracker_min_interval_ms: positive
      .default(1000)
      .describe("below max_connections with no known node left to try, the agent asks the tracker at once if it last asked at least this long ago"),
    ewma_alpha: z.number().gt(0).max(1).default(0.3),
    index_weights: z
      .strictObject({ speed: nonNegative.default(0.8), rtt: nonNegative.default(0.2) })
      .prefault({}),
    fallback: z
      .strictObject({
        when_no_peers: z.boolean().default(true),
        deadline_margin_s: nonNegative.default(0).describe("0 turns deadline fallback off"),
        origin_idle_close_s: nonNegative
          .default(30)
          .describe("the origin connection stays open, unused, this long after the fallback that needed it; 0 closes it at once"),
      })
      .prefault({}),
    ...AgentSwarmFields,
  }),
  network: z
    .strictObject({
      model: z.enum(["fluid", "tcp"]).default("fluid"),
      efficiency: z.number().gt(0).max(1).default(0.95).describe("tcp: payload share of link capacity"),
      initial_window_segments: z.number().int().positive().default(10),
      mss_bytes: z.number().int().positive().default(1448),
      receive_window_bytes: z.number().int().positive().default(4 * 1024 * 1024),
      idle_restart_ms: positive.default(1000).describe("tcp: slow-start restart after this idle time"),
    })
    .prefault({}),
  tracker: z
    .strictObject({
      list_size: z.number().int().positive().default(20),
      state_noise: nonNegative.default(0).describe("reported uplink × lognormal(0, state_noise)"),
      state_staleness_s: nonNegative.default(0).describe("reported state is this old (capacity traces)"),
      rtt_ms: nonNegative.default(50),
    })
    .prefault({}),
  origin: z
    .strictObject({
      uplink_bps: positive,
      rtt_ms: nonNegative,
      failures: Failures.prefault({}),
    })
    .nullable()
    .default(null),
  servers: z.array(ServerGroup).default([]),
  peers: z.array(PeerGroup).default([]),
  viewers: z
    .array(ViewerGroup)
    .optional()
    .describe("swarm mode: groups of viewers, each running the agent and serving the others what it holds"),
  swarm: Swarm.optional().describe("swarm-wide settings (with viewers)"),
  schedule: z
    .array(ScheduleEntry)
    .optional()
    .describe(
      "explicit world events; node events (leave, join, arrive, stall, slowdown, drop, capacity, downlink) replace churn, arrivals, failure hazards and capacity traces, which the scenario must then not have",
    ),
  sweep: z
    .strictObject({
      params: z.record(z.string(), z.array(z.union([z.number(), z.string(), z.boolean()])).min(1)),
    })
    .optional(),
});
export type ScenarioInput = z.input<typeof Scenario>;
/** A scenario with every default filled in: what the harness runs and what summary.json records. */
export type Scenario = z.infer<typeof Scenario>;
