// A run's trace: the world's events with named fields (what the agent was told, what happened to nodes, the
// blocks delivered) next to the agent's decisions (its notes, ports.ts), in the order they happened. This is
// what `--trace` writes (events.jsonl), `--check-determinism` compares and `sim explain` and `sim diff` read.
// Kernel events with opaque payloads (the network's generation counters, the agent's timer ids) are not in it:
// the world's own events and the decisions they caused say what they meant. Recording reads, never changes.

import type { AgentEvent, AgentNote } from "../../agent/ports.ts";
import type { Kernel } from "../kernel/kernel.ts";
import type { SimNode } from "./nodes.ts";
import type { DynamicsObserver } from "./schedule-record.ts";

export type TraceValue = number | string | boolean | readonly number[];

export interface TraceRecord {
  /** Index of the kernel event being processed when it happened (-1: while the world was being built). */
  readonly n: number;
  readonly timeUs: number;
  /** "world": something that happened to the agent or the nodes; "decision": a note of the agent. */
  readonly type: "world" | "decision";
  /** The world event's name, or the note's kind. */
  readonly event: string;
  /** Named fields, camelCase with units in names (the file writes them snake_case). */
  readonly fields: Readonly<Record<string, TraceValue>>;
}

/** Most records one trace keeps (a bound on every list): far above what the shipped scenarios produce. */
export const MAX_TRACE_RECORDS = 50_000_000;

export class WorldTrace implements DynamicsObserver {
  readonly records: TraceRecord[] = [];

  constructor(private readonly kernel: Kernel) {}

  /** A world event now. */
  world(event: string, fields: Record<string, TraceValue>): void {
    this.push("world", event, fields);
  }

  /** One of the agent's notes, now. */
  decision(note: AgentNote): void {
    const fields: Record<string, TraceValue> = {};
    for (const [k, v] of Object.entries(note)) {
      if (k === "type" || k === "note") continue;
      fields[k] = v as TraceValue;
    }
    this.push("decision", note.note, fields);
  }

  /**
   * An input handed to the agent (timers excepted: the decisions they cause are noted). nodeOf: a connection's
   * node; labelOf: a node's label.
   */
  input(e: AgentEvent, nodeOf: (connId: number) => number, labelOf: (nodeId: number) => string): void {
    switch (e.type) {
      case "tracker-nodes":
        this.world("tracker-reply", { nodeIds: e.nodes.map((n) => n.nodeId) });
        return;
      case "connected":
        this.world("connected", { connId: e.connId, nodeId: nodeOf(e.connId), node: labelOf(nodeOf(e.connId)) });
        return;
      case "connect-failed":
        this.world("connect-failed", { connId: e.connId, nodeId: nodeOf(e.connId), node: labelOf(nodeOf(e.connId)), reason: e.reason });
        return;
      case "sub-block":
        this.world("sub-block", {
          connId: e.connId,
          nodeId: nodeOf(e.connId),
          subBlockId: e.subBlockId,
          sizeBytes: e.sizeBytes,
          firstByteUs: e.firstByteUs,
          checksumOk: e.checksumOk,
        });
        return;
      case "disconnected":
        this.world("disconnected", { connId: e.connId, nodeId: nodeOf(e.connId), reason: e.reason });
        return;
      case "not-held":
        this.world("not-held", { connId: e.connId, nodeId: nodeOf(e.connId), subBlockId: e.subBlockId });
        return;
      case "holds":
        this.world("holds", { connId: e.connId, nodeId: nodeOf(e.connId), blocks: e.blocks });
        return;
      case "have":
      case "lost":
        this.world(e.type, { connId: e.connId, nodeId: nodeOf(e.connId), block: e.block });
        return;
      case "timer":
        return;
    }
  }

  // ---- node dynamics (DynamicsObserver) -----------------------------------------------------------------

  leave(node: SimNode, graceful: boolean): void {
    this.world("leave", { nodeId: node.id, node: node.label, graceful });
  }

  join(node: SimNode): void {
    this.world("join", { nodeId: node.id, node: node.label });
  }

  arrive(label: string, nodeId: number): void {
    this.world("arrive", { nodeId, node: label });
  }

  episode(node: SimNode, name: string, on: boolean): void {
    const fields: Record<string, TraceValue> = { nodeId: node.id, node: node.label };
    if (on && name === "slowdown") fields.factor = node.slowFactor;
    this.world(`${name}-${on ? "start" : "end"}`, fields);
  }

  drop(node: SimNode): void {
    this.world("drop", { nodeId: node.id, node: node.label });
  }

  capacity(node: SimNode, uplinkBps: number): void {
    this.world("capacity", { nodeId: node.id, node: node.label, uplinkBps });
  }

  downlink(downlinkBps: number): void {
    this.world("downlink", { downlinkBps });
  }

  private push(type: TraceRecord["type"], event: string, fields: Record<string, TraceValue>): void {
    if (this.records.length >= MAX_TRACE_RECORDS) throw new Error(`a trace holds at most ${MAX_TRACE_RECORDS} records`);
    this.records.push({ n: this.kernel.eventsProcessed - 1, timeUs: this.kernel.nowUs, type, event, fields });
  }
}
