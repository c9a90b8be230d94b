// The player: consumes complete blocks in order at the content bitrate once a start-up threshold of content
// is buffered; when the playhead reaches the end of what has arrived it stalls until the next block arrives.
// Driven by block deliveries only (its state between deliveries follows from the bitrate), so it schedules no
// events and can never change the simulation. Without a bitrate the run is a plain download: no player.

import { assert } from "../assert.ts";
import type { SeriesPoint } from "./metrics/records.ts";

export interface PlayerReport {
  /** -1 without a player. */
  readonly startupDelayS: number;
  readonly stallCount: number;
  readonly stallS: number;
  readonly rebufferRatio: number;
  readonly bufferSeries: readonly SeriesPoint[];
  readonly stalls: readonly (readonly [number, number])[];
}

export class Player {
  private bufferedUs = 0; // content duration delivered so far
  private deliveredBytes = 0;
  private startUs = -1; // wall (simulated) time playback started
  private playheadUs = 0; // content position at lastUs
  private lastUs = 0;
  private stalledSinceUs = -1;
  private stallTotalUs = 0;
  private readonly stallList: [number, number][] = [];
  private readonly series: SeriesPoint[] = [];

  constructor(
    private readonly bitrateBps: number,
    private readonly startupBufferUs: number,
    private readonly totalBytes: number,
    /** A reservation: playback starts no earlier than this, µs (when the viewer asks to play). */
    private readonly playAtUs = 0,
  ) {}

  get enabled(): boolean {
    return this.bitrateBps > 0;
  }

  /** When playback started, µs (-1: not yet). */
  get startedUs(): number {
    return this.startUs;
  }

  /**
   * When playback of what was delivered ends if nothing more arrives, seen at nowUs (a time ≥ the last
   * delivery): nowUs when it never started (or there is no player).
   */
  playbackEndUs(nowUs: number): number {
    if (!this.enabled || this.startUs < 0) return nowUs;
    this.advance(nowUs);
    return this.stalledSinceUs >= 0 ? nowUs : Math.max(nowUs, this.lastUs) + (this.bufferedUs - this.playheadUs);
  }

  /**
   * Live content produced from t = 0: how far behind the live edge playback is at nowUs (a time ≥ the last
   * delivery), µs, when the first byte played is at content position firstOffsetUs; once everything delivered
   * was played and nothing more is to come, how far behind it was when playback ended. -1 before playback
   * started. Reads the state without advancing it (so it records nothing).
   */
  liveLagUs(nowUs: number, firstOffsetUs: number): number {
    if (!this.enabled || this.startUs < 0) return -1;
    let positionUs = this.playheadUs;
    let atUs = nowUs;
    if (this.stalledSinceUs < 0) {
      const canPlayUs = this.bufferedUs - this.playheadUs;
      const elapsedUs = nowUs - this.lastUs;
      if (elapsedUs < canPlayUs) {
        positionUs += elapsedUs;
      } else {
        positionUs = this.bufferedUs;
        if (this.deliveredBytes === this.totalBytes) atUs = this.lastUs + canPlayUs;
      }
    }
    return atUs - (firstOffsetUs + positionUs);
  }

  /** A complete block arrived at nowUs. */
  deliver(nowUs: number, sizeBytes: number): void {
    assert(this.deliveredBytes + sizeBytes <= this.totalBytes, "player received more bytes than the content holds");
    if (this.enabled) this.advance(nowUs);
    this.deliveredBytes += sizeBytes;
    if (!this.enabled) return;
    this.bufferedUs += Math.round((sizeBytes * 8 * 1e6) / this.bitrateBps);
    const complete = this.deliveredBytes === this.totalBytes;
    if (this.startUs < 0 && (this.bufferedUs >= this.startupBufferUs || complete)) {
      this.startUs = Math.max(nowUs, this.playAtUs);
      this.lastUs = this.startUs;
    } else if (this.stalledSinceUs >= 0) {
      // A block that arrives at the very µs the buffer ran dry paused nothing: not a stall.
      if (nowUs > this.stalledSinceUs) {
        this.stallList.push([this.stalledSinceUs, nowUs]);
        this.stallTotalUs += nowUs - this.stalledSinceUs;
      }
      this.stalledSinceUs = -1;
      this.lastUs = nowUs;
    }
    this.series.push({ timeUs: nowUs, value: (this.bufferedUs - this.playheadUs) / 1e6 });
  }

  /** Plays from lastUs to nowUs; records a stall if the buffer ran dry in between. */
  private advance(nowUs: number): void {
    if (this.startUs < 0 || this.stalledSinceUs >= 0 || nowUs < this.lastUs) return; // before a reservation's play time
    const canPlayUs = this.bufferedUs - this.playheadUs;
    const elapsedUs = nowUs - this.lastUs;
    if (elapsedUs >= canPlayUs) {
      const dryUs = this.lastUs + canPlayUs;
      this.playheadUs = this.bufferedUs;
      if (this.deliveredBytes < this.totalBytes || dryUs < nowUs) {
        this.series.push({ timeUs: dryUs, value: 0 });
        if (this.deliveredBytes < this.totalBytes) this.stalledSinceUs = dryUs;
      }
    } else {
      this.playheadUs += elapsedUs;
    }
    this.lastUs = nowUs;
  }

  report(): PlayerReport {
    if (!this.enabled) {
      return { startupDelayS: -1, stallCount: 0, stallS: 0, rebufferRatio: 0, bufferSeries: [], stalls: [] };
    }
    const contentUs = Math.round((this.totalBytes * 8 * 1e6) / this.bitrateBps);
    const stallS = this.stallTotalUs / 1e6;
    return {
      startupDelayS: this.startUs / 1e6,
      stallCount: this.stallList.length,
      stallS,
      rebufferRatio: this.stallTotalUs / (this.stallTotalUs + contentUs),
      bufferSeries: this.series,
      stalls: this.stallList,
    };
  }
}
