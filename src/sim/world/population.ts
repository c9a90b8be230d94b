// Who arrives in a swarm, and when, and what each viewer is: the arrival times of a viewer group (its count at
// its start, all at once; then Poisson arrivals at a constant rate, or at the decaying rate λ₀·e^(−t/τ) of a
// flash crowd), and each viewer's own parameters (downlink, uplink, latency, strategy, reservation, lingering,
// abandonment), drawn from streams named after the viewer (`viewers/<group>/<i>/…` for the count's viewers,
// `viewers/<group>/a<k>/…` for the k-th arrival): adding a viewer shifts nobody else's draws. The arrival times
// of a group come from its own stream `viewers/<group>/arrivals`.

import { assert } from "../../assert.ts";
import type { ViewerGroupConfig } from "../swarm-config.ts";
import { makeSampler, unitExponential } from "../random/distributions.ts";
import { uniformInt, type RandomStreams, type Rng } from "../random/streams.ts";

/** One viewer as drawn: where it comes from and its own parameters. */
export interface ViewerDraw {
  readonly group: number;
  /** `<group name>#<i>` (present at start) or `<group name>+<k>` (arrived). */
  readonly label: string;
  /** Prefix of its random streams. */
  readonly streamPrefix: string;
  readonly downlinkBps: number;
  readonly uplinkBps: number;
  readonly latencyUs: number;
  /** Its strategy (null: the run's). */
  readonly strategy: string | null;
  /** How long before it asks to play it reserves (0: no reservation), µs. */
  readonly reserveUs: number;
  /** How long it stays after its playback ended, µs. */
  readonly lingerUs: number;
  /** When it abandons, counted from its arrival (Infinity: never), µs. */
  readonly abandonAfterUs: number;
}

/** The arrival process of one group after its start: the next arrival time, or -1 when there is none. */
export class ArrivalProcess {
  private readonly rng: Rng;
  /** Expected arrivals since the start so far (Λ(t) of the last arrival). */
  private cumulative = 0;
  private arrived = 0;

  constructor(
    streams: RandomStreams,
    groupIndex: number,
    private readonly group: ViewerGroupConfig,
  ) {
    this.rng = streams.stream(`viewers/${groupIndex}/arrivals`);
  }

  /** Arrivals drawn so far. */
  get arrivedCount(): number {
    return this.arrived;
  }

  /**
   * The time of the next arrival (µs), or -1 when the process is over (max count reached, or a decaying rate
   * whose expected total λ₀τ is used up). By inversion of Λ(t): Λ(t_next) = Λ(t_last) + Exp(1), one draw each.
   */
  next(): number {
    const a = this.group.arrivals;
    if (a === undefined || this.arrived >= a.maxCount) return -1;
    this.cumulative += unitExponential(this.rng);
    let sinceStartS: number;
    if (a.process === "poisson" || !Number.isFinite(a.decayS)) {
      sinceStartS = this.cumulative / a.ratePerS;
    } else {
      // Λ(t) = λ₀τ(1 − e^(−t/τ)) < λ₀τ: beyond it, no more arrivals.
      const total = a.ratePerS * a.decayS;
      if (this.cumulative >= total) return -1;
      sinceStartS = -a.decayS * Math.log(1 - this.cumulative / total);
    }
    this.arrived++;
    return this.group.startUs + Math.round(sinceStartS * 1e6);
  }
}

/** Draws viewer `key` of group gi (key: `<i>` for the count's viewers, `a<k>` for arrivals). */
export function drawViewer(streams: RandomStreams, gi: number, g: ViewerGroupConfig, key: string, label: string): ViewerDraw {
  const prefix = `viewers/${gi}/${key}`;
  const rng = streams.stream(`${prefix}/params`);
  // A fixed order of draws: downlink, uplink, latency; then the rest from their own streams.
  const downlinkBps = Math.max(1, makeSampler(g.downlinkBps)(rng));
  const uplinkBps = Math.max(0, makeSampler(g.uplinkBps)(rng));
  const latencyUs = Math.max(0, Math.round(makeSampler(g.latencyMs)(rng) * 1000));
  assert(g.strategies.length > 0, "viewer group {0} has no strategy", g.name);
  let strategy = g.strategies[0].strategy;
  if (g.strategies.length > 1) strategy = pickShare(streams.stream(`${prefix}/strategy`), g.strategies);
  const reserveUs = g.reserveUs > 0 ? 1 + uniformInt(streams.stream(`${prefix}/reserve`), g.reserveUs) : 0;
  const lingerUs = Math.max(0, Math.round(makeSampler(g.departure.lingerS)(streams.stream(`${prefix}/linger`)) * 1e6));
  // Abandoning is a hazard p per minute: the time to it is geometric in minutes, continuous as exponential.
  const p = g.departure.abandonPerMin;
  const abandonAfterUs =
    p > 0 ? Math.round((unitExponential(streams.stream(`${prefix}/abandon`)) / -Math.log(1 - p)) * 60e6) : Number.POSITIVE_INFINITY;
  return { group: gi, label, streamPrefix: prefix, downlinkBps, uplinkBps, latencyUs, strategy, reserveUs, lingerUs, abandonAfterUs };
}

/** One strategy of a mix, with probability proportional to its share. */
function pickShare(rng: Rng, shares: readonly { strategy: string | null; share: number }[]): string | null {
  let total = 0;
  for (const s of shares) total += s.share;
  let u = rng.next() * total;
  for (const s of shares) {
    if (u < s.share) return s.strategy;
    u -= s.share;
  }
  return shares[shares.length - 1].strategy;
}
