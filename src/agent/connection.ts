// One connection the agent opened: its node, its state, its estimate and the sub-blocks outstanding on it in
// the order they were requested (the node sends them back to back in that order, so the first one may be
// mid-transfer and the others have not started).
//
// The outstanding list is a queue with a head index: an arrival (at the head, as the node sends in order) and a
// cancel at the head or the tail cost O(1); a cancel in the middle marks the entry gone (skipped, removed at
// the next compaction). `outstanding` compacts it into an exact array when read (O(its length) after a change
// other than an append, O(1) otherwise); the agent itself only uses the O(1) accessors. `version` counts the
// changes to the list (one per id added or removed), so a strategy can tell in O(1) whether a queue changed.

import type { ConnectionEstimate } from "./estimator.ts";
import type { ConnId, NodeId, NodeKind, SubBlockId, TimerId } from "./ports.ts";

/** "parked": open but out of use (the origin between fallbacks): not ready, not offered to the strategy. */
export type ConnectionState = "connecting" | "ready" | "parked";

export class Connection {
  state: ConnectionState = "connecting";
  /** Outstanding ids in request order from `head` on, the ids in `gone` excepted. */
  private readonly queue: SubBlockId[] = [];
  private head = 0;
  /** Ids in queue[head..] that are no longer outstanding (cancelled in the middle of the queue). */
  private readonly gone = new Set<SubBlockId>();
  private count = 0;
  /** Bumped once per id pushed or taken (and by clear): equal versions, same outstanding list. */
  version = 0;
  /** The first sub-block of a request sent while the connection was idle, for an RTT sample (-1: none). */
  rttProbeId: SubBlockId = -1;
  /** When that request was sent, µs. */
  rttProbeRequestUs = 0;
  connectTimer: TimerId | null = null;
  /** The download monitor's stall timer (download-monitor.ts), armed while the connection holds work. */
  requestTimer: TimerId | null = null;
  /** The download monitor's stall callback for this connection, made once (it is armed after every arrival). */
  onRequestTimeout: (() => void) | null = null;
  /** Start of the connection's current silence while it holds work, µs (download-monitor.ts). */
  silentSinceUs = 0;
  /** Silence it had when its work was last all taken from it, carried over to its next work, µs. */
  heldSilenceUs = 0;
  /** A sub-block arrived since the connection was last given work while idle (true before its first request). */
  deliveredSinceIdleRequest = true;
  /** The connection's id is in the agent's queue of idle connections to offer. */
  queuedIdle = false;
  /**
   * The blocks its node holds (1: held), by block index, as the node said (`holds`, `have`, `lost`); null: the
   * node never said, it is taken to hold everything.
   */
  holdings: Uint8Array | null = null;

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
    return this.state === "ready" && this.count === 0;
  }

  /** Whether its node holds the block, as far as the agent knows (O(1)). */
  holdsBlock(block: number): boolean {
    return this.holdings === null || this.holdings[block] === 1;
  }

  /** Number of outstanding sub-blocks, O(1). */
  get outstandingCount(): number {
    return this.count;
  }

  /** The outstanding sub-blocks in request order: an exact array, compacted when read (see above). */
  get outstanding(): readonly SubBlockId[] {
    this.compact();
    return this.queue;
  }

  /** The i-th outstanding sub-block in request order (0 ≤ i < outstandingCount): O(1) unless an entry in the
   * middle was cancelled since the last compaction (then compacted first). */
  at(i: number): SubBlockId {
    if (this.gone.size > 0) this.compact();
    return this.queue[this.head + i];
  }

  /** The first outstanding sub-block (the one the node sends now), or undefined. */
  first(): SubBlockId | undefined {
    return this.count > 0 ? this.queue[this.head] : undefined;
  }

  /** Appends id (not outstanding on this connection). */
  push(id: SubBlockId): void {
    if (this.gone.has(id)) this.compact(); // the id's old entry must not be taken for the new one
    this.queue.push(id);
    this.count++;
    this.version++;
  }

  /** Removes id, which the caller knows is outstanding here: O(1). */
  take(id: SubBlockId): void {
    const q = this.queue;
    this.count--;
    this.version++;
    if (q[this.head] === id) {
      this.head++;
      this.skipGone();
      if (this.head > 64 && 2 * this.head > q.length) this.compact(); // amortised O(1): memory stays bounded
    } else if (q[q.length - 1] === id) {
      q.pop();
      while (q.length > this.head && this.gone.delete(q[q.length - 1])) q.pop();
    } else {
      this.gone.add(id);
    }
    if (this.count === 0) this.reset();
  }

  /** Forgets every outstanding sub-block. */
  clear(): void {
    this.version++;
    this.reset();
  }

  private reset(): void {
    const q = this.queue;
    // Popping a few entries is cheaper than setting the length (this runs after most arrivals).
    if (q.length <= 8) while (q.length > 0) q.pop();
    else q.length = 0;
    this.head = 0;
    if (this.gone.size > 0) this.gone.clear();
    this.count = 0;
  }

  /** Makes queue exactly the outstanding list: drops the taken head and the gone entries. */
  compact(): void {
    if (this.head === 0 && this.gone.size === 0) return;
    const q = this.queue;
    let j = 0;
    for (let i = this.head; i < q.length; i++) {
      const id = q[i];
      if (this.gone.size > 0 && this.gone.delete(id)) continue;
      q[j++] = id;
    }
    q.length = j;
    this.head = 0;
  }

  private skipGone(): void {
    const q = this.queue;
    while (this.head < q.length && this.gone.size > 0 && this.gone.delete(q[this.head])) this.head++;
  }
}
