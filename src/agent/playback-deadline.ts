// Playback deadlines from the agent's own delivery history: playback starts when startupBufferUs of content
// (at bitrateBps) has been delivered; from then on the byte at offset o is played at
//   playStartUs + stallUs + o × 8 / bitrateBps
// where stallUs accumulates the lateness of blocks delivered after their deadline (the player is assumed to
// resume as soon as the late block arrives). Before playback starts, and without a bitrate, there is no
// deadline (+∞). A reservation: playback starts at the earliest when the viewer asks to play. Live content: playback starts at the block the agent joined at (startAt), offsets count from it.

import type { Content } from "./content.ts";

export class PlaybackDeadline {
  private deliveredBytes = 0;
  private playStartUs = -1;
  private stallUs = 0;
  private startupBytes: number;
  /** The first byte played (live content: the start of the block joined at). */
  private firstOffsetBytes = 0;

  constructor(
    private readonly content: Content,
    private readonly bitrateBps: number,
    startupBufferUs: number,
  ) {
    this.startupBytes = Math.min(content.sizeBytes, (bitrateBps * Math.max(0, startupBufferUs)) / 8e6);
  }

  /** A reservation: playback starts no earlier than this (the viewer asks to play then), µs. */
  notBeforeUs = 0;

  /** Live content: playback begins with this block, before any was delivered. */
  startAt(block: number, startupBufferUs: number): void {
    this.firstOffsetBytes = this.content.blockOffsetBytes(block);
    const left = this.content.sizeBytes - this.firstOffsetBytes;
    this.startupBytes = Math.min(left, (this.bitrateBps * Math.max(0, startupBufferUs)) / 8e6);
  }

  get started(): boolean {
    return this.playStartUs >= 0;
  }

  /** When playback reaches the first byte of the block (µs); +∞ when unknown. */
  deadlineUs(block: number): number {
    if (this.bitrateBps <= 0 || this.playStartUs < 0) return Number.POSITIVE_INFINITY;
    return this.playStartUs + this.stallUs + ((this.content.blockOffsetBytes(block) - this.firstOffsetBytes) * 8e6) / this.bitrateBps;
  }

  /** Blocks are delivered in order. */
  delivered(block: number, nowUs: number): void {
    if (this.bitrateBps <= 0) return;
    const deadline = this.deadlineUs(block);
    if (nowUs > deadline) this.stallUs += nowUs - deadline;
    this.deliveredBytes += this.content.blockSize(block);
    if (this.playStartUs < 0 && this.deliveredBytes >= this.startupBytes) this.playStartUs = Math.max(nowUs, this.notBeforeUs);
  }
}
