// Test drivers for the agent: Script, which hands it inputs one by one at a time the test sets and records every
// command it issued (tests play the world), and FakeNet, a tiny deterministic network that executes those
// commands (each node serves its connection's requests back to back at a fixed rate after one RTT) for
// end-to-end runs. Not the simulator. Both are what any driver is: a loop that takes the agent's commands.

import { Agent } from "../../src/agent/agent.ts";
import type { AgentConfig } from "../../src/agent/config.ts";
import type { AgentCommand, AgentEvent, NodeInfo, SubBlockId, TimerId } from "../../src/agent/ports.ts";
import type { Strategy } from "../../src/agent/strategy.ts";

export function makeConfig(over: Partial<AgentConfig> = {}): AgentConfig {
  return {
    content: { sizeBytes: 1_000_000, blockBytes: 1_000_000, subBlockBytes: 100_000 },
    bitrateBps: 0,
    maxConnections: 4,
    trackerListSize: 10,
    trackerRefreshUs: 5_000_000,
    connectTimeoutUs: 3_000_000,
    blacklistUs: 30_000_000,
    requestTimeoutMinUs: 2_000_000,
    requestTimeoutFactor: 4,
    ewmaAlpha: 0.3,
    index: { speedWeight: 0.8, rttWeight: 0.2 },
    originNodeId: null,
    fallback: { whenNoPeers: true, deadlineMarginUs: 0 },
    startupBufferUs: 2_000_000,
    ...over,
  };
}

export function nodeInfo(
  nodeId: number,
  uplinkBps: number,
  rttMs: number,
  kind: NodeInfo["kind"] = "peer",
): NodeInfo {
  return { nodeId, kind, advertisedUplinkBps: uplinkBps, rttHintMs: rttMs, load: 0, connectedUsers: 0 };
}

type Command<T extends AgentCommand["type"]> = Extract<AgentCommand, { type: T }>;
type Note<N extends string> = Extract<AgentCommand, { note: N }>;

/** An agent driven by hand: each input at `nowUs`; every command it issued kept with that time. */
export class Script {
  nowUs = 0;
  readonly agent: Agent;
  /** Every command the agent issued, in order, with the time of the input that issued it. */
  readonly issued: { readonly atUs: number; readonly command: AgentCommand }[] = [];
  /** Timers set and neither fired nor cancelled: id → due time, µs. */
  readonly timers = new Map<TimerId, number>();

  constructor(config: AgentConfig, strategy: Strategy) {
    this.agent = new Agent(config, strategy);
  }

  /** Starts the agent at nowUs; returns the commands it issued. */
  start(): AgentCommand[] {
    this.agent.start(this.nowUs);
    return this.drain();
  }

  /** Hands the agent one event at nowUs; returns the commands it issued. */
  handle(event: AgentEvent): AgentCommand[] {
    this.agent.handle(this.nowUs, event);
    return this.drain();
  }

  /** Fires every timer due at or before t (in time order, then id order; one overdue fires now), then sets the clock to t. */
  advanceTo(t: number): void {
    for (let guard = 0; guard < 10_000; guard++) {
      let due: [TimerId, number] | undefined;
      for (const [id, atUs] of this.timers) if (atUs <= t && (due === undefined || atUs < due[1] || (atUs === due[1] && id < due[0]))) due = [id, atUs];
      if (due === undefined) break;
      this.timers.delete(due[0]);
      this.nowUs = Math.max(this.nowUs, due[1]);
      this.handle({ type: "timer", timerId: due[0] });
    }
    this.nowUs = t;
  }

  /** The driver's loop: takes every command the agent queued, keeping the log and the timer table. */
  private drain(): AgentCommand[] {
    const taken: AgentCommand[] = [];
    for (let c = this.agent.poll(); c !== undefined; c = this.agent.poll()) {
      this.issued.push({ atUs: this.nowUs, command: c });
      if (c.type === "set-timer") this.timers.set(c.timerId, c.atUs);
      else if (c.type === "cancel-timer") this.timers.delete(c.timerId);
      taken.push(c);
    }
    return taken;
  }

  private of<T extends AgentCommand["type"], R>(type: T, f: (c: Command<T>, atUs: number) => R): R[] {
    return this.issued.filter((x) => x.command.type === type).map((x) => f(x.command as Command<T>, x.atUs));
  }

  private notes<N extends string, R>(note: N, f: (c: Note<N>, atUs: number) => R): R[] {
    return this.issued.filter((x) => "note" in x.command && x.command.note === note).map((x) => f(x.command as Note<N>, x.atUs));
  }

  get connects() {
    return this.of("connect", (c, atUs) => ({ connId: c.connId, nodeId: c.nodeId, atUs }));
  }
  get requests() {
    return this.of("request", (c, atUs) => ({ connId: c.connId, ids: [...c.subBlockIds], atUs }));
  }
  get cancels() {
    return this.of("cancel", (c) => ({ connId: c.connId, ids: [...c.subBlockIds] }));
  }
  get closes() {
    return this.of("close", (c) => c.connId);
  }
  get trackerAsks() {
    return this.of("ask-tracker", (c) => c.maxNodes);
  }
  get trackerAskTimesUs() {
    return this.of("ask-tracker", (_c, atUs) => atUs);
  }
  get delivered() {
    return this.of("deliver-block", (c, atUs) => ({ block: c.blockIndex, sizeBytes: c.sizeBytes, atUs }));
  }
  get blacklisted() {
    return this.notes("blacklisted", (c) => ({ nodeId: c.nodeId, reason: c.reason }));
  }
  get blacklistedAtUs() {
    return this.notes("blacklisted", (_c, atUs) => atUs);
  }
  get rebalances() {
    return this.notes("rebalance", (c) => ({ from: c.fromConn, to: c.toConn, count: c.movedCount }));
  }
  get fallbacks() {
    return this.notes("fallback", (c) => c.reason);
  }

  requestsOn(connId: number): SubBlockId[] {
    return this.requests.filter((r) => r.connId === connId).flatMap((r) => r.ids);
  }
}

export interface FakeNode {
  readonly info: NodeInfo;
  /** True rate (bits/s) and RTT (µs) of the fake network. */
  readonly rateBps: number;
  readonly rttUs: number;
  refuse?: boolean;
  /** Sub-blocks this node sends corrupt (each once). */
  corrupt?: Set<SubBlockId>;
  /** The node resets every connection at this time. */
  resetAtUs?: number;
  /** The node goes away without a word at this time: nothing it would send from then on arrives. */
  silentAtUs?: number;
}

interface Scheduled {
  readonly atUs: number;
  readonly seq: number;
  /** The connection the event belongs to (-1: none). */
  readonly connId: number;
  readonly subBlockId: number;
  readonly event: AgentEvent;
}

/** A deterministic little network driving an agent to completion. */
export class FakeNet {
  readonly script: Script;
  private readonly queue: Scheduled[] = [];
  private seq = 0;
  private readonly connNode = new Map<number, FakeNode>();
  private readonly busyUntil = new Map<number, number>();
  private readonly closed = new Set<number>();
  readonly sentOn = new Map<number, SubBlockId[]>();

  constructor(
    readonly nodes: FakeNode[],
    readonly config: AgentConfig,
    strategy: Strategy,
    readonly trackerList: () => NodeInfo[] = () =>
      nodes.filter((n) => n.info.kind !== "origin").map((n) => n.info),
  ) {
    this.script = new Script(config, strategy);
  }

  get agent(): Agent {
    return this.script.agent;
  }

  /** Runs until the agent finishes or nothing is left; returns the number of events handled. */
  run(maxEvents = 100_000): number {
    const s = this.script;
    this.execute(s.start());
    let n = 0;
    while (!s.agent.finished && n < maxEvents && this.queue.length > 0) {
      let best = 0;
      for (let i = 1; i < this.queue.length; i++) {
        const a = this.queue[i];
        const b = this.queue[best];
        if (a.atUs < b.atUs || (a.atUs === b.atUs && a.seq < b.seq)) best = i;
      }
      const next = this.queue.splice(best, 1)[0];
      s.nowUs = Math.max(s.nowUs, next.atUs);
      const e = next.event;
      if (e.type === "timer" ? !s.timers.delete(e.timerId) : next.connId >= 0 && this.closed.has(next.connId)) continue;
      this.execute(s.handle(e));
      n++;
    }
    return n;
  }

  private execute(commands: readonly AgentCommand[]): void {
    const now = this.script.nowUs;
    for (const c of commands) {
      switch (c.type) {
        case "set-timer":
          this.push(c.atUs, -1, { type: "timer", timerId: c.timerId });
          break;
        case "ask-tracker":
          this.push(now + 1_000, -1, { type: "tracker-nodes", nodes: this.trackerList() });
          break;
        case "connect":
          this.connect(c.connId, c.nodeId, now);
          break;
        case "request":
          this.request(c.connId, c.subBlockIds, now);
          break;
        case "cancel":
          this.drop((q) => q.connId === c.connId && c.subBlockIds.includes(q.subBlockId));
          break;
        case "close":
          this.closed.add(c.connId);
          this.drop((q) => q.connId === c.connId);
          break;
        default:
          break; // a cancelled timer leaves the script's table; blocks and notes are only recorded
      }
    }
  }

  private connect(connId: number, nodeId: number, now: number): void {
    const node = this.nodes.find((n) => n.info.nodeId === nodeId)!;
    this.connNode.set(connId, node);
    this.busyUntil.set(connId, 0);
    const at = now + node.rttUs;
    if (at >= Math.min(node.resetAtUs ?? Infinity, node.silentAtUs ?? Infinity)) return; // gone: never answers
    this.push(at, connId, node.refuse ? { type: "connect-failed", connId, reason: "refused" } : { type: "connected", connId });
    if (!node.refuse && node.resetAtUs !== undefined) {
      this.push(node.resetAtUs, connId, { type: "disconnected", connId, reason: "reset" });
    }
  }

  private request(connId: number, ids: readonly SubBlockId[], now: number): void {
    const node = this.connNode.get(connId)!;
    let t = Math.max(now + node.rttUs, this.busyUntil.get(connId)!);
    for (const id of ids) {
      this.sentOn.set(connId, [...(this.sentOn.get(connId) ?? []), id]);
      const size = this.subBlockSize(id);
      const end = t + Math.ceil((size * 8e6) / node.rateBps);
      if (end < Math.min(node.resetAtUs ?? Infinity, node.silentAtUs ?? Infinity)) {
        const checksumOk = !(node.corrupt?.delete(id) ?? false);
        this.push(end, connId, { type: "sub-block", connId, subBlockId: id, sizeBytes: size, firstByteUs: t, checksumOk }, id);
      }
      t = end;
    }
    this.busyUntil.set(connId, t);
  }

  private subBlockSize(id: SubBlockId): number {
    const { sizeBytes, blockBytes, subBlockBytes } = this.config.content;
    const per = Math.ceil(blockBytes / subBlockBytes);
    const block = Math.floor(id / per);
    const blockSize = Math.min(blockBytes, sizeBytes - block * blockBytes);
    return Math.min(subBlockBytes, blockSize - (id - block * per) * subBlockBytes);
  }

  private push(atUs: number, connId: number, event: AgentEvent, subBlockId = -1): void {
    this.queue.push({ atUs, seq: this.seq++, connId, subBlockId, event });
  }

  private drop(which: (q: Scheduled) => boolean): void {
    for (let i = this.queue.length - 1; i >= 0; i--) if (which(this.queue[i])) this.queue.splice(i, 1);
  }
}
