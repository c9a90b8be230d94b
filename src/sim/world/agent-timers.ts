// The world's side of one agent's timers: a `set-timer` command becomes a kernel event at its time, a
// `cancel-timer` command marks the timer so that its event, when it comes, is not handed to the agent. Timer
// ids are the agent's own, dense from 1, so cancellations live in a byte array (doubled when full) rather than
// a Set: ~100k timers are cancelled per run of a large scenario, without hashing or rehashing.

import type { TimerId } from "../../agent/ports.ts";
import type { Kernel } from "../kernel/kernel.ts";

export class AgentTimers {
  /** One past the largest id set so far. */
  private nextId: TimerId = 1;
  /** Per timer id, 1 once cancelled and not yet fired. */
  private cancelled = new Uint8Array(1024);
  /** Cancelled ids never set (yet): honoured if they are set later, as a Set would. */
  private readonly cancelledUnknown = new Set<number>();

  constructor(
    private readonly kernel: Kernel,
    /** The kernel event kind of a timer (its payload: the id, then the viewer's index). */
    private readonly kind: number,
    /** The viewer whose agent set the timers (0: the scenario's agent). */
    private readonly viewer = 0,
  ) {}

  /** Timer id is due at atUs (an integer ≥ now). */
  set(id: TimerId, atUs: number): void {
    while (id >= this.cancelled.length) {
      const grown = new Uint8Array(this.cancelled.length * 2);
      grown.set(this.cancelled);
      this.cancelled = grown;
    }
    this.kernel.schedule(atUs, this.kind, id, this.viewer);
    if (id >= this.nextId) this.nextId = id + 1;
  }

  cancel(id: TimerId): void {
    if (Number.isInteger(id) && id >= 1 && id < this.nextId) this.cancelled[id] = 1;
    else this.cancelledUnknown.add(id);
  }

  /** Timer id's event came: true when it is still wanted (not cancelled), to be handed to the agent. */
  fired(id: TimerId): boolean {
    if (this.cancelled[id] === 1) {
      this.cancelled[id] = 0;
      return false;
    }
    return !(this.cancelledUnknown.size > 0 && this.cancelledUnknown.delete(id));
  }
}
