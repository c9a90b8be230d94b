// Live content (AgentConfig.live): the content is produced at the bitrate from producedFromUs on, so a block
// exists once its last byte was produced, and an agent that starts at t joins at the live edge minus the target
// latency: at the block holding content position t − producedFromUs − targetLatencyUs (block 0 while that is
// not positive; the last block once it is past the end). The simulator uses the same two functions to know
// where a viewer's player starts, so the agent and its driver agree by construction.

import type { LiveSettings } from "./config.ts";
import type { Content } from "./content.ts";

/** The block an agent starting at nowUs downloads first. */
export function liveJoinBlock(content: Content, bitrateBps: number, live: LiveSettings, nowUs: number): number {
  const positionUs = nowUs - live.producedFromUs - live.targetLatencyUs;
  if (positionUs <= 0) return 0;
  const positionBytes = Math.floor((positionUs * bitrateBps) / 8e6);
  return Math.min(content.blockCount - 1, Math.floor(positionBytes / content.blockBytes));
}

/** When the block's last byte is produced, µs (an integer: the first µs the block exists). */
export function blockProducedUs(content: Content, bitrateBps: number, live: LiveSettings, block: number): number {
  const endBytes = content.blockOffsetBytes(block) + content.blockSize(block);
  return live.producedFromUs + Math.ceil((endBytes * 8e6) / bitrateBps);
}
