// Sub-block manager: the state of every sub-block of the blocks being downloaded (the window: the current
// block, plus the next one for strategies that pipeline blocks). A sub-block is in the pool (unassigned), in
// flight on one or more connections (more than one only when duplicated), or done. A sub-block that failed its
// checksum goes back to the pool and its node is excluded from fetching it again.
//
// Cost: every per-sub-block operation (assign, unassign, complete, the lookups) is O(1) but for the pool, an
// ordered set of each block's unassigned slots (slot-set.ts): O(log32 sub-blocks per block). Opening and
// retiring a block cost O(its sub-blocks). The pool as an ascending array (`pool`) is built when read after a
// change, O(pool size) at most; poolHead lists its first ids without building it.

import { assert } from "../assert.ts";
import type { Content } from "./content.ts";
import type { ConnId, NodeId, SubBlockId } from "./ports.ts";
import { SlotSet } from "./slot-set.ts";

/** The sub-blocks of one block of the window, by slot (id − first). */
interface BlockSlots {
  readonly block: number;
  readonly first: SubBlockId;
  readonly count: number;
  /** 1 once an intact copy arrived. */
  readonly done: Uint8Array;
  /** Connections fetching each slot; created at the slot's first assignment, then kept (callers may hold it). */
  readonly copies: (ConnId[] | undefined)[];
  /** Unassigned slots that are not done. */
  readonly pool: SlotSet;
  remaining: number;
}

/** The copies of a sub-block nobody fetches (shared, never modified). */
const NONE: readonly ConnId[] = Object.freeze([]);
/** The `others` of a completion nobody else was fetching (shared, never modified). */
const NO_OTHERS: ConnId[] = Object.freeze([]) as unknown as ConnId[];
/** Pool changes replayed on the pool array by binary search and splice; beyond this many it is rebuilt. */
const MAX_LOGGED_CHANGES = 32;

/** First index of the ascending list whose value is ≥ id. */
function lowerBound(list: readonly number[], id: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid] < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class SubBlockManager {
  /** The window's blocks, current first. */
  private readonly window: BlockSlots[] = [];
  /** Nodes that delivered a sub-block of the window corrupt, by sub-block (most never need an entry). */
  private readonly excluded = new Map<SubBlockId, NodeId[]>();
  /** Unassigned sub-blocks of the window, ascending, as of the last sync (see `pool`). */
  private readonly poolList: SubBlockId[] = [];
  /** The pool changes since then (id: removed, −id − 1: added), while few; else the array is rebuilt. */
  private readonly poolLog: number[] = [];
  private poolLogLength = 0;
  private poolRebuild = false;
  private poolCount = 0;
  /** The window is [current, opened). */
  private opened = 0;

  constructor(
    private readonly content: Content,
    private readonly windowBlocks: number,
  ) {
    assert(windowBlocks >= 1, "the window holds at least the current block");
  }

  /** The lowest block not yet complete (blockCount when everything is done). */
  current = 0;

  /**
   * Opens blocks until the window is full, none at or past endBlock (the player's maximum buffer holds the
   * rest back); returns the blocks it opened.
   */
  openWindow(endBlock = Number.POSITIVE_INFINITY): number[] {
    const added: number[] = [];
    const end = Math.min(this.content.blockCount, this.current + this.windowBlocks, endBlock);
    for (; this.opened < end; this.opened++) {
      const count = this.content.subBlocksIn(this.opened);
      const slots: BlockSlots = {
        block: this.opened,
        first: this.content.firstSubBlock(this.opened),
        count,
        done: new Uint8Array(count),
        copies: new Array<ConnId[] | undefined>(count).fill(undefined),
        pool: new SlotSet(count),
        remaining: count,
      };
      for (let i = 0; i < count; i++) slots.pool.add(i);
      this.window.push(slots);
      this.poolCount += count;
      this.poolRebuild = true;
      added.push(this.opened);
    }
    return added;
  }

  /**
   * Unassigned sub-blocks of the window, ascending. The same array every time, brought up to date when read
   * after the pool changed (O(pool size)); syncPool() brings it up to date without a read.
   */
  get pool(): readonly SubBlockId[] {
    this.syncPool();
    return this.poolList;
  }

  get poolSize(): number {
    return this.poolCount;
  }

  /**
   * Brings the pool array up to date: replays the few changes since the last sync (binary search and splice;
   * a run of removals is one splice), or rebuilds it from the blocks' sets after many.
   */
  syncPool(): void {
    const list = this.poolList;
    if (this.poolRebuild) {
      this.poolRebuild = false;
      this.poolLogLength = 0;
      list.length = 0;
      for (const b of this.window) {
        for (let i = b.pool.next(0); i >= 0; i = b.pool.next(i + 1)) list.push(b.first + i);
      }
      return;
    }
    const log = this.poolLog;
    const n = this.poolLogLength;
    this.poolLogLength = 0;
    for (let k = 0; k < n; k++) {
      const change = log[k];
      if (change < 0) {
        const id = -change - 1;
        list.splice(lowerBound(list, id), 0, id);
        continue;
      }
      const at = lowerBound(list, change);
      assert(list[at] === change, "pool array out of step at sub-block {0}", change);
      let run = 1;
      while (k + 1 < n && log[k + 1] >= 0 && list[at + run] === log[k + 1]) {
        run++;
        k++;
      }
      list.splice(at, run);
    }
  }

  private logPoolChange(change: number): void {
    if (this.poolRebuild) return;
    if (this.poolLogLength === MAX_LOGGED_CHANGES) {
      this.poolRebuild = true;
      return;
    }
    this.poolLog[this.poolLogLength++] = change;
  }

  /**
   * The first `max` pool sub-blocks, ascending, that `allowed` accepts, of blocks `blockAllowed` accepts (a
   * fresh array; a block refused is skipped whole).
   */
  poolHead(max: number, allowed: (id: SubBlockId) => boolean, blockAllowed: (block: number) => boolean = () => true): SubBlockId[] {
    const out: SubBlockId[] = [];
    for (const b of this.window) {
      if (!blockAllowed(b.block)) continue;
      for (let i = b.pool.next(0); i >= 0 && out.length < max; i = b.pool.next(i + 1)) {
        if (allowed(b.first + i)) out.push(b.first + i);
      }
    }
    return out;
  }

  /** True when some node is excluded from some sub-block of the window. */
  get hasExclusions(): boolean {
    return this.excluded.size > 0;
  }

  /** Live content: the download begins at this block (before anything was opened); earlier ones count as done. */
  startAt(block: number): void {
    assert(this.opened === 0 && this.current === 0 && block >= 0 && block < this.content.blockCount, "startAt before the window opens, at a block of the content");
    this.current = block;
    this.opened = block;
  }

  /** The first block not opened yet (blockCount once every block was opened). */
  get openedEnd(): number {
    return this.opened;
  }

  inWindow(id: SubBlockId): boolean {
    return this.slotsOf(id) !== undefined;
  }

  inPool(id: SubBlockId): boolean {
    const b = this.slotsOf(id);
    return b !== undefined && b.pool.has(id - b.first);
  }

  isDone(id: SubBlockId): boolean {
    const b = this.slotsOf(id);
    return b !== undefined ? b.done[id - b.first] === 1 : this.content.blockOf(id) < this.current;
  }

  /** Connections fetching id (live: the same array as long as id is in the window). */
  copies(id: SubBlockId): readonly ConnId[] {
    const b = this.slotsOf(id);
    return b?.copies[id - b.first] ?? NONE;
  }

  /** Is conn fetching id? */
  holds(id: SubBlockId, conn: ConnId): boolean {
    const b = this.slotsOf(id);
    const c = b?.copies[id - b.first];
    if (c === undefined) return false;
    for (let i = 0; i < c.length; i++) if (c[i] === conn) return true;
    return false;
  }

  isExcluded(id: SubBlockId, nodeId: NodeId): boolean {
    if (this.excluded.size === 0) return false;
    return this.excluded.get(id)?.includes(nodeId) ?? false;
  }

  /** Records that conn fetches id (from the pool, or as one more copy). */
  assign(id: SubBlockId, conn: ConnId): void {
    const b = this.slots(id);
    const i = id - b.first;
    assert(b.done[i] === 0, "sub-block {0} is already done", id);
    let c = b.copies[i];
    if (c === undefined) c = b.copies[i] = [];
    assert(!c.includes(conn), "sub-block {0} is already requested on connection {1}", id, conn);
    if (c.length === 0) this.removeFromPool(b, i);
    c.push(conn);
  }

  /** conn no longer fetches id; the sub-block returns to the pool if no other copy is in flight. */
  unassign(id: SubBlockId, conn: ConnId): boolean {
    const b = this.slotsOf(id);
    if (b === undefined) return false;
    const i = id - b.first;
    const c = b.copies[i];
    if (c !== undefined) {
      const k = c.indexOf(conn);
      if (k >= 0) c.splice(k, 1);
    }
    if (b.done[i] === 1 || (c !== undefined && c.length > 0)) return false;
    this.addToPool(b, i);
    return true;
  }

  /** A corrupt copy from nodeId: that node may not fetch id again. Returns true if id went back to the pool. */
  corrupt(id: SubBlockId, conn: ConnId, nodeId: NodeId): boolean {
    if (this.slotsOf(id) === undefined) return false;
    const ex = this.excluded.get(id);
    if (ex === undefined) this.excluded.set(id, [nodeId]);
    else if (!ex.includes(nodeId)) ex.push(nodeId);
    return this.unassign(id, conn);
  }

  /**
   * nodeId does not hold id's block ("don't have"): it may fetch no sub-block of that block any more, and id
   * goes back to the pool (returns true) unless another copy is on its way or it is done.
   */
  notHeld(id: SubBlockId, conn: ConnId, nodeId: NodeId): boolean {
    const b = this.slotsOf(id);
    if (b === undefined) return false;
    for (let i = 0; i < b.count; i++) {
      const ex = this.excluded.get(b.first + i);
      if (ex === undefined) this.excluded.set(b.first + i, [nodeId]);
      else if (!ex.includes(nodeId)) ex.push(nodeId);
    }
    return this.unassign(id, conn);
  }

  /**
   * An intact copy of id arrived on conn. Returns the other connections still fetching it (to cancel) and
   * whether its block is now complete; null if id was already done (a redundant copy).
   */
  complete(id: SubBlockId, conn: ConnId): { others: ConnId[]; blockComplete: boolean } | null {
    const b = this.slotsOf(id);
    if (b === undefined) return null;
    const i = id - b.first;
    if (b.done[i] === 1) return null;
    const c = b.copies[i];
    if (c === undefined || c.length === 0) this.removeFromPool(b, i); // arrived although not assigned: accept it
    b.done[i] = 1;
    let others = NO_OTHERS;
    if (c !== undefined && c.length > 0) {
      if (c.length > 1 || c[0] !== conn) others = c.filter((x) => x !== conn);
      c.length = 0;
    }
    b.remaining--;
    return { others, blockComplete: b.remaining === 0 };
  }

  /** Drops the state of complete blocks at the bottom of the window and advances `current`. */
  advance(): void {
    while (this.window.length > 0 && this.window[0].remaining === 0) {
      const b = this.window.shift()!;
      if (this.excluded.size > 0) for (let i = 0; i < b.count; i++) this.excluded.delete(b.first + i);
      this.current++;
    }
  }

  /** Sub-blocks of the block not yet done, ascending. */
  unfinished(block: number): SubBlockId[] {
    const b = this.window[block - this.current];
    if (b === undefined || b.block !== block) return [];
    const out: SubBlockId[] = [];
    for (let i = 0; i < b.count; i++) if (b.done[i] === 0) out.push(b.first + i);
    return out;
  }

  private slotsOf(id: SubBlockId): BlockSlots | undefined {
    if (!Number.isSafeInteger(id) || id < 0) return undefined;
    const b = this.window[Math.floor(id / this.content.subBlocksPerBlock) - this.current];
    return b !== undefined && id - b.first < b.count ? b : undefined;
  }

  private slots(id: SubBlockId): BlockSlots {
    const b = this.slotsOf(id);
    assert(b !== undefined, "sub-block {0} is not in the download window (blocks {1}..{2})", id, this.current, this.opened - 1);
    return b;
  }

  private removeFromPool(b: BlockSlots, i: number): void {
    assert(b.pool.delete(i), "sub-block {0} is not in the pool", b.first + i);
    this.poolCount--;
    this.logPoolChange(b.first + i);
  }

  private addToPool(b: BlockSlots, i: number): void {
    if (!b.pool.add(i)) return;
    this.poolCount++;
    this.logPoolChange(-(b.first + i) - 1);
  }
}
