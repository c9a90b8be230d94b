// Capacity processes: the sequence of constant-bandwidth segments a node's link goes through, starting at
// simulated time 0. The world asks for the next segment when the current one ends. Either a trace replayed
// from a random offset and wrapped around (as Pensieve does), or a two-state good/bad Markov chain.

import type { CapacitySpec } from "../config.ts";
import { assert } from "../../assert.ts";
import { makeSampler } from "../random/distributions.ts";
import type { Rng } from "../random/streams.ts";
import { traceDurationUs } from "../../traces/stats.ts";
import type { Trace } from "../../traces/trace.ts";

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
  assert(segments.length > 0, "trace {0} has no segments", trace.name);
  for (const s of segments) {
    assert(Number.isInteger(s.durationUs) && s.durationUs >= 1, "trace {0}: segment of {1} µs", trace.name, s.durationUs);
    assert(Number.isFinite(s.bps) && s.bps >= 0, "trace {0}: segment of {1} bit/s", trace.name, s.bps);
  }
  assert(Number.isFinite(scale) && scale > 0, "trace scale must be finite and > 0, got {0}", scale);

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
  readonly goodBps: number;
  readonly badBps: number;
  readonly meanGoodS: number;
  readonly meanBadS: number;
}

/**
 * A good/bad chain with exponential holding times. It starts in its stationary distribution: good with
 * probability meanGood / (meanGood + meanBad), one draw; the first holding time is a full exponential
 * draw, which memorylessness makes exact. Each segment then takes one draw.
 */
export function markovProcess(spec: MarkovCapacity, rng: Rng): CapacityProcess {
  assert(spec.goodBps > 0 && spec.badBps >= 0, "markov capacity needs goodBps > 0 and badBps ≥ 0");
  assert(spec.meanGoodS > 0 && spec.meanBadS > 0, "markov capacity needs positive mean holding times");
  const holdGoodUs = makeSampler({ dist: "exponential", mean: spec.meanGoodS * 1e6 });
  const holdBadUs = makeSampler({ dist: "exponential", mean: spec.meanBadS * 1e6 });
  let good = rng.next() < spec.meanGoodS / (spec.meanGoodS + spec.meanBadS);
  return {
    next() {
      const durationUs = Math.max(1, Math.round((good ? holdGoodUs : holdBadUs)(rng)));
      const bps = good ? spec.goodBps : spec.badBps;
      good = !good;
      return { bps, durationUs };
    },
  };
}

/** The capacity process a spec describes, drawing from rng. */
export function capacityProcess(spec: CapacitySpec, rng: Rng): CapacityProcess {
  return spec.kind === "markov" ? markovProcess(spec, rng) : traceProcess(spec.trace, rng, spec.randomOffset, spec.scale);
}
