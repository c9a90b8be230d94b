// Test doubles for the agent's ports: a scripted clock/transport/tracker/sink that records every call (tests
// drive the agent event by event), and FakeNet, a tiny deterministic network on top of them (each node serves
// its connection's requests back to back at a fixed rate after one RTT) for end-to-end runs. Not the simulator.

import { Agent } from "../../src/agent/agent.ts";
import type { AgentConfig } from "../../src/agent/config.ts";
import type {
  AgentEvent,
  AgentObserver,
  AgentPorts,
  NodeInfo,
  Oracle,
  SubBlockId,
} from "../../src/agent/ports.ts";
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

interface PendingTimer {
  readonly id: number;
  readonly atUs: number;
}

/** Records every port call; the test plays the world. */
export class Script {
  nowUs = 0;
  private nextTimer = 1;
  private nextConn = 0;
  readonly timers: PendingTimer[] = [];
  readonly connects: { connId: number; nodeId: number; atUs: number }[] = [];
  readonly requests: { connId: number; ids: SubBlockId[]; atUs: number }[] = [];
  readonly cancels: { connId: number; ids: SubBlockId[] }[] = [];
  readonly closes: number[] = [];
  readonly trackerAsks: number[] = [];
  readonly delivered: { block: number; sizeBytes: number; atUs: number }[] = [];
  readonly blacklisted: { nodeId: number; reason: string }[] = [];
  /** When each of `blacklisted` happened, µs. */
  readonly blacklistedAtUs: number[] = [];
  readonly rebalances: { from: number; to: number; count: number }[] = [];
  readonly fallbacks: string[] = [];
  /** Hooks for FakeNet. */
  onRequest: (connId: number, ids: readonly SubBlockId[]) => void = () => {};
  onCancel: (connId: number, ids: readonly SubBlockId[]) => void = () => {};
  onClose: (connId: number) => void = () => {};
  onConnect: (connId: number, nodeId: number) => void = () => {};
  onTimerSet: (id: number, atUs: number) => void = () => {};
  onTrackerAsk: () => void = () => {};
  /** When each tracker request was made, µs. */
  readonly trackerAskTimesUs: number[] = [];

  readonly observer: AgentObserver = {
    rebalance: (_t, from, to, count) => this.rebalances.push({ from, to, count }),
    blacklisted: (t, nodeId, reason) => {
      this.blacklisted.push({ nodeId, reason });
      this.blacklistedAtUs.push(t);
    },
    fallback: (_t, reason) => this.fallbacks.push(reason),
  };

  ports(oracle?: Oracle): AgentPorts {
    return {
      clock: {
        nowUs: () => this.nowUs,
        setTimer: (delayUs) => {
          const id = this.nextTimer++;
          this.timers.push({ id, atUs: this.nowUs + delayUs });
          this.onTimerSet(id, this.nowUs + delayUs);
          return id;
        },
        cancelTimer: (id) => {
          const i = this.timers.findIndex((t) => t.id === id);
          if (i >= 0) this.timers.splice(i, 1);
        },
      },
      transport: {
        connect: (nodeId) => {
          const connId = this.nextConn++;
          this.connects.push({ connId, nodeId, atUs: this.nowUs });
          this.onConnect(connId, nodeId);
          return connId;
        },
        request: (connId, ids) => {
          this.requests.push({ connId, ids: [...ids], atUs: this.nowUs });
          this.onRequest(connId, ids);
        },
        cancel: (connId, ids) => {
          this.cancels.push({ connId, ids: [...ids] });
          this.onCancel(connId, ids);
        },
        close: (connId) => {
          this.closes.push(connId);
          this.onClose(connId);
        },
      },
      tracker: {
        requestNodes: (n) => {
          this.trackerAsks.push(n);
          this.trackerAskTimesUs.push(this.nowUs);
          this.onTrackerAsk();
        },
        announce: () => {},
      },
      sink: {
        deliverBlock: (block, sizeBytes) => this.delivered.push({ block, sizeBytes, atUs: this.nowUs }),
      },
      oracle,
      observer: this.observer,
    };
  }

  /** Fires every timer due at or before t (in time order), advancing the clock. */
  advanceTo(agent: Agent, t: number): void {
    for (let guard = 0; guard < 10_000; guard++) {
      const due = this.timers.filter((x) => x.atUs <= t).sort((a, b) => a.atUs - b.atUs || a.id - b.id)[0];
      if (due === undefined) break;
      this.timers.splice(this.timers.indexOf(due), 1);
      this.nowUs = due.atUs;
      agent.handle({ type: "timer", timerId: due.id });
    }
    this.nowUs = t;
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
  readonly connId: number;
  readonly event: AgentEvent | null; // null: a timer marker
  readonly timerId: number;
  readonly subBlockId: number;
}

/** A deterministic little network driving an agent to completion. */
export class FakeNet {
  readonly script = new Script();
  readonly agent: Agent;
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
    oracle?: Oracle,
  ) {
    const s = this.script;
    s.onTrackerAsk = () =>
      this.push(s.nowUs + 1_000, -1, { type: "tracker-nodes", nodes: this.trackerList() });
    s.onTimerSet = (id, atUs) =>
      this.queue.push({ atUs, seq: this.seq++, connId: -1, event: null, timerId: id, subBlockId: -1 });
    s.onConnect = (connId, nodeId) => {
      const node = nodes.find((n) => n.info.nodeId === nodeId)!;
      this.connNode.set(connId, node);
      this.busyUntil.set(connId, 0);
      const at = s.nowUs + node.rttUs;
      const goneAtUs = Math.min(node.resetAtUs ?? Infinity, node.silentAtUs ?? Infinity);
      if (at >= goneAtUs) return; // gone: never answers
      this.push(
        at,
        connId,
        node.refuse ? { type: "connect-failed", connId, reason: "refused" } : { type: "connected", connId },
      );
      if (!node.refuse && node.resetAtUs !== undefined) {
        this.push(node.resetAtUs, connId, { type: "disconnected", connId, reason: "reset" });
      }
    };
    s.onRequest = (connId, ids) => {
      const node = this.connNode.get(connId)!;
      let t = Math.max(s.nowUs + node.rttUs, this.busyUntil.get(connId)!);
      for (const id of ids) {
        this.sentOn.set(connId, [...(this.sentOn.get(connId) ?? []), id]);
        const size = this.agentContentSize(id);
        const end = t + Math.ceil((size * 8e6) / node.rateBps);
        if (end < Math.min(node.resetAtUs ?? Infinity, node.silentAtUs ?? Infinity)) {
          const bad = node.corrupt?.delete(id) ?? false;
          this.push(
            end,
            connId,
            { type: "sub-block", connId, subBlockId: id, sizeBytes: size, firstByteUs: t, checksumOk: !bad },
            id,
          );
        }
        t = end;
      }
      this.busyUntil.set(connId, t);
    };
    s.onCancel = (connId, ids) => {
      for (let i = this.queue.length - 1; i >= 0; i--) {
        const q = this.queue[i];
        if (q.connId === connId && ids.includes(q.subBlockId)) this.queue.splice(i, 1);
      }
    };
    s.onClose = (connId) => {
      this.closed.add(connId);
      for (let i = this.queue.length - 1; i >= 0; i--)
        if (this.queue[i].connId === connId) this.queue.splice(i, 1);
    };
    this.agent = new Agent(config, s.ports(oracle), strategy);
  }

  private agentContentSize(id: SubBlockId): number {
    const { sizeBytes, blockBytes, subBlockBytes } = this.config.content;
    const per = Math.ceil(blockBytes / subBlockBytes);
    const block = Math.floor(id / per);
    const blockSize = Math.min(blockBytes, sizeBytes - block * blockBytes);
    return Math.min(subBlockBytes, blockSize - (id - block * per) * subBlockBytes);
  }

  private push(atUs: number, connId: number, event: AgentEvent, subBlockId = -1): void {
    this.queue.push({ atUs, seq: this.seq++, connId, event, timerId: -1, subBlockId });
  }

  /** Runs until the agent finishes or nothing is left; returns the number of events handled. */
  run(maxEvents = 100_000): number {
    const s = this.script;
    this.agent.start();
    let n = 0;
    while (!this.agent.finished && n < maxEvents) {
      if (this.queue.length === 0) break;
      let best = 0;
      for (let i = 1; i < this.queue.length; i++) {
        const a = this.queue[i];
        const b = this.queue[best];
        if (a.atUs < b.atUs || (a.atUs === b.atUs && a.seq < b.seq)) best = i;
      }
      const next = this.queue.splice(best, 1)[0];
      s.nowUs = Math.max(s.nowUs, next.atUs);
      if (next.event === null) {
        const i = s.timers.findIndex((t) => t.id === next.timerId);
        if (i < 0) continue; // cancelled
        s.timers.splice(i, 1);
        this.agent.handle({ type: "timer", timerId: next.timerId });
      } else {
        if (next.connId >= 0 && this.closed.has(next.connId)) continue;
        this.agent.handle(next.event);
      }
      n++;
    }
    return n;
  }
}
