// The network's one pending kernel event: posted for the earliest time anything in the network happens next.
// Each post carries a generation number; a newer post (or a retire) makes every older event stale, and a stale
// event does nothing when it fires.

import type { Kernel } from "../kernel/kernel.ts";

export class Wakeup {
  private readonly kind: number;
  private gen = 0;
  /** When the current event fires (µs), Infinity when none is pending. */
  scheduledAtUs = Infinity;

  constructor(
    private readonly kernel: Kernel,
    name: string,
    handler: () => void,
  ) {
    this.kind = kernel.registerKind(name, (gen) => {
      if (gen !== this.gen) return; // superseded by a later post
      this.scheduledAtUs = Infinity;
      handler();
    });
  }

  /** Makes the pending event fire at atUs (Infinity: none pending). */
  set(atUs: number): void {
    if (atUs === this.scheduledAtUs) return;
    if (atUs === Infinity) {
      this.gen = (this.gen + 1) | 0; // nothing to wake up for: retire the pending event
      this.scheduledAtUs = Infinity;
    } else this.post(atUs);
  }

  /** Brings the pending event forward to atUs if it is later. */
  advance(atUs: number): void {
    if (atUs < this.scheduledAtUs) this.post(atUs);
  }

  private post(atUs: number): void {
    this.gen = (this.gen + 1) | 0;
    this.scheduledAtUs = atUs;
    this.kernel.schedule(atUs, this.kind, this.gen, 0);
  }
}
