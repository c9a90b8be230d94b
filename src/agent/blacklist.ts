// The blacklist queue: nodes whose connection failed, timed out, stalled, dropped or sent corrupt data are not
// connected to again until their entry expires (blacklistUs after it was added). Expired entries are removed
// lazily; entries are keyed by node, so the queue never holds more entries than there are nodes.

import type { NodeId } from "./ports.ts";

export interface BlacklistEntry {
  readonly untilUs: number;
  readonly reason: string;
}

export class Blacklist {
  private readonly entries = new Map<NodeId, BlacklistEntry>();

  constructor(private readonly blacklistUs: number) {}

  /** Adds (or renews) the node's entry; returns its expiry time. */
  add(nodeId: NodeId, nowUs: number, reason: string): number {
    const untilUs = nowUs + Math.max(0, this.blacklistUs);
    this.entries.delete(nodeId); // re-insert at the end: the map stays ordered by expiry
    this.entries.set(nodeId, { untilUs, reason });
    return untilUs;
  }

  has(nodeId: NodeId, nowUs: number): boolean {
    const e = this.entries.get(nodeId);
    if (e === undefined) return false;
    if (e.untilUs > nowUs) return true;
    this.entries.delete(nodeId);
    return false;
  }

  entry(nodeId: NodeId, nowUs: number): BlacklistEntry | undefined {
    return this.has(nodeId, nowUs) ? this.entries.get(nodeId) : undefined;
  }
}
