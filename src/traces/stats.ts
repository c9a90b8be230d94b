// Summary figures of a trace: its total duration and its time-weighted mean bandwidth.

import type { Trace } from "./trace.ts";

export function traceDurationUs(trace: Trace): number {
  return trace.segments.reduce((sum, s) => sum + s.durationUs, 0);
}

/** Mean bandwidth weighted by segment duration (bit/s); NaN for a trace with no duration. */
export function traceMeanBps(trace: Trace): number {
  const bits = trace.segments.reduce((sum, s) => sum + s.bps * s.durationUs, 0);
  return bits / traceDurationUs(trace);
}
