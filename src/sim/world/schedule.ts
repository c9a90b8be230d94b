// An explicit schedule of world events as the world's source of node dynamics, beside the stochastic one
// (dynamics.ts), and the fault windows a schedule may add to any world.
//
// Node events (leave, join, arrive, stall, slowdown, drop, capacity, downlink) replace the stochastic processes:
// each node's events of one process (churn: leave and join; each episode kind; drops; capacity) are replayed in
// time order through the same kernel event kinds, with the same payloads, scheduled at the same moments of
// processing as dynamics.ts schedules its own (a node's first event when it starts, each next one while the
// previous is processed). So a schedule recorded from a stochastic run (schedule-record.ts) replays that run
// event for event: the same fingerprint, whatever the strategy, up to the end of the recording.
//   - A node's first churn event at or before its start (0 s, or its arrival) is applied as it starts (a leave:
//     it starts offline), as dynamics.ts does with a node not initially online; the next ones are events.
//   - A node's first capacity event at or before its start is applied as it starts; the downlink's likewise.
//   - Episodes (stall, slowdown) of one kind on one node do not overlap: the next starts at the earliest when
//     the previous one ends. An episode without a duration lasts to the end of the run, and so the node's later
//     episodes of that kind never come.
//   - An event for a node that does not exist (a peer whose arrival is not in the schedule) never happens.
// Fault windows (ScheduleFaults) are asked by the world when the agent connects, a sub-block arrives, or the
// agent asks the tracker; they draw nothing, so the seed's per-interaction draws stay where they were.

import type { NodeGroupConfig, ScheduleEvent } from "../config.ts";
import type { Kernel } from "../kernel/kernel.ts";
import type { DynamicsHost, WorldDynamics } from "./dynamics.ts";
import type { SimNode } from "./nodes.ts";

/** The kinds of events that replace the stochastic processes (the others are fault windows). */
export const NODE_EVENT_KINDS: ReadonlySet<ScheduleEvent["kind"]> = new Set([
  "leave",
  "join",
  "arrive",
  "stall",
  "slowdown",
  "drop",
  "capacity",
  "downlink",
]);

/** Does the schedule hold node events (then it replaces the stochastic processes)? */
export function hasNodeEvents(schedule: readonly ScheduleEvent[] | undefined): boolean {
  return schedule !== undefined && schedule.some((e) => NODE_EVENT_KINDS.has(e.kind));
}

/** `peers[g]+k` → [g, k], or null for any other label. */
export function arrivalLabel(label: string): readonly [number, number] | null {
  const m = /^peers\[(\d+)\]\+(\d+)$/.exec(label);
  return m === null ? null : [Number(m[1]), Number(m[2])];
}

interface ChurnStep {
  readonly atUs: number;
  readonly leave: boolean;
  readonly graceful: boolean;
}
interface EpisodeStep {
  readonly atUs: number;
  /** Stall: 0; slow-down: the factor. */
  readonly factor: number;
  readonly durationUs: number | null;
}
interface ValueStep {
  readonly atUs: number;
  readonly bps: number;
}

/** One node's events, by process, each in time order. */
interface NodeSteps {
  readonly churn: ChurnStep[];
  readonly stall: EpisodeStep[];
  readonly slowdown: EpisodeStep[];
  readonly drop: number[];
  readonly capacity: ValueStep[];
}

/** Where a started node is in each of its processes. */
interface NodeCursor {
  readonly steps: NodeSteps;
  churn: number;
  stall: number;
  slowdown: number;
  drop: number;
  capacity: number;
}

const byTime = <T extends { atUs: number }>(a: T, b: T) => a.atUs - b.atUs;

export class ScheduleDynamics implements WorldDynamics {
  private readonly kChurn: number;
  private readonly kArrival: number;
  private readonly kStallStart: number;
  private readonly kStallEnd: number;
  private readonly kSlowStart: number;
  private readonly kSlowEnd: number;
  private readonly kDrop: number;
  private readonly kCapacity: number;
  private readonly steps = new Map<string, NodeSteps>();
  /** Arrivals by peer group: when, and the arrival's number k (its label `peers[g]+k`, its streams). */
  private readonly arrivals = new Map<number, { atUs: number; k: number }[]>();
  private readonly arrivalCursor = new Map<number, number>();
  private readonly downlink: ValueStep[] = [];
  private downlinkCursor = 0;
  /** By node id, once the node started. */
  private readonly cursors: (NodeCursor | undefined)[] = [];

  constructor(
    private readonly kernel: Kernel,
    schedule: readonly ScheduleEvent[],
    private readonly nodes: readonly SimNode[],
    private readonly host: DynamicsHost,
  ) {
    const k = kernel;
    // The kinds of dynamics.ts, registered in its order (their ids enter the fingerprint).
    this.kChurn = k.registerKind("churn", (id) => this.onChurn(id));
    this.kArrival = k.registerKind("peer-arrival", (gi) => this.onArrival(gi));
    this.kStallStart = k.registerKind("stall-start", (id) => this.onEpisodeStart(id, true));
    this.kStallEnd = k.registerKind("stall-end", (id) => this.onEpisodeEnd(id, true));
    this.kSlowStart = k.registerKind("slowdown-start", (id) => this.onEpisodeStart(id, false));
    this.kSlowEnd = k.registerKind("slowdown-end", (id) => this.onEpisodeEnd(id, false));
    this.kDrop = k.registerKind("drop", (id) => this.onDrop(id));
    this.kCapacity = k.registerKind("capacity-step", (id) => this.onCapacity(id));
    for (const e of schedule) this.index(e);
    for (const s of this.steps.values()) {
      s.churn.sort(byTime);
      s.stall.sort(byTime);
      s.slowdown.sort(byTime);
      s.drop.sort((a, b) => a - b);
      s.capacity.sort(byTime);
    }
    for (const list of this.arrivals.values()) list.sort(byTime);
    this.downlink.sort(byTime);
  }

  private stepsOf(label: string): NodeSteps {
    let s = this.steps.get(label);
    if (s === undefined) {
      s = { churn: [], stall: [], slowdown: [], drop: [], capacity: [] };
      this.steps.set(label, s);
    }
    return s;
  }

  private index(e: ScheduleEvent): void {
    switch (e.kind) {
      case "leave":
      case "join":
        for (const n of e.nodes) this.stepsOf(n).churn.push({ atUs: e.atUs, leave: e.kind === "leave", graceful: e.kind === "leave" && e.graceful });
        return;
      case "arrive":
        for (const n of e.nodes) {
          const gk = arrivalLabel(n);
          if (gk === null) continue; // the scenario's checks refuse it
          const list = this.arrivals.get(gk[0]) ?? [];
          list.push({ atUs: e.atUs, k: gk[1] });
          this.arrivals.set(gk[0], list);
        }
        return;
      case "stall":
        for (const n of e.nodes) this.stepsOf(n).stall.push({ atUs: e.atUs, factor: 0, durationUs: e.durationUs });
        return;
      case "slowdown":
        for (const n of e.nodes) this.stepsOf(n).slowdown.push({ atUs: e.atUs, factor: e.factor, durationUs: e.durationUs });
        return;
      case "drop":
        for (const n of e.nodes) this.stepsOf(n).drop.push(e.atUs);
        return;
      case "capacity":
        for (const n of e.nodes) this.stepsOf(n).capacity.push({ atUs: e.atUs, bps: e.uplinkBps });
        return;
      case "downlink":
        this.downlink.push({ atUs: e.atUs, bps: e.downlinkBps });
        return;
      default:
        return; // fault windows: ScheduleFaults
    }
  }

  /** As dynamics.ts: arrivals, the downlink, then the origin's and servers' processes. */
  start(): void {
    for (const [gi, list] of [...this.arrivals.entries()].sort((a, b) => a[0] - b[0])) {
      this.arrivalCursor.set(gi, 0);
      if (list.length > 0) this.at(list[0].atUs, this.kArrival, gi);
    }
    if (this.downlink.length > 0) {
      if (this.downlink[0].atUs <= this.kernel.nowUs) this.host.setDownlink(this.downlink[this.downlinkCursor++].bps);
      if (this.downlinkCursor < this.downlink.length) this.at(this.downlink[this.downlinkCursor].atUs, this.kCapacity, -1);
    }
    for (const node of this.nodes) if (node.kind !== "peer") this.startNode(node);
  }

  /** A node's processes, in dynamics.ts's order: churn, stalls, slow-downs, drops, capacity. */
  startNode(node: SimNode, _group?: NodeGroupConfig): void {
    const steps = this.steps.get(node.label);
    if (steps === undefined) return;
    const c: NodeCursor = { steps, churn: 0, stall: 0, slowdown: 0, drop: 0, capacity: 0 };
    this.cursors[node.id] = c;
    const now = this.kernel.nowUs;
    const id = node.id;
    if (steps.churn.length > 0 && steps.churn[0].atUs <= now) {
      const first = steps.churn[c.churn++];
      if (first.leave) this.host.nodeLeaves(node, first.graceful);
      else this.host.nodeJoins(node);
    }
    if (c.churn < steps.churn.length) this.at(steps.churn[c.churn].atUs, this.kChurn, id);
    if (steps.stall.length > 0) this.at(steps.stall[0].atUs, this.kStallStart, id);
    if (steps.slowdown.length > 0) this.at(steps.slowdown[0].atUs, this.kSlowStart, id);
    if (steps.drop.length > 0) this.at(steps.drop[0], this.kDrop, id);
    if (steps.capacity.length > 0) {
      if (steps.capacity[0].atUs <= now) this.host.setNodeUplink(node, steps.capacity[c.capacity++].bps);
      if (c.capacity < steps.capacity.length) this.at(steps.capacity[c.capacity].atUs, this.kCapacity, id);
    }
  }

  /** Schedules at atUs, or now if that is past. */
  private at(atUs: number, kind: number, a: number): void {
    this.kernel.schedule(Math.max(atUs, this.kernel.nowUs), kind, a);
  }

  private onChurn(id: number): void {
    const c = this.cursors[id]!;
    const step = c.steps.churn[c.churn++];
    const node = this.nodes[id];
    if (step.leave) this.host.nodeLeaves(node, step.graceful);
    else this.host.nodeJoins(node);
    if (c.churn < c.steps.churn.length) this.at(c.steps.churn[c.churn].atUs, this.kChurn, id);
  }

  private onArrival(gi: number): void {
    const list = this.arrivals.get(gi)!;
    const i = this.arrivalCursor.get(gi)!;
    this.arrivalCursor.set(gi, i + 1);
    const k = list[i].k;
    this.host.addPeer(gi, `peers/${gi}/arrived/${k}`, `peers[${gi}]+${k}`);
    if (i + 1 < list.length) this.at(list[i + 1].atUs, this.kArrival, gi);
  }

  private onEpisodeStart(id: number, stall: boolean): void {
    const c = this.cursors[id]!;
    const step = stall ? c.steps.stall[c.stall] : c.steps.slowdown[c.slowdown];
    const node = this.nodes[id];
    if (stall) node.stallFactor = 0;
    else node.slowFactor = step.factor;
    this.host.episode?.(node, stall ? "stall" : "slowdown", true);
    this.host.refreshCapacity(node);
    if (step.durationUs !== null) this.kernel.after(step.durationUs, stall ? this.kStallEnd : this.kSlowEnd, id);
  }

  private onEpisodeEnd(id: number, stall: boolean): void {
    const c = this.cursors[id]!;
    const node = this.nodes[id];
    if (stall) node.stallFactor = 1;
    else node.slowFactor = 1;
    this.host.episode?.(node, stall ? "stall" : "slowdown", false);
    this.host.refreshCapacity(node);
    const list = stall ? c.steps.stall : c.steps.slowdown;
    const next = stall ? ++c.stall : ++c.slowdown;
    if (next < list.length) this.at(list[next].atUs, stall ? this.kStallStart : this.kSlowStart, id);
  }

  private onDrop(id: number): void {
    const c = this.cursors[id]!;
    this.host.dropOneTransfer(this.nodes[id]);
    if (++c.drop < c.steps.drop.length) this.at(c.steps.drop[c.drop], this.kDrop, id);
  }

  private onCapacity(id: number): void {
    if (id < 0) {
      this.host.setDownlink(this.downlink[this.downlinkCursor++].bps);
      if (this.downlinkCursor < this.downlink.length) this.at(this.downlink[this.downlinkCursor].atUs, this.kCapacity, -1);
      return;
    }
    const c = this.cursors[id]!;
    this.host.setNodeUplink(this.nodes[id], c.steps.capacity[c.capacity++].bps);
    if (c.capacity < c.steps.capacity.length) this.at(c.steps.capacity[c.capacity].atUs, this.kCapacity, id);
  }
}

/** A window of time, [fromUs, toUs). */
interface Window {
  readonly fromUs: number;
  readonly toUs: number;
}

const windowOf = (atUs: number, durationUs: number | null): Window => ({
  fromUs: atUs,
  toUs: durationUs === null ? Number.POSITIVE_INFINITY : atUs + durationUs,
});
const inside = (w: Window, t: number) => t >= w.fromUs && t < w.toUs;

/** A rule "the nth sub-block the node delivers at or after fromUs is corrupt", with its count so far. */
interface CorruptRule {
  readonly fromUs: number;
  readonly nth: number;
  seen: number;
}

/**
 * The schedule's fault windows: connection attempts refused or left unanswered over a window, the nth sub-block
 * a node delivers corrupt, the tracker down over a window. Asked by the world; it changes nothing else.
 */
export class ScheduleFaults {
  private readonly refuse = new Map<string, Window[]>();
  private readonly ignore = new Map<string, Window[]>();
  private readonly corrupt = new Map<string, CorruptRule[]>();
  private readonly trackerDownWindows: Window[] = [];

  private constructor(schedule: readonly ScheduleEvent[]) {
    const add = <T>(map: Map<string, T[]>, label: string, x: T) => {
      const list = map.get(label) ?? [];
      list.push(x);
      map.set(label, list);
    };
    for (const e of schedule) {
      if (e.kind === "refuse" || e.kind === "ignore") {
        for (const n of e.nodes) add(e.kind === "refuse" ? this.refuse : this.ignore, n, windowOf(e.atUs, e.durationUs));
      } else if (e.kind === "corrupt") {
        for (const n of e.nodes) add(this.corrupt, n, { fromUs: e.atUs, nth: e.nth, seen: 0 });
      } else if (e.kind === "tracker-down") {
        this.trackerDownWindows.push(windowOf(e.atUs, e.durationUs));
      }
    }
  }

  /** The faults of a schedule, or null when it has none (the world then asks nothing). */
  static of(schedule: readonly ScheduleEvent[] | undefined): ScheduleFaults | null {
    if (schedule === undefined || !schedule.some((e) => !NODE_EVENT_KINDS.has(e.kind))) return null;
    return new ScheduleFaults(schedule);
  }

  /** A connection attempt to the node now: refused, left unanswered ("ignore"), or up to the node (null). */
  connectFault(node: SimNode, nowUs: number): "refuse" | "ignore" | null {
    if (this.ignore.get(node.label)?.some((w) => inside(w, nowUs))) return "ignore";
    if (this.refuse.get(node.label)?.some((w) => inside(w, nowUs))) return "refuse";
    return null;
  }

  /** The node delivers a sub-block now: is it one the schedule corrupts? (Counts it.) */
  corrupts(node: SimNode, nowUs: number): boolean {
    const rules = this.corrupt.get(node.label);
    if (rules === undefined) return false;
    let hit = false;
    for (const r of rules) {
      if (nowUs < r.fromUs) continue;
      r.seen++;
      if (r.seen === r.nth) hit = true;
    }
    return hit;
  }

  /** Is the tracker down now (a query gets no answer)? */
  trackerDown(nowUs: number): boolean {
    return this.trackerDownWindows.some((w) => inside(w, nowUs));
  }
}
