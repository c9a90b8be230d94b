// The agent's timers on top of the Clock port: each timer carries its own callback, so a `timer` event is
// routed without a switch over purposes. Unknown or cancelled timer ids are ignored (a host may still deliver
// a timer it was asked to cancel).

import type { Clock, TimerId } from "./ports.ts";

export class Timers {
  private readonly pending = new Map<TimerId, () => void>();

  constructor(private readonly clock: Clock) {}

  /** Runs fn after delayUs (rounded to an integer µs, at least 0). */
  set(delayUs: number, fn: () => void): TimerId {
    const id = this.clock.setTimer(Math.max(0, Math.ceil(delayUs)));
    this.pending.set(id, fn);
    return id;
  }

  cancel(id: TimerId | null): void {
    if (id !== null && this.pending.delete(id)) this.clock.cancelTimer(id);
  }

  /** Runs the timer's callback; false when the id is not (or no longer) ours. */
  fire(id: TimerId): boolean {
    const fn = this.pending.get(id);
    if (fn === undefined) return false;
    this.pending.delete(id);
    fn();
    return true;
  }

  cancelAll(): void {
    for (const id of this.pending.keys()) this.clock.cancelTimer(id);
    this.pending.clear();
  }
}
