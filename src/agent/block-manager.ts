// Block manager: hands complete blocks over strictly in order, each exactly once (`deliver-block` commands),
// and announces the number of blocks held to the tracker.

import { assert } from "../assert.ts";
import type { Content } from "./content.ts";
import type { Outbox } from "./outbox.ts";

export class BlockManager {
  private readonly complete = new Set<number>();
  /** The next block to hand over. */
  nextBlock = 0;

  constructor(
    private readonly content: Content,
    private readonly out: Outbox,
  ) {}

  get finished(): boolean {
    return this.nextBlock === this.content.blockCount;
  }

  /** Marks the block complete and delivers every block now deliverable in order; returns those blocks. */
  blockComplete(block: number): number[] {
    assert(block >= this.nextBlock && !this.complete.has(block), "block {0} completed twice", block);
    this.complete.add(block);
    const delivered: number[] = [];
    while (this.complete.delete(this.nextBlock)) {
      this.out.deliverBlock(this.nextBlock, this.content.blockSize(this.nextBlock));
      delivered.push(this.nextBlock);
      this.nextBlock++;
    }
    if (delivered.length > 0) this.out.announce(this.nextBlock);
    return delivered;
  }
}
