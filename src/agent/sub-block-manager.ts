// Sub-block manager: the state of every sub-block of the blocks being downloaded (the window: the current
// block, plus the next one for strategies that pipeline blocks). A sub-block is in the pool (unassigned), in
// flight on one or more connections (more than one only when duplicated), or done. A sub-block that failed its
// checksum goes back to the pool and its node is excluded from fetching it again.

import { assert } from "./assert.ts";
import type { Content } from "./content.ts";
import type { ConnId, NodeId, SubBlockId } from "./ports.ts";

interface SubBlockState {
  readonly copies: ConnId[];
  done: boolean;
  /** Nodes that delivered it corrupt; null until one does (most sub-blocks never need the array). */
  excluded: NodeId[] | null;
}

/** The `others` of a completion nobody else was fetching (shared, never modified). */
const NO_OTHERS: ConnId[] = Object.freeze([]) as unknown as ConnId[];

export class SubBlockManager {
  /** Unassigned sub-blocks of the window, ascending. */
  readonly pool: SubBlockId[] = [];
  private readonly states = new Map<SubBlockId, SubBlockState>();
  private readonly remaining = new Map<number, number>();
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

  /** Opens blocks until the window is full; returns the blocks it opened. */
  openWindow(): number[] {
    const added: number[] = [];
    const end = Math.min(this.content.blockCount, this.current + this.windowBlocks);
    for (; this.opened < end; this.opened++) {
      const ids = this.content.subBlockIds(this.opened);
      for (const id of ids) {
        this.states.set(id, { copies: [], done: false, excluded: null });
        this.pool.push(id); // ids of a later block are larger: the pool stays sorted
      }
      this.remaining.set(this.opened, ids.length);
      added.push(this.opened);
    }
    return added;
  }

  inWindow(id: SubBlockId): boolean {
    return this.states.has(id);
  }

  inPool(id: SubBlockId): boolean {
    const s = this.states.get(id);
    return s !== undefined && !s.done && s.copies.length === 0;
  }

  isDone(id: SubBlockId): boolean {
    return this.states.get(id)?.done ?? this.content.blockOf(id) < this.current;
  }

  copies(id: SubBlockId): readonly ConnId[] {
    return this.states.get(id)?.copies ?? [];
  }

  isExcluded(id: SubBlockId, nodeId: NodeId): boolean {
    return this.states.get(id)?.excluded?.includes(nodeId) ?? false;
  }

  /** Records that conn fetches id (from the pool, or as one more copy). */
  assign(id: SubBlockId, conn: ConnId): void {
    const s = this.state(id);
    assert(!s.done, () => `sub-block ${id} is already done`);
    assert(!s.copies.includes(conn), () => `sub-block ${id} is already requested on connection ${conn}`);
    if (s.copies.length === 0) this.removeFromPool(id);
    s.copies.push(conn);
  }

  /** conn no longer fetches id; the sub-block returns to the pool if no other copy is in flight. */
  unassign(id: SubBlockId, conn: ConnId): boolean {
    const s = this.states.get(id);
    if (s === undefined) return false;
    const i = s.copies.indexOf(conn);
    if (i >= 0) s.copies.splice(i, 1);
    if (s.done || s.copies.length > 0) return false;
    this.addToPool(id);
    return true;
  }

  /** A corrupt copy from nodeId: that node may not fetch id again. Returns true if id went back to the pool. */
  corrupt(id: SubBlockId, conn: ConnId, nodeId: NodeId): boolean {
    const s = this.states.get(id);
    if (s === undefined) return false;
    if (s.excluded === null) s.excluded = [nodeId];
    else if (!s.excluded.includes(nodeId)) s.excluded.push(nodeId);
    return this.unassign(id, conn);
  }

  /**
   * An intact copy of id arrived on conn. Returns the other connections still fetching it (to cancel) and
   * whether its block is now complete; null if id was already done (a redundant copy).
   */
  complete(id: SubBlockId, conn: ConnId): { others: ConnId[]; blockComplete: boolean } | null {
    const s = this.states.get(id);
    if (s === undefined || s.done) return null;
    if (s.copies.length === 0) this.removeFromPool(id); // arrived although not assigned: accept it
    s.done = true;
    const others = s.copies.length === 1 && s.copies[0] === conn ? NO_OTHERS : s.copies.filter((c) => c !== conn);
    s.copies.length = 0;
    const block = this.content.blockOf(id);
    const left = (this.remaining.get(block) ?? 0) - 1;
    this.remaining.set(block, left);
    return { others, blockComplete: left === 0 };
  }

  /** Drops the state of complete blocks at the bottom of the window and advances `current`. */
  advance(): void {
    while (this.current < this.opened && this.remaining.get(this.current) === 0) {
      for (const id of this.content.subBlockIds(this.current)) this.states.delete(id);
      this.remaining.delete(this.current);
      this.current++;
    }
  }

  /** Sub-blocks of the block not yet done, ascending. */
  unfinished(block: number): SubBlockId[] {
    if (block < this.current || block >= this.opened) return [];
    return this.content.subBlockIds(block).filter((id) => !this.states.get(id)!.done);
  }

  private state(id: SubBlockId): SubBlockState {
    const s = this.states.get(id);
    assert(
      s !== undefined,
      () => `sub-block ${id} is not in the download window (blocks ${this.current}..${this.opened - 1})`,
    );
    return s;
  }

  private removeFromPool(id: SubBlockId): void {
    const i = this.pool.indexOf(id);
    assert(i >= 0, () => `sub-block ${id} is not in the pool`);
    this.pool.splice(i, 1);
  }

  private addToPool(id: SubBlockId): void {
    let i = this.pool.length;
    while (i > 0 && this.pool[i - 1] > id) i--;
    this.pool.splice(i, 0, id);
  }
}
