// The one translation from a resolved scenario (snake_case keys, units in names, traces by file) into what the
// simulator and the agent take: SimConfig (src/sim/config.ts) and AgentConfig. Every unit conversion happens
// here, once, with the same arithmetic the simulator always used, so a run computes the same numbers.

import type { AgentConfig } from "../agent/config.ts";
import type { LoadedScenario } from "../scenario/load.ts";
import type { CapacityTrace, Churn, Failures, PeerGroup, Scenario, ScheduleEntry, ServerGroup } from "../scenario/schema.ts";
import type { Departure, ViewerGroup } from "../scenario/swarm-schema.ts";
import type {
  AgentSettings,
  CapacitySpec,
  ChurnConfig,
  NodeFailures,
  PeerGroupConfig,
  ScheduleEvent,
  ServerGroupConfig,
  SimConfig,
} from "../sim/config.ts";
import { churnPreset } from "../sim/random/churn-presets.ts";
import type { DepartureConfig, ServingConfig, SwarmConfig, ViewerGroupConfig } from "../sim/swarm-config.ts";
import type { Trace } from "../traces/trace.ts";

/** The scenario's agent settings (everything but the origin's node id, which the world that builds it knows). */
export function agentSettingsFor(s: Scenario): AgentSettings {
  const a = s.agent;
  return {
    content: { sizeBytes: s.content.size_bytes, blockBytes: s.content.block_bytes, subBlockBytes: s.content.sub_block_bytes },
    bitrateBps: s.content.bitrate_bps,
    maxConnections: a.max_connections,
    trackerListSize: s.tracker.list_size,
    trackerRefreshUs: Math.round(a.tracker_refresh_ms * 1000),
    trackerMinIntervalUs: Math.round(a.tracker_min_interval_ms * 1000),
    connectTimeoutUs: Math.round(a.connect_timeout_ms * 1000),
    blacklistUs: Math.round(a.blacklist_ms * 1000),
    requestTimeoutMinUs: Math.round(a.request_timeout_min_ms * 1000),
    requestTimeoutFactor: a.request_timeout_factor,
    ewmaAlpha: a.ewma_alpha,
    index: { speedWeight: a.index_weights.speed, rttWeight: a.index_weights.rtt },
    fallback: {
      whenNoPeers: a.fallback.when_no_peers,
      deadlineMarginUs: Math.round(a.fallback.deadline_margin_s * 1e6),
      originIdleCloseUs: Math.round(a.fallback.origin_idle_close_s * 1e6),
    },
    startupBufferUs: Math.round(s.content.startup_buffer_s * 1e6),
    ...(a.max_buffer_s !== undefined && a.max_buffer_s > 0 ? { maxBufferUs: Math.round(a.max_buffer_s * 1e6) } : {}),
  };
}

/** The scenario's agent configuration for an origin with this node id (null: none). */
export function agentConfigFor(s: Scenario, originNodeId: number | null): AgentConfig {
  return { ...agentSettingsFor(s), originNodeId };
}

/** A capacity trace or chain of the scenario, its trace file already read (loaded.traces). */
export function capacitySpecFor(spec: CapacityTrace, traces: ReadonlyMap<string, Trace>): CapacitySpec {
  if ("markov" in spec) {
    const m = spec.markov;
    return { kind: "markov", goodBps: m.good_bps, badBps: m.bad_bps, meanGoodS: m.mean_good_s, meanBadS: m.mean_bad_s };
  }
  const trace = traces.get(spec.file);
  if (trace === undefined) throw new Error(`trace ${spec.file} was not loaded`);
  return { kind: "trace", trace, scale: spec.scale, randomOffset: spec.random_offset };
}

function failuresFor(f: Failures): NodeFailures {
  return {
    connectRefusedP: f.connect_refused_p,
    connectTimeoutP: f.connect_timeout_p,
    dropPerS: f.drop_per_s,
    corruptP: f.corrupt_p,
    stallPerS: f.stall_per_s,
    stallS: f.stall_s,
    slowdownPerS: f.slowdown_per_s,
    slowdownFactor: f.slowdown_factor,
    slowdownS: f.slowdown_s,
  };
}

function churnFor(c: Churn, where: string): ChurnConfig {
  const preset = c.preset !== undefined ? churnPreset(c.preset) : undefined;
  const sessionS = c.session_s ?? preset?.session_s;
  const downtimeS = c.downtime_s ?? preset?.downtime_s;
  if (sessionS === undefined || downtimeS === undefined) throw new Error(`churn of ${where} needs sessions and downtimes`);
  return { sessionS, downtimeS, timeScale: c.time_scale, initiallyOnlineP: c.initially_online_p, gracefulLeaveP: c.graceful_leave_p };
}

function serverGroupFor(g: ServerGroup, traces: ReadonlyMap<string, Trace>): ServerGroupConfig {
  return {
    count: g.count,
    uplinkBps: g.uplink_bps,
    rttMs: g.rtt_ms,
    jitterUs: Math.round(g.jitter_ms * 1000),
    load: g.cpu_load,
    connectedUsers: g.connected_users,
    ...(g.uplink_trace !== undefined ? { uplinkTrace: capacitySpecFor(g.uplink_trace, traces) } : {}),
    failures: failuresFor(g.failures),
  };
}

function peerGroupFor(g: PeerGroup, gi: number, traces: ReadonlyMap<string, Trace>): PeerGroupConfig {
  return {
    count: g.count,
    uplinkBps: g.uplink_bps,
    rttMs: g.rtt_ms,
    jitterUs: Math.round(g.jitter_ms * 1000),
    load: g.load,
    ...(g.uplink_trace !== undefined ? { uplinkTrace: capacitySpecFor(g.uplink_trace, traces) } : {}),
    failures: failuresFor(g.failures),
    ...(g.churn !== undefined ? { churn: churnFor(g.churn, `peers[${gi}]`) } : {}),
    ...(g.arrivals !== undefined ? { arrivals: { ratePerS: g.arrivals.rate_per_s, maxCount: g.arrivals.max_count } } : {}),
  };
}

// ---- swarm mode: the defaults of the optional keys (src/scenario/swarm-schema.ts) are applied here, once -------

/** Default of upload_slots. */
export const DEFAULT_UPLOAD_SLOTS = 4;
/** Default of swarm.announce_interval_s. */
export const DEFAULT_ANNOUNCE_INTERVAL_S = 5;
/** Default of swarm.series_bin_s. */
export const DEFAULT_SERIES_BIN_S = 1;
/** Default of swarm.reservations.prefetch_blocks. */
export const DEFAULT_PREFETCH_BLOCKS = 2;
/** Default of viewers[].arrivals.max_count. */
export const DEFAULT_VIEWER_ARRIVALS = 1000;

function servingFor(
  g: { upload_slots?: number; cache_bytes?: number; cache_policy?: "lru" | "fifo" },
  s: Scenario,
): ServingConfig {
  return {
    uploadSlots: g.upload_slots ?? DEFAULT_UPLOAD_SLOTS,
    cacheBytes: g.cache_bytes ?? s.content.size_bytes,
    cachePolicy: g.cache_policy ?? "lru",
  };
}

function departureFor(d: Departure | undefined): DepartureConfig {
  return { lingerS: d?.linger_s ?? 0, abandonPerMin: d?.abandon_per_min ?? 0 };
}

function viewerGroupFor(g: ViewerGroup, gi: number, s: Scenario): ViewerGroupConfig {
  const a = g.arrivals;
  return {
    name: g.name ?? `viewers[${gi}]`,
    count: g.count,
    startUs: Math.round((g.start_s ?? 0) * 1e6),
    ...(a !== undefined
      ? {
          arrivals: {
            process: a.process,
            ratePerS: a.rate_per_s,
            decayS: a.decay_s ?? Number.POSITIVE_INFINITY,
            maxCount: a.max_count ?? DEFAULT_VIEWER_ARRIVALS,
          },
        }
      : {}),
    downlinkBps: g.downlink_bps,
    uplinkBps: g.uplink_bps,
    latencyMs: g.latency_ms ?? 0,
    maxConnections: g.max_connections ?? s.agent.max_connections,
    serving: servingFor(g, s),
    strategies:
      g.strategy_mix !== undefined
        ? g.strategy_mix.map((m) => ({ strategy: m.strategy ?? null, share: m.share }))
        : [{ strategy: g.strategy ?? null, share: 1 }],
    departure: departureFor(g.departure),
    reserveUs: Math.round((g.reserve_s ?? 0) * 1e6),
  };
}

/** Swarm mode's configuration, or null for a single-agent scenario (no `viewers` key). */
export function swarmConfigFor(s: Scenario): SwarmConfig | null {
  if (s.viewers === undefined) return null;
  const w = s.swarm;
  return {
    agent: { uplinkBps: s.agent.uplink_bps ?? 0, serving: servingFor(s.agent, s), lingerS: s.agent.linger_s ?? 0 },
    groups: s.viewers.map((g, gi) => viewerGroupFor(g, gi, s)),
    announceIntervalUs: Math.round((w?.announce_interval_s ?? DEFAULT_ANNOUNCE_INTERVAL_S) * 1e6),
    seriesBinUs: Math.round((w?.series_bin_s ?? DEFAULT_SERIES_BIN_S) * 1e6),
    prefetchBlocks: w?.reservations?.prefetch_blocks ?? DEFAULT_PREFETCH_BLOCKS,
  };
}

const us = (s: number) => Math.round(s * 1e6);
const usOrNull = (s: number | undefined) => (s === undefined ? null : us(s));

/** A schedule entry of the scenario in the simulator's terms (integer µs, node lists). */
export function scheduleEventFor(e: ScheduleEntry): ScheduleEvent {
  const atUs = us(e.at_s);
  switch (e.event) {
    case "downlink":
      return { kind: "downlink", atUs, downlinkBps: e.downlink_bps };
    case "tracker-down":
      return { kind: "tracker-down", atUs, durationUs: usOrNull(e.for_s) };
    case "arrive":
      return { kind: "arrive", atUs, nodes: [e.node] };
    default:
      break;
  }
  const nodes = typeof e.node === "string" ? [e.node] : [...e.node];
  switch (e.event) {
    case "leave":
      return { kind: "leave", atUs, nodes, graceful: e.graceful };
    case "join":
      return { kind: "join", atUs, nodes };
    case "stall":
      return { kind: "stall", atUs, nodes, durationUs: usOrNull(e.for_s) };
    case "slowdown":
      return { kind: "slowdown", atUs, nodes, factor: e.factor, durationUs: usOrNull(e.for_s) };
    case "drop":
      return { kind: "drop", atUs, nodes };
    case "refuse":
    case "ignore":
      return { kind: e.event, atUs, nodes, durationUs: usOrNull(e.for_s) };
    case "corrupt":
      return { kind: "corrupt", atUs, nodes, nth: e.nth };
    case "capacity":
      return { kind: "capacity", atUs, nodes, uplinkBps: e.uplink_bps };
  }
}

/** The simulator's configuration of a loaded scenario. */
export function simConfigFor(loaded: LoadedScenario): SimConfig {
  const s = loaded.scenario;
  const traces = loaded.traces;
  return {
    name: s.name,
    limits: {
      endTimeUs: Math.round(s.limits.sim_time_s * 1e6),
      maxEvents: s.limits.max_events,
      maxEventsPerTimestamp: s.limits.max_events_per_timestamp,
    },
    content: { sizeBytes: s.content.size_bytes, blockBytes: s.content.block_bytes, subBlockBytes: s.content.sub_block_bytes },
    bitrateBps: s.content.bitrate_bps,
    startupBufferUs: Math.round(s.content.startup_buffer_s * 1e6),
    downlinkBps: s.agent.downlink_bps,
    ...(s.agent.downlink_trace !== undefined ? { downlinkTrace: capacitySpecFor(s.agent.downlink_trace, traces) } : {}),
    agentLatencyUs: Math.round((s.agent.latency_ms ?? 0) * 1000),
    agent: agentSettingsFor(s),
    network: {
      model: s.network.model,
      efficiency: s.network.efficiency,
      initialWindowBytes: s.network.initial_window_segments * s.network.mss_bytes,
      receiveWindowBytes: s.network.receive_window_bytes,
      idleRestartUs: Math.round(s.network.idle_restart_ms * 1000),
    },
    tracker: {
      listSize: s.tracker.list_size,
      stateNoise: s.tracker.state_noise,
      stateStalenessUs: s.tracker.state_staleness_s * 1e6,
      rttUs: Math.round(s.tracker.rtt_ms * 1000),
    },
    origin:
      s.origin === null
        ? null
        : { uplinkBps: s.origin.uplink_bps, rttUs: Math.round(s.origin.rtt_ms * 1000), failures: failuresFor(s.origin.failures) },
    servers: s.servers.map((g) => serverGroupFor(g, traces)),
    peers: s.peers.map((g, gi) => peerGroupFor(g, gi, traces)),
    live: s.content.live !== undefined ? { targetLatencyUs: Math.round(s.content.live.target_latency_s * 1e6) } : null,
    swarm: swarmConfigFor(s),
    ...(s.schedule !== undefined ? { schedule: s.schedule.map(scheduleEventFor) } : {}),
  };
}
