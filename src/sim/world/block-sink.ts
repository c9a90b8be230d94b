// Where one agent's blocks go: checks each one (in order, exactly once, the right size, every sub-block of it
// delivered intact), hands it to the player, and says when the last one came (the single-agent world then
// ends the run). For the scenario's agent it also keeps the blocks' clocks and bound inputs: a block starts at
// its first request, when its fluid bound T* is taken from the sources connected then (each node once), and
// its split bound T_g is read when it ends.

import { assert } from "../../assert.ts";
import type { Content } from "../../agent/content.ts";
import type { Kernel } from "../kernel/kernel.ts";
import type { BlockBounds } from "../metrics/block-bound.ts";
import type { Collector } from "../metrics/collector.ts";
import type { Player } from "../player.ts";
import type { SimNode } from "./nodes.ts";

/** The scenario's agent's block records: its collector and its blocks' bounds. */
export interface BlockRecorder {
  readonly collector: Collector;
  readonly bounds: BlockBounds;
}

export class BlockSink {
  /** 1 once a copy of the sub-block arrived intact, by sub-block id. */
  private readonly okDelivered: Uint8Array;
  /** 1 once the block's first sub-block was requested. */
  private readonly started: Uint8Array;
  /** Per node, the last block (+1) whose T* counted it: each node is one source of a block's bound. */
  private readonly nodeStamp: number[] = [];
  private nextBlock: number;
  /** The next block the agent hands over (the block count once every block came). */
  get nextBlockIndex(): number {
    return this.nextBlock;
  }

  /** When the last block arrived, µs (-1: not yet). */
  completionUs = -1;

  constructor(
    private readonly content: Content,
    private readonly kernel: Kernel,
    /** The agent's records (null: a viewer that keeps none). */
    private readonly recorder: BlockRecorder | null,
    private readonly player: Player,
    /** The payload share of link capacities (the tcp model's efficiency; 1 for fluid). */
    private readonly efficiency: number,
    /** The agent's downlink now, bits per second. */
    private readonly downlinkBps: () => number,
    /** The last block arrived (now). */
    private readonly onComplete: () => void,
    /** The first block the agent downloads (live content: where it joined). */
    firstBlock = 0,
    /** The agent's host's RTT to the core (its RTT to a node is this + the node's). */
    private readonly coreRttUs = 0,
  ) {
    this.nextBlock = firstBlock;
    this.okDelivered = new Uint8Array(content.blockCount * content.subBlocksPerBlock);
    this.started = new Uint8Array(content.blockCount);
  }

  hasStarted(block: number): boolean {
    return this.started[block] === 1;
  }

  /**
   * The block's first request, now: starts its clock and computes T* from the true capacities of `sources`
   * (the nodes of the open connections, in any order and with repeats: each node counts once, and the bound
   * sorts them by delay and rate).
   */
  start(block: number, sources: () => readonly SimNode[]): void {
    assert(this.started[block] === 0, "block {0} started twice", block);
    this.started[block] = 1;
    const rec = this.recorder;
    if (rec === null) return;
    const nowUs = this.kernel.nowUs;
    const stamp = block + 1;
    const nodes: number[] = [];
    const delays: number[] = [];
    const rates: number[] = [];
    for (const node of sources()) {
      while (this.nodeStamp.length <= node.id) this.nodeStamp.push(0); // dense, up to the largest node id
      if (this.nodeStamp[node.id] === stamp) continue;
      this.nodeStamp[node.id] = stamp;
      nodes.push(node.id);
      delays.push(this.coreRttUs + node.rttUs);
      rates.push(node.effectiveUplinkBps() * this.efficiency);
    }
    const size = this.content.blockSize(block);
    const t = rec.bounds.blockStarted(block, nowUs, size, nodes, delays, rates, this.downlinkBps() * this.efficiency);
    rec.collector.blockStarted(block, nowUs, Number.isFinite(t) ? t : 0);
  }

  /** An intact copy of sub-block sb arrived: "ok" for the first one, "duplicate" after that. */
  intact(sb: number): "ok" | "duplicate" {
    const outcome = this.okDelivered[sb] === 1 ? "duplicate" : "ok";
    this.okDelivered[sb] = 1;
    return outcome;
  }

  /** The agent delivered a block (a `deliver-block` command). */
  deliver(block: number, sizeBytes: number): void {
    const now = this.kernel.nowUs;
    const c = this.content;
    assert(block === this.nextBlock, "block {0} delivered, expected block {1}", block, this.nextBlock);
    assert(sizeBytes === c.blockSize(block), "block {0} delivered with {1} bytes", block, sizeBytes);
    const first = c.firstSubBlock(block);
    const count = c.subBlocksIn(block);
    for (let i = 0; i < count; i++) {
      assert(this.okDelivered[first + i] === 1, "block {0} delivered without an intact sub-block {1}", block, first + i);
    }
    this.nextBlock++;
    const rec = this.recorder;
    if (rec !== null) {
      const t = rec.bounds.blockEnded(block);
      rec.collector.blockEnded(block, now, sizeBytes, Number.isFinite(t.tStarUs) ? t.tStarUs : 0, Number.isFinite(t.tGUs) ? t.tGUs : 0);
    }
    this.player.deliver(now, sizeBytes);
    if (this.nextBlock === c.blockCount) {
      this.completionUs = now;
      this.onComplete();
    }
  }
}
