// Connection-state estimation: one connection's RTT and download rate, EWMA-smoothed.
// - RTT sample: request → first byte of the first sub-block of a request sent to an idle connection (a request
//   queued behind earlier ones would measure queueing, not the RTT).
// - Rate sample: bytes × 8 / (end − firstByte) of each sub-block (samples of zero duration are skipped).
// - Before the first sample of each kind the estimate is the prior (the tracker's node information); the first
//   sample replaces the prior, later ones are blended: est ← α·sample + (1 − α)·est.

import { assert } from "../assert.ts";
import type { NodeInfo } from "./ports.ts";

/** Prior used for a node the tracker told us nothing about (the origin, typically). */
export const DEFAULT_PRIOR_RATE_BPS = 1_000_000;
export const DEFAULT_PRIOR_RTT_US = 100_000;
/** Floor on any rate estimate, so divisions by a rate stay finite. */
export const MIN_RATE_BPS = 1_000;

/** Tracker prior: advertisedUplinkBps × (1 − load) / (1 + connectedUsers), and the RTT hint. */
export function priorFromNodeInfo(info: NodeInfo | undefined): { rateBps: number; rttUs: number } {
  if (info === undefined) return { rateBps: DEFAULT_PRIOR_RATE_BPS, rttUs: DEFAULT_PRIOR_RTT_US };
  const load = Math.min(1, Math.max(0, info.load));
  const rateBps = (info.advertisedUplinkBps * (1 - load)) / (1 + Math.max(0, info.connectedUsers));
  return { rateBps: Math.max(MIN_RATE_BPS, rateBps), rttUs: Math.max(0, info.rttHintMs * 1000) };
}

export class ConnectionEstimate {
  private rate: number;
  private rtt: number;
  private rateSamples = 0;
  private rttSamples = 0;

  constructor(
    prior: { rateBps: number; rttUs: number },
    private readonly alpha: number,
  ) {
    assert(alpha > 0 && alpha <= 1, "ewmaAlpha must be in (0, 1], got {0}", alpha);
    this.rate = Math.max(MIN_RATE_BPS, prior.rateBps);
    this.rtt = Math.max(0, prior.rttUs);
  }

  get rateBps(): number {
    return this.rate;
  }

  get rttUs(): number {
    return this.rtt;
  }

  /** True once the rate has been measured on this connection (the RTT may still be the prior). */
  get measured(): boolean {
    return this.rateSamples > 0;
  }

  addRttSample(rttUs: number): void {
    if (!(rttUs >= 0)) return;
    this.rtt = this.rttSamples === 0 ? rttUs : this.alpha * rttUs + (1 - this.alpha) * this.rtt;
    this.rttSamples++;
  }

  addTransferSample(bytes: number, durationUs: number): void {
    if (!(durationUs > 0) || !(bytes > 0)) return;
    const sample = Math.max(MIN_RATE_BPS, (bytes * 8e6) / durationUs);
    this.rate = this.rateSamples === 0 ? sample : this.alpha * sample + (1 - this.alpha) * this.rate;
    this.rateSamples++;
  }

  /** Expected time to receive `bytes` on this connection starting from an idle request (µs). */
  expectedUs(bytes: number): number {
    return this.rtt + (bytes * 8e6) / this.rate;
  }
}
