// Content layout arithmetic: blocks, sub-blocks and their sizes. The last block and the last sub-block of a
// block may be short. SubBlockId = blockIndex × subBlocksPerBlock + index within the block, so a short last
// block leaves unused ids at the end of the id space; nothing ever requests them.

import { assert } from "../assert.ts";
import type { ContentLayout } from "./config.ts";
import type { SubBlockId } from "./ports.ts";

export class Content {
  readonly sizeBytes: number;
  readonly blockBytes: number;
  readonly subBlockBytes: number;
  readonly blockCount: number;
  /** Sub-blocks in a full block (also the id stride between blocks). */
  readonly subBlocksPerBlock: number;

  constructor(layout: ContentLayout) {
    const { sizeBytes, blockBytes, subBlockBytes } = layout;
    for (const [name, v] of [
      ["sizeBytes", sizeBytes],
      ["blockBytes", blockBytes],
      ["subBlockBytes", subBlockBytes],
    ] as const) {
      assert(Number.isSafeInteger(v) && v > 0, "content {0} must be a positive integer, got {1}", name, v);
    }
    this.sizeBytes = sizeBytes;
    this.blockBytes = blockBytes;
    this.subBlockBytes = Math.min(subBlockBytes, blockBytes);
    this.blockCount = Math.ceil(sizeBytes / blockBytes);
    this.subBlocksPerBlock = Math.ceil(blockBytes / this.subBlockBytes);
  }

  blockSize(block: number): number {
    this.checkBlock(block);
    return Math.min(this.blockBytes, this.sizeBytes - block * this.blockBytes);
  }

  /** Byte offset of the block's first byte in the content. */
  blockOffsetBytes(block: number): number {
    this.checkBlock(block);
    return block * this.blockBytes;
  }

  /** Number of sub-blocks of this block (fewer than subBlocksPerBlock only for a short last block). */
  subBlocksIn(block: number): number {
    return Math.ceil(this.blockSize(block) / this.subBlockBytes);
  }

  firstSubBlock(block: number): SubBlockId {
    this.checkBlock(block);
    return block * this.subBlocksPerBlock;
  }

  /** The block's sub-block ids, ascending. */
  subBlockIds(block: number): SubBlockId[] {
    const first = this.firstSubBlock(block);
    const n = this.subBlocksIn(block);
    const ids: SubBlockId[] = [];
    for (let i = 0; i < n; i++) ids.push(first + i);
    return ids;
  }

  blockOf(id: SubBlockId): number {
    return Math.floor(id / this.subBlocksPerBlock);
  }

  subBlockSize(id: SubBlockId): number {
    const block = this.blockOf(id);
    const i = id - block * this.subBlocksPerBlock;
    const blockBytes = this.blockSize(block);
    assert(i < Math.ceil(blockBytes / this.subBlockBytes), "sub-block {0} does not exist", id);
    return Math.min(this.subBlockBytes, blockBytes - i * this.subBlockBytes);
  }

  isValid(id: SubBlockId): boolean {
    if (!Number.isSafeInteger(id) || id < 0) return false;
    const block = this.blockOf(id);
    return block < this.blockCount && id - block * this.subBlocksPerBlock < this.subBlocksIn(block);
  }

  private checkBlock(block: number): void {
    assert(Number.isSafeInteger(block) && block >= 0 && block < this.blockCount, "block {0} does not exist", block);
  }
}
