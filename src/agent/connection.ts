// One connection the agent opened: its node, its state, its estimate and the sub-blocks outstanding on it in
// the order they were requested (the node sends them back to back in that order, so the first one may be
// mid-transfer and the others have not started).

import type { ConnectionEstimate } from "./estimator.ts";
import type { ConnId, NodeId, NodeKind, SubBlockId, TimerId } from "./ports.ts";

export type ConnectionState = "connecting" | "ready";

export class Connection {
  state: ConnectionState = "connecting";
  readonly outstanding: SubBlockId[] = [];
  /** The first sub-block of a request sent while the connection was idle, for an RTT sample (-1: none). */
  rttProbeId: SubBlockId = -1;
  /** When that request was sent, µs. */
  rttProbeRequestUs = 0;
  connectTimer: TimerId | null = null;
  requestTimer: TimerId | null = null;
  /** The download monitor's stall callback for this connection, made once (it is armed after every arrival). */
  onRequestTimeout: (() => void) | null = null;

  constructor(
    readonly id: ConnId,
    readonly nodeId: NodeId,
    readonly kind: NodeKind,
    readonly estimate: ConnectionEstimate,
  ) {}

  get ready(): boolean {
    return this.state === "ready";
  }

  get idle(): boolean {
    return this.state === "ready" && this.outstanding.length === 0;
  }

  has(id: SubBlockId): boolean {
    return this.outstanding.includes(id);
  }

  /** Removes id from the outstanding list; false if it was not there. */
  take(id: SubBlockId): boolean {
    const i = this.outstanding.indexOf(id);
    if (i < 0) return false;
    if (i === 0) this.outstanding.shift(); // the usual case: sub-blocks arrive in request order
    else this.outstanding.splice(i, 1);
    return true;
  }
}
