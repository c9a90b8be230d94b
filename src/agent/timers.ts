// The agent's timers: each timer carries its own callback, so a `timer` event is routed without a switch over
// purposes. Setting and cancelling queue commands for the driver (outbox.ts); unknown or cancelled timer ids
// are ignored (a driver may still deliver a timer it was asked to cancel).

import type { Outbox } from "./outbox.ts";
import type { TimerId } from "./ports.ts";

export class Timers {
  private readonly pending = new Map<TimerId, () => void>();

  constructor(private readonly out: Outbox) {}

  /** Runs fn after delayUs (rounded up to an integer µs, at least 0) from the current input's time. */
  set(delayUs: number, fn: () => void): TimerId {
    const id = this.out.setTimer(this.out.nowUs + Math.max(0, Math.ceil(delayUs)));
    this.pending.set(id, fn);
    return id;
  }

  cancel(id: TimerId | null): void {
    if (id !== null && this.pending.delete(id)) this.out.cancelTimer(id);
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
    for (const id of this.pending.keys()) this.out.cancelTimer(id);
    this.pending.clear();
  }
}
