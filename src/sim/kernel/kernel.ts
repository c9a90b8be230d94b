// The discrete-event kernel: integer simulated time (µs), a total order on events (time, then insertion
// sequence), named event kinds with handlers, stop conditions, a livelock guard, and the run's fingerprint:
// a hash over a canonical encoding (time, kind, a, b) of every processed event.

import { EventHeap } from "./event-heap.ts";

export type EventHandler = (a: number, b: number) => void;

export type SimErrorCode = "livelock" | "time-limit" | "event-limit" | "invariant" | "strategy";

/** An error that ends a run with a reason the harness records (never a crash of the tool). */
export class SimError extends Error {
  constructor(
    readonly code: SimErrorCode,
    message: string,
    readonly timeUs: number,
  ) {
    super(message);
    this.name = "SimError";
  }
}

export interface KernelLimits {
  /** Simulated time after which the run fails (µs). */
  readonly endTimeUs: number;
  readonly maxEvents: number;
  /** Livelock guard: more events than this at one timestamp is an error naming the busiest kind. */
  readonly maxEventsPerTimestamp: number;
}

/** The processed events, kept only when asked for (determinism checks, --trace). */
export interface EventLog {
  readonly timeUs: number[];
  readonly kind: number[];
  readonly a: number[];
  readonly b: number[];
}

const FNV_PRIME = 0x01000193;


export class Kernel {
  private readonly heap = new EventHeap(4096);
  private readonly handlers: EventHandler[] = [];
  private readonly kindNames: string[] = [];
  private now = 0;
  private stopped = false;
  private sameTimeCount = 0;
  private readonly sameTimeByKind: number[] = [];
  // Two independent 32-bit lanes of the fingerprint hash.
  private h1 = 0x811c9dc5;
  private h2 = 0x9e3779b9;
  eventsProcessed = 0;
  wallMs = 0;
  readonly log: EventLog | null;

  constructor(
    readonly limits: KernelLimits,
    recordLog = false,
  ) {
    this.log = recordLog ? { timeUs: [], kind: [], a: [], b: [] } : null;
  }

  get nowUs(): number {
    return this.now;
  }

  get peakQueueLength(): number {
    return this.heap.peakLength;
  }

  get queueLength(): number {
    return this.heap.length;
  }

  /** Registers an event kind; returns its id. Register in a fixed order: ids enter the fingerprint. */
  registerKind(name: string, handler: EventHandler): number {
    this.kindNames.push(name);
    this.sameTimeByKind.push(0);
    return this.handlers.push(handler) - 1;
  }

  kindName(kind: number): string {
    return this.kindNames[kind] ?? `kind#${kind}`;
  }

  /** The names of the registered kinds, by id. */
  registeredKinds(): readonly string[] {
    return this.kindNames;
  }

  /** Schedules an event at an absolute integer time ≥ now. Payloads are 32-bit signed integers. */
  schedule(atUs: number, kind: number, a = 0, b = 0): void {
    if (!(atUs >= this.now) || !Number.isInteger(atUs)) {
      throw new SimError(
        "invariant",
        `event ${this.kindName(kind)} scheduled at ${atUs} µs, before now (${this.now} µs) or not an integer`,
        this.now,
      );
    }
    this.heap.push(atUs, kind, a | 0, b | 0);
  }

  /** Schedules after a delay (rounded to whole µs). */
  after(delayUs: number, kind: number, a = 0, b = 0): void {
    this.schedule(this.now + Math.max(0, Math.round(delayUs)), kind, a, b);
  }

  stop(): void {
    this.stopped = true;
  }

  /** Processes events until stop() is called or the queue empties; throws SimError on a broken limit. */
  run(wallClock: () => number = () => 0): void {
    const heap = this.heap;
    const handlers = this.handlers;
    const { endTimeUs, maxEvents, maxEventsPerTimestamp } = this.limits;
    const halfGuard = Math.floor(maxEventsPerTimestamp / 2);
    const log = this.log;
    const wallStart = wallClock();
    this.stopped = false;
    try {
      while (heap.length > 0 && !this.stopped) {
        const t = heap.peekTimeUs();
        if (t > endTimeUs) {
          throw new SimError("time-limit", `simulated time limit of ${endTimeUs / 1e6} s reached`, this.now);
        }
        heap.pop();
        const kind = heap.poppedKind;
        const a = heap.poppedA;
        const b = heap.poppedB;
        if (t === this.now) {
          // Kinds are counted only over the second half of a suspiciously busy timestamp, so the guard costs
          // nothing on the normal path and still names the kind that loops.
          if (++this.sameTimeCount > halfGuard) {
            if (this.sameTimeCount === halfGuard + 1) this.sameTimeByKind.fill(0);
            this.sameTimeByKind[kind]++;
            if (this.sameTimeCount > maxEventsPerTimestamp) this.livelock(kind);
          }
        } else {
          this.now = t;
          this.sameTimeCount = 1;
        }
        if (++this.eventsProcessed > maxEvents) {
          throw new SimError("event-limit", `event limit of ${maxEvents} events reached`, this.now);
        }
        this.hash(t, kind, a, b);
        if (log !== null) {
          log.timeUs.push(t);
          log.kind.push(kind);
          log.a.push(a);
          log.b.push(b);
        }
        handlers[kind](a, b);
      }
    } finally {
      this.wallMs += wallClock() - wallStart;
    }
  }

  /** Hex digest of every event processed so far. */
  fingerprint(): string {
    const hex = (x: number) => (x >>> 0).toString(16).padStart(8, "0");
    return hex(this.h1) + hex(this.h2);
  }

  private hash(t: number, kind: number, a: number, b: number): void {
    const lo = t % 0x100000000;
    const hi = (t - lo) / 0x100000000;
    let h1 = this.h1;
    let h2 = this.h2;
    h1 = Math.imul(h1 ^ lo, FNV_PRIME);
    h1 = Math.imul(h1 ^ hi, FNV_PRIME);
    h1 = Math.imul(h1 ^ kind, FNV_PRIME);
    h1 = Math.imul(h1 ^ a, FNV_PRIME);
    h1 = Math.imul(h1 ^ b, FNV_PRIME);
    // Second lane: a murmur3-style mix so the two lanes fail independently.
    h2 = Math.imul(h2 ^ (lo + Math.imul(kind, 0x85ebca6b)), 0xcc9e2d51);
    h2 = Math.imul((h2 << 13) | (h2 >>> 19), 5) + 0xe6546b64;
    h2 = Math.imul(h2 ^ (hi + Math.imul(a, 0xc2b2ae35) + Math.imul(b, 0x27d4eb2f)), 0x1b873593);
    h2 ^= h2 >>> 16;
    this.h1 = h1;
    this.h2 = h2;
  }

  private livelock(kind: number): never {
    let busiest = kind;
    for (let k = 0; k < this.sameTimeByKind.length; k++) {
      if (this.sameTimeByKind[k] > this.sameTimeByKind[busiest]) busiest = k;
    }
    throw new SimError(
      "livelock",
      `livelock guard: more than ${this.limits.maxEventsPerTimestamp} events at t=${this.now} µs ` +
        `(mostly '${this.kindName(busiest)}': ${this.sameTimeByKind[busiest]} of the last ` +
        `${this.sameTimeCount - Math.floor(this.limits.maxEventsPerTimestamp / 2)})`,
      this.now,
    );
  }
}

/** Index of the first event where two logs differ, or -1 when they are identical. */
export function firstDifference(x: EventLog, y: EventLog): number {
  const n = Math.min(x.timeUs.length, y.timeUs.length);
  for (let i = 0; i < n; i++) {
    if (x.timeUs[i] !== y.timeUs[i] || x.kind[i] !== y.kind[i] || x.a[i] !== y.a[i] || x.b[i] !== y.b[i]) return i;
  }
  return x.timeUs.length === y.timeUs.length ? -1 : n;
}
