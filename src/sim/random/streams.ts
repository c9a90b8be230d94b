// Named random streams: every consumer of randomness (a peer's churn, the tracker's list order, ...) owns a
// stream seeded from (scenario seed, stream name) alone, so adding a peer or changing a strategy never shifts
// anybody else's draws. This is the basis of "common random numbers" across strategies.

import seedrandom from "seedrandom";
import { assert } from "../../assert.ts";

/** A source of uniform numbers in [0, 1). */
export interface Rng {
  next(): number;
}

/** Longest stream name accepted: names are short paths such as `peer/17/churn`. */
const MAX_NAME_LENGTH = 200;

export class RandomStreams {
  private readonly streams = new Map<string, Rng>();

  constructor(readonly seed: number) {
    assert(Number.isFinite(seed), "random seed must be a finite number, got {0}", seed);
  }

  /** The stream called `name`: the same object on every call, seeded with `${seed}/${name}` (alea). */
  stream(name: string): Rng {
    const cached = this.streams.get(name);
    if (cached !== undefined) return cached;
    assert(name.length > 0 && name.length <= MAX_NAME_LENGTH, "bad random stream name \"{0}\"", name);
    // alea's generator reads its state from its own closure, never from `this`: it can be the method itself.
    const rng: Rng = { next: seedrandom.alea(`${this.seed}/${name}`) };
    this.streams.set(name, rng);
    return rng;
  }
}

/** A uniform integer in [0, n), from exactly one draw. */
export function uniformInt(rng: Rng, n: number): number {
  assert(Number.isInteger(n) && n > 0, "uniformInt needs a positive integer bound, got {0}", n);
  return Math.min(n - 1, Math.floor(rng.next() * n));
}

/** Fisher-Yates shuffle from the end: array.length - 1 draws, every permutation equally likely. */
export function shuffleInPlace<T>(rng: Rng, array: T[]): T[] {
  for (let i = array.length - 1; i > 0; i--) {
    const j = uniformInt(rng, i + 1);
    const tmp = array[i];
    array[i] = array[j];
    array[j] = tmp;
  }
  return array;
}
