// Capacity processes: the sequence of constant-bandwidth segments a node's link goes through, starting at
// simulated time 0. The world asks for the next segment when the current one ends. Either a trace replayed
// from a random offset and wrapped around (as Pensieve does), or a two-state good/bad Markov chain.

import { invariant } from "../kernel/kernel.ts";
import { makeSampler } from "../random/distributions.ts";
import type { Rng } from "../random/streams.ts";
import { traceDurationUs } from "./stats.ts";
import type { Trace } from "./trace.ts";

export interface CapacitySegment {
  readonly bps: number;
  /** Integer µs, ≥ 1. */
  readonly durationUs: number;
}

export interface CapacityProcess {
  next(): CapacitySegment;
}

/**
 * Replays `trace` with every bandwidth multiplied by `scale`. With `randomOffset`, starts at a point drawn once
 * from rng (uniform over the trace's duration), the first segment being the rest of the segment it falls in;
 * after the last segment, continues with the first.
 */
export function traceProcess(trace: Trace, rng: Rng, randomOffset: boolean, scale: number): CapacityProcess {
  const { segments } = trace;
  invariant(segments.length > 0, `trace ${trace.name} has no segments`);
  for (const s of segments) {
    invariant(
      Number.isInteger(s.durationUs) && s.durationUs >= 1,
      `trace ${trace.name}: segment of ${s.durationUs} µs`,
    );
    invariant(Number.isFinite(s.bps) && s.bps >= 0, `trace ${trace.name}: segment of ${s.bps} bit/s`);
  }
  invariant(Number.isFinite(scale) && scale > 0, `trace scale must be finite and > 0, got ${scale}`);

  const totalUs = traceDurationUs(trace);
  const offsetUs = randomOffset ? Math.min(totalUs - 1, Math.floor(rng.next() * totalUs)) : 0;
  // Find the segment holding offsetUs (at most segments.length steps).
  let index = 0;
  let startUs = 0;
  while (startUs + segments[index].durationUs <= offsetUs) {
    startUs += segments[index].durationUs;
    index++;
  }
  let firstDurationUs = startUs + segments[index].durationUs - offsetUs;

  return {
    next() {
      const segment = segments[index];
      const durationUs = firstDurationUs > 0 ? firstDurationUs : segment.durationUs;
      firstDurationUs = 0;
      index = (index + 1) % segments.length;
      return { bps: segment.bps * scale, durationUs };
    },
  };
}

export interface MarkovCapacity {
  readonly good_bps: number;
  readonly bad_bps: number;
  readonly mean_good_s: number;
  readonly mean_bad_s: number;
}

/**
 * A good/bad chain with exponential holding times. It starts in its stationary distribution: good with
 * probability mean_good / (mean_good + mean_bad), one draw; the first holding time is a full exponential
 * draw, which memorylessness makes exact. Each segment then takes one draw.
 */
export function markovProcess(spec: MarkovCapacity, rng: Rng): CapacityProcess {
  invariant(spec.good_bps > 0 && spec.bad_bps >= 0, `markov capacity needs good_bps > 0 and bad_bps ≥ 0`);
  invariant(spec.mean_good_s > 0 && spec.mean_bad_s > 0, `markov capacity needs positive mean holding times`);
  const holdGoodUs = makeSampler({ dist: "exponential", mean: spec.mean_good_s * 1e6 });
  const holdBadUs = makeSampler({ dist: "exponential", mean: spec.mean_bad_s * 1e6 });
  let good = rng.next() < spec.mean_good_s / (spec.mean_good_s + spec.mean_bad_s);
  return {
    next() {
      const durationUs = Math.max(1, Math.round((good ? holdGoodUs : holdBadUs)(rng)));
      const bps = good ? spec.good_bps : spec.bad_bps;
      good = !good;
      return { bps, durationUs };
    },
  };
}
