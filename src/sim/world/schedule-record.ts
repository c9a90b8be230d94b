// Watching what node dynamics do to the world (observedHost) and writing it down as an explicit schedule
// (ScheduleRecorder): every leave, join, arrival, episode, drop and capacity step, at its exact µs, in the order
// it happened. Replayed by schedule.ts, such a schedule gives the same kernel events as the stochastic world
// that produced it, for any strategy, up to the time the recording reached. Recording changes nothing in the
// run: the observer only reads.

import type { ScheduleEvent } from "../config.ts";
import type { DynamicsHost } from "./dynamics.ts";
import type { SimNode } from "./nodes.ts";

/** What a dynamics observer hears: every call, before (arrive) or after the world applied it. */
export interface DynamicsObserver {
  leave(node: SimNode, graceful: boolean): void;
  join(node: SimNode): void;
  /** A new peer arrives: its label and the node id it gets (its own processes start right after). */
  arrive(label: string, nodeId: number): void;
  episode(node: SimNode, name: string, on: boolean): void;
  drop(node: SimNode): void;
  capacity(node: SimNode, uplinkBps: number): void;
  downlink(downlinkBps: number): void;
}

/** `inner` with every call also told to the observers; nextNodeId: the id the next node created gets. */
export function observedHost(inner: DynamicsHost, observers: readonly DynamicsObserver[], nextNodeId: () => number): DynamicsHost {
  return {
    nodeLeaves: (node, graceful) => {
      inner.nodeLeaves(node, graceful);
      for (const o of observers) o.leave(node, graceful);
    },
    nodeJoins: (node) => {
      inner.nodeJoins(node);
      for (const o of observers) o.join(node);
    },
    addPeer: (gi, streamPrefix, label) => {
      const id = nextNodeId();
      for (const o of observers) o.arrive(label, id);
      return inner.addPeer(gi, streamPrefix, label);
    },
    refreshCapacity: (node) => inner.refreshCapacity(node),
    dropOneTransfer: (node) => {
      inner.dropOneTransfer(node);
      for (const o of observers) o.drop(node);
    },
    setNodeUplink: (node, bps) => {
      inner.setNodeUplink(node, bps);
      for (const o of observers) o.capacity(node, bps);
    },
    setDownlink: (bps) => {
      inner.setDownlink(bps);
      for (const o of observers) o.downlink(bps);
    },
    episode: (node, name, on) => {
      inner.episode?.(node, name, on);
      for (const o of observers) o.episode(node, name, on);
    },
  };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Most events one recording keeps (a bound: a schedule is meant to be read and shrunk). */
export const MAX_RECORDED_EVENTS = 1_000_000;

/**
 * Records the world's node events as a schedule: every call dynamics made, a leave or join that changed
 * nothing included (each is one kernel event of the run being recorded).
 */
export class ScheduleRecorder implements DynamicsObserver {
  private readonly events: Mutable<ScheduleEvent>[] = [];
  /** The episode in progress per node and kind, to fill its duration when it ends. */
  private readonly open = new Map<string, Mutable<ScheduleEvent & { kind: "stall" | "slowdown" }>>();

  constructor(private readonly nowUs: () => number) {}

  private push(e: Mutable<ScheduleEvent>): void {
    if (this.events.length >= MAX_RECORDED_EVENTS) throw new Error(`a schedule recording holds at most ${MAX_RECORDED_EVENTS} events`);
    this.events.push(e);
  }

  leave(node: SimNode, graceful: boolean): void {
    this.push({ kind: "leave", atUs: this.nowUs(), nodes: [node.label], graceful });
  }

  join(node: SimNode): void {
    this.push({ kind: "join", atUs: this.nowUs(), nodes: [node.label] });
  }

  arrive(label: string): void {
    this.push({ kind: "arrive", atUs: this.nowUs(), nodes: [label] });
  }

  episode(node: SimNode, name: string, on: boolean): void {
    const key = `${name} ${node.label}`;
    if (on) {
      const e: Mutable<ScheduleEvent & { kind: "stall" | "slowdown" }> =
        name === "stall"
          ? { kind: "stall", atUs: this.nowUs(), nodes: [node.label], durationUs: null }
          : { kind: "slowdown", atUs: this.nowUs(), nodes: [node.label], factor: node.slowFactor, durationUs: null };
      this.open.set(key, e);
      this.push(e);
      return;
    }
    const e = this.open.get(key);
    if (e === undefined) return;
    e.durationUs = this.nowUs() - e.atUs;
    this.open.delete(key);
  }

  drop(node: SimNode): void {
    this.push({ kind: "drop", atUs: this.nowUs(), nodes: [node.label] });
  }

  capacity(node: SimNode, uplinkBps: number): void {
    this.push({ kind: "capacity", atUs: this.nowUs(), nodes: [node.label], uplinkBps });
  }

  downlink(downlinkBps: number): void {
    this.push({ kind: "downlink", atUs: this.nowUs(), downlinkBps });
  }

  /** The events recorded so far, in the order they happened (an episode still going has no duration). */
  schedule(): readonly ScheduleEvent[] {
    return this.events.map((e) => ({ ...e }) as ScheduleEvent);
  }
}
