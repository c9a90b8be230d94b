// Checks a scenario's explicit schedule (`schedule:`) for what zod cannot see: every node it names exists (a
// group and index within its count, an arrival of an existing peer group, the origin when there is one), a
// peer arrives at most once, and a schedule holding node events (which replace the stochastic processes over
// time) meets a scenario without such processes: no churn, arrivals, failure hazards or capacity traces.

import type { Scenario } from "./schema.ts";
import type { DraftIssue } from "./zod-issues.ts";

/** The schedule kinds that replace the stochastic processes (the others are fault windows). */
const NODE_EVENTS = new Set(["leave", "join", "arrive", "stall", "slowdown", "drop", "capacity", "downlink"]);

const LABEL = /^(peers|servers)\[(\d+)\](#|\+)(\d+)$/;

/** Why a label names no node of the scenario, or null when it names one. */
export function labelProblem(s: Scenario, label: string): string | null {
  if (label === "origin") return s.origin === null ? "the scenario has no origin" : null;
  const m = LABEL.exec(label);
  if (m === null) return "a node label: peers[g]#i, servers[g]#i, origin, or peers[g]+k";
  const [, kind, gs, sep, is] = m;
  const g = Number(gs);
  const i = Number(is);
  const groups = kind === "peers" ? s.peers : s.servers;
  if (g >= groups.length) return `${kind} has ${groups.length} group${groups.length === 1 ? "" : "s"}`;
  if (sep === "+") return kind === "peers" ? null : "only peers arrive (peers[g]+k)";
  if (i >= groups[g].count) return `${kind}[${g}] has ${groups[g].count} node${groups[g].count === 1 ? "" : "s"}`;
  return null;
}

/** The node labels of an entry (none for the downlink and the tracker). */
export function entryTargets(e: NonNullable<Scenario["schedule"]>[number]): readonly string[] {
  if (!("node" in e)) return [];
  return typeof e.node === "string" ? [e.node] : e.node;
}

export function checkSchedule(s: Scenario, out: DraftIssue[]): void {
  const schedule = s.schedule;
  if (schedule === undefined) return;
  const arrived = new Set<string>();
  schedule.forEach((e, i) => {
    const targets = entryTargets(e);
    targets.forEach((label, k) => {
      const problem = labelProblem(s, label);
      if (problem === null) return;
      const path = typeof (e as { node: unknown }).node === "string" ? ["schedule", i, "node"] : ["schedule", i, "node", k];
      const expected = "a node of the scenario";
      out.push({ path, expected, found: JSON.stringify(label), message: `expected ${expected}, found ${JSON.stringify(label)}: ${problem}` });
    });
    if (e.event === "arrive") {
      if (arrived.has(e.node)) {
        const expected = "each peer to arrive at most once";
        out.push({ path: ["schedule", i, "node"], expected, found: JSON.stringify(e.node), message: `expected ${expected}, found a second arrival of ${JSON.stringify(e.node)}` });
      }
      arrived.add(e.node);
    }
  });
  if (!schedule.some((e) => NODE_EVENTS.has(e.event))) return;
  // Node events replace the processes over time: none may be left for them to fight with.
  const clash = (path: (string | number)[], what: string) => {
    const expected = "no stochastic process over time (the schedule's node events replace them)";
    out.push({
      path,
      expected,
      found: what,
      message: `a schedule with node events replaces ${what}: remove it (sim run --record-schedule writes a scenario without them)`,
    });
  };
  const failures = (f: Scenario["peers"][number]["failures"], base: (string | number)[]) => {
    if (f.drop_per_s > 0) clash([...base, "failures", "drop_per_s"], "drop_per_s");
    if (f.stall_per_s > 0) clash([...base, "failures", "stall_per_s"], "stall_per_s");
    if (f.slowdown_per_s > 0) clash([...base, "failures", "slowdown_per_s"], "slowdown_per_s");
  };
  s.peers.forEach((g, i) => {
    if (g.churn !== undefined) clash(["peers", i, "churn"], "churn");
    if (g.arrivals !== undefined) clash(["peers", i, "arrivals"], "arrivals");
    if (g.uplink_trace !== undefined) clash(["peers", i, "uplink_trace"], "uplink_trace");
    failures(g.failures, ["peers", i]);
  });
  s.servers.forEach((g, i) => {
    if (g.uplink_trace !== undefined) clash(["servers", i, "uplink_trace"], "uplink_trace");
    failures(g.failures, ["servers", i]);
  });
  if (s.origin !== null) failures(s.origin.failures, ["origin"]);
  if (s.agent.downlink_trace !== undefined) clash(["agent", "downlink_trace"], "downlink_trace");
}
