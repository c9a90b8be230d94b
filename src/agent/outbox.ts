// The agent's outputs: the commands it queues for the driver (ports.ts), the ids it allocates for them, and
// the time of the input being handled. The agent's parts emit through this one object; the driver drains it
// through Agent.poll() once the agent has returned, so emitting never runs driver code.

import { assert } from "../assert.ts";
import type { AgentCommand, AgentNote, ConnId, NodeId, SubBlockId, TimerId } from "./ports.ts";

/** Most commands waiting for the driver: far above what one input produces (a driver that never drains). */
export const MAX_PENDING_COMMANDS = 10_000_000;

/** A note without its `type` field, kind by kind. */
type NoteBody = AgentNote extends infer N ? (N extends AgentNote ? Omit<N, "type"> : never) : never;

export class Outbox {
  /** Time of the input being handled, µs. */
  nowUs = 0;
  /** Note every decision, not only those metrics need (AgentConfig.decisionNotes): callers check it before building one. */
  decisions = false;
  /** Commands [head, tail) are waiting; the array is reused, never shortened (shortening costs a reallocation). */
  private readonly queue: (AgentCommand | undefined)[] = [];
  private head = 0;
  private tail = 0;
  private nextConnId: ConnId = 0;
  private nextTimerId: TimerId = 1;

  /** The oldest command not yet taken, or undefined when none is left. */
  poll(): AgentCommand | undefined {
    if (this.head < this.tail) {
      const c = this.queue[this.head];
      this.queue[this.head++] = undefined; // the driver owns it now
      return c;
    }
    this.head = this.tail = 0;
    return undefined;
  }

  /** Commands queued and not yet taken. */
  get pending(): number {
    return this.tail - this.head;
  }

  /** Opens a connection to nodeId under a new id. */
  connect(nodeId: NodeId): ConnId {
    const connId = this.nextConnId++;
    this.push({ type: "connect", connId, nodeId });
    return connId;
  }

  /** ids must not change after this call (pass a copy of an array someone else may change). */
  request(connId: ConnId, subBlockIds: readonly SubBlockId[]): void {
    this.push({ type: "request", connId, subBlockIds });
  }

  /** ids must not change after this call (pass a copy of an array someone else may change). */
  cancel(connId: ConnId, subBlockIds: readonly SubBlockId[]): void {
    this.push({ type: "cancel", connId, subBlockIds });
  }

  close(connId: ConnId): void {
    this.push({ type: "close", connId });
  }

  /** A timer due at atUs under a new id. */
  setTimer(atUs: number): TimerId {
    const timerId = this.nextTimerId++;
    this.push({ type: "set-timer", timerId, atUs });
    return timerId;
  }

  cancelTimer(timerId: TimerId): void {
    this.push({ type: "cancel-timer", timerId });
  }

  askTracker(maxNodes: number): void {
    this.push({ type: "ask-tracker", maxNodes });
  }

  announce(blocksHeld: number): void {
    this.push({ type: "announce", blocksHeld });
  }

  deliverBlock(blockIndex: number, sizeBytes: number): void {
    this.push({ type: "deliver-block", blockIndex, sizeBytes });
  }

  note(body: NoteBody): void {
    this.push({ type: "note", ...body } as AgentNote);
  }

  private push(command: AgentCommand): void {
    assert(this.tail - this.head < MAX_PENDING_COMMANDS, "the driver left too many of the agent's commands undrained");
    if (this.tail < this.queue.length) this.queue[this.tail] = command;
    else this.queue.push(command);
    this.tail++;
  }
}
