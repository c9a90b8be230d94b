// The real driver's time: integer microseconds of the monotonic clock (performance.now), counted from a start
// the caller takes. The only clock src/real reads; the agent sees it only through the driver's frozen copy.

/** Microseconds since `originMs` (a performance.now() reading), as an integer. */
export function wallUs(originMs: number): number {
  return Math.round((performance.now() - originMs) * 1000);
}

/** A clock that counts microseconds from its creation. */
export class WallClock {
  readonly originMs = performance.now();

  nowUs(): number {
    return wallUs(this.originMs);
  }
}
