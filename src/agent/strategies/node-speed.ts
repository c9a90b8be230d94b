// A node's speed as the strategies measure it: what the node can send, not its share of a saturated downlink.
// The agent's rate estimate (ConnectionView.rateBps) is an EWMA of what each sub-block took; when the client's
// downlink is the bottleneck, every connection whose node could send more than the fair share gets exactly that
// share (max-min sharing), so the estimate says how crowded the downlink was, not how fast the node is.
//
// Rule, per connection, from the rate samples of timeline.ts (one per arrival: size over the time since the
// sub-block's first byte):
// - a sample is *saturated* when another connection's latest sample, taken over an overlapping interval, is
//   within SAME_LEVEL of it and none of those samples is faster: under max-min sharing the flows held back by
//   the downlink all get the same rate, the highest of all (the others are held back by their own uplinks), so
//   the node could send at least that much. Two slower peers that happen to have the same uplink are not
//   mistaken for it;
// - a saturated sample only raises the speed: speed = max(speed, sample);
// - any other sample measures the node: the first one replaces the prior, later ones are blended by the
//   agent's EWMA factor (config.ewmaAlpha), as the agent's own estimate is.
// Before any sample the speed is the agent's estimate (the tracker's prior). Peers with identical uplinks look
// saturated too; their samples then only raise a prior that is already right, or keep a prior that was too
// high (the cost of the rule).

import type { ConnId } from "../ports.ts";
import type { ConnectionView, StrategyContext } from "../strategy.ts";

/** Two samples within this relative distance are at the same max-min level. */
export const SAME_LEVEL = 0.005;

interface Speed {
  bps: number;
  /** Unsaturated samples taken (the first replaces the prior). */
  samples: number;
  /** Latest sample and its interval, µs (-1: none). */
  lastBps: number;
  lastStartUs: number;
  lastEndUs: number;
}

export class NodeSpeeds {
  private readonly speeds = new Map<ConnId, Speed>();

  /** The node's speed behind conn, bits/s (the agent's estimate, i.e. the tracker's prior, before any sample). */
  speedBps(conn: ConnectionView): number {
    const s = this.speeds.get(conn.id);
    if (s !== undefined) return s.bps;
    if (!conn.measured) this.entry(conn); // keep the prior: the agent's estimate will soon be a measurement
    return conn.rateBps;
  }

  /**
   * A sub-block arrived on conn at ctx.nowUs at sampleBps, its first byte at startUs. Returns true when the
   * sample was saturated.
   */
  sample(ctx: StrategyContext, conn: ConnectionView, sampleBps: number, startUs: number): boolean {
    if (!(sampleBps > 0) || !Number.isFinite(sampleBps)) return false;
    const s = this.entry(conn);
    const now = ctx.nowUs;
    let sameLevel = false;
    let fastest = 0;
    for (const [id, o] of this.speeds) {
      if (id === conn.id || o.lastEndUs < startUs || o.lastStartUs > now) continue;
      sameLevel ||= Math.abs(o.lastBps - sampleBps) <= SAME_LEVEL * sampleBps;
      fastest = Math.max(fastest, o.lastBps);
    }
    const saturated = sameLevel && sampleBps >= (1 - SAME_LEVEL) * fastest;
    s.lastBps = sampleBps;
    s.lastStartUs = startUs;
    s.lastEndUs = now;
    if (saturated) {
      s.bps = Math.max(s.bps, sampleBps);
    } else {
      const alpha = ctx.config.ewmaAlpha;
      s.bps = s.samples === 0 ? sampleBps : alpha * sampleBps + (1 - alpha) * s.bps;
      s.samples++;
    }
    return saturated;
  }

  /** Forgets connections that are no longer ready. */
  retain(ctx: StrategyContext): void {
    if (this.speeds.size <= ctx.connections.length) return;
    const live = new Set(ctx.connections.map((c) => c.id));
    for (const id of [...this.speeds.keys()]) if (!live.has(id)) this.speeds.delete(id);
  }

  private entry(conn: ConnectionView): Speed {
    let s = this.speeds.get(conn.id);
    if (s === undefined) {
      s = { bps: conn.rateBps, samples: 0, lastBps: -1, lastStartUs: -1, lastEndUs: -1 };
      this.speeds.set(conn.id, s);
    }
    return s;
  }
}
