// A recorded world as a scenario file: the scenario as the user wrote it, with its stochastic processes over
// time (churn, arrivals, failure hazards, capacity traces) taken out and the node events they produced written
// as its `schedule:`, for one seed. Per-interaction draws (a connection refused or unanswered, a corrupt
// sub-block, request jitter, the tracker's samples) stay with the seed, which the file keeps, so the file
// replays the recorded run exactly (same fingerprint) for every strategy whose run ends by the time the
// recording reached. Also the way back (scheduleEntryOf) for the shrinker, which edits schedules as events.

import { Document, isMap, isScalar, visit } from "yaml";
import type { ScheduleEvent } from "../sim/config.ts";

/** First line of every scenario file sim writes: a file without it is not the tool's to overwrite. */
export const WRITTEN_BY_SIM = "# Written by sim";

/** A schedule event as a `schedule:` entry of a scenario file (seconds, snake_case; one node as a string). */
export function scheduleEntryOf(e: ScheduleEvent): Record<string, unknown> {
  const out: Record<string, unknown> = { at_s: e.atUs / 1e6, event: e.kind };
  if ("nodes" in e) out.node = e.nodes.length === 1 ? e.nodes[0] : [...e.nodes];
  switch (e.kind) {
    case "leave":
      out.graceful = e.graceful;
      break;
    case "slowdown":
      out.factor = e.factor;
      break;
    case "corrupt":
      out.nth = e.nth;
      break;
    case "capacity":
      out.uplink_bps = e.uplinkBps;
      break;
    case "downlink":
      out.downlink_bps = e.downlinkBps;
      break;
    default:
      break;
  }
  if ("durationUs" in e && e.durationUs !== null) out.for_s = e.durationUs / 1e6;
  return out;
}

const clone = <T>(x: T): T => structuredClone(x);
const asRecord = (x: unknown): Record<string, unknown> | undefined =>
  x !== null && typeof x === "object" && !Array.isArray(x) ? (x as Record<string, unknown>) : undefined;

/** Failure keys of a process over time (the per-interaction ones stay). */
const HAZARD_KEYS = ["drop_per_s", "stall_per_s", "stall_s", "slowdown_per_s", "slowdown_factor", "slowdown_s"];

/** A copy of a raw scenario (as parsed from YAML) without processes over time, sweeps or an old schedule's node events. */
export function withoutProcesses(raw: unknown): Record<string, unknown> {
  const s = clone(asRecord(raw) ?? {});
  const dropHazards = (group: Record<string, unknown> | undefined) => {
    const f = asRecord(group?.failures);
    if (f !== undefined) for (const k of HAZARD_KEYS) delete f[k];
  };
  for (const key of ["peers", "servers"]) {
    const groups = s[key];
    if (!Array.isArray(groups)) continue;
    for (const g of groups) {
      const group = asRecord(g);
      if (group === undefined) continue;
      delete group.churn;
      delete group.arrivals;
      delete group.uplink_trace;
      dropHazards(group);
    }
  }
  dropHazards(asRecord(s.origin));
  const agent = asRecord(s.agent);
  if (agent !== undefined) delete agent.downlink_trace;
  delete s.sweep;
  return s;
}

export interface RecordedScenarioOptions {
  readonly seed: number;
  readonly events: readonly ScheduleEvent[];
  /** Fault windows of the source's own schedule (they are not recorded as events): kept as they were. */
  readonly keptEntries?: readonly unknown[];
  /** The new scenario name; default the source's with "-recorded". */
  readonly name?: string;
  /** Strategies the file lists; default the source's. */
  readonly strategies?: readonly string[];
}

/** The raw scenario of a recording (a plain object, ready for scenarioYaml). */
export function recordedScenario(raw: unknown, o: RecordedScenarioOptions): Record<string, unknown> {
  const s = withoutProcesses(raw);
  const name = o.name ?? `${typeof s.name === "string" ? s.name : "scenario"}-recorded`;
  const out: Record<string, unknown> = { name };
  for (const [k, v] of Object.entries(s)) if (k !== "name" && k !== "schedule") out[k] = v;
  out.seed = o.seed;
  out.seeds = 1;
  if (o.strategies !== undefined) out.strategies = [...o.strategies];
  out.schedule = [...o.events.map(scheduleEntryOf), ...(o.keptEntries ?? [])];
  return out;
}

/**
 * The YAML text of a scenario sim writes: the marker line, the comment, then the scenario, each small mapping of
 * plain values (a distribution, a schedule entry) on one line.
 */
export function scenarioYaml(scenario: Record<string, unknown>, comment: readonly string[]): string {
  const doc = new Document(scenario);
  visit(doc, {
    Map(_key, node) {
      if (isMap(node) && node.items.length <= 6 && node.items.every((p) => isScalar(p.value))) node.flow = true;
    },
  });
  const schedule = doc.get("schedule") as { items?: { flow?: boolean }[] } | undefined;
  for (const item of schedule?.items ?? []) item.flow = true;
  doc.commentBefore = [WRITTEN_BY_SIM.slice(2), ...comment].map((l) => ` ${l}`).join("\n");
  return doc.toString({ lineWidth: 0 });
}
