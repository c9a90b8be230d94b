// A fake StrategyContext for unit tests of strategies' decisions: plain connections, a pool, a clock, and the
// actions recorded (and applied to the fake state) without an agent. Tests play the agent: they call the hooks,
// move the clock, and remove arrived sub-blocks from `outstanding` themselves (`arrive`).

import { Content } from "../../src/agent/content.ts";
import type { AgentConfig } from "../../src/agent/config.ts";
import type { ConnId, SubBlockId } from "../../src/agent/ports.ts";
import type { ConnectionView, Strategy, StrategyContext } from "../../src/agent/strategy.ts";
import { makeConfig } from "./fakes.ts";

export interface FakeConn {
  id: ConnId;
  nodeId: number;
  kind: "peer" | "server" | "origin";
  rateBps: number;
  rttUs: number;
  measured: boolean;
  index: number;
  outstanding: SubBlockId[];
  pinned: boolean;
  readonly outstandingCount: number;
  outstandingAt(i: number): SubBlockId;
  /** Never the same twice: tests change `outstanding` freely, so the fake never promises an unchanged list. */
  readonly queueVersion: number;
}

let fakeQueueVersion = 0;

export type Action =
  | { readonly type: "request"; readonly conn: ConnId; readonly ids: SubBlockId[]; readonly atUs: number }
  | { readonly type: "move"; readonly from: ConnId; readonly to: ConnId; readonly ids: SubBlockId[]; readonly atUs: number }
  | { readonly type: "duplicate"; readonly conn: ConnId; readonly id: SubBlockId; readonly atUs: number };

export class FakeContext {
  nowUs = 0;
  readonly content: Content;
  readonly config: AgentConfig;
  readonly conns: FakeConn[] = [];
  pool: SubBlockId[] = [];
  readonly actions: Action[] = [];

  constructor(layout: AgentConfig["content"], over: Partial<AgentConfig> = {}) {
    this.config = makeConfig({ content: layout, ...over });
    this.content = new Content(layout);
  }

  /** Adds a ready connection (a fresh id, node id = conn id + 1, rate and RTT as the agent's estimates). */
  connect(rateBps: number, rttUs: number, measured = false): FakeConn {
    const conn: FakeConn = {
      id: this.conns.length,
      nodeId: this.conns.length + 1,
      kind: "peer",
      rateBps,
      rttUs,
      measured,
      index: 1,
      outstanding: [],
      pinned: false,
      get outstandingCount() {
        return this.outstanding.length;
      },
      outstandingAt(i: number) {
        return this.outstanding[i];
      },
      get queueVersion() {
        return ++fakeQueueVersion;
      },
    };
    this.conns.push(conn);
    return conn;
  }

  /** Puts a block's sub-blocks in the pool. */
  openBlock(block: number): void {
    this.pool = [...this.pool, ...this.content.subBlockIds(block)].sort((a, b) => a - b);
  }

  /** conn's head arrived at t: removes it, cancels its other copies, calls onSubBlockDone (and onConnectionIdle when idle). */
  arrive(strategy: Strategy, conn: FakeConn, atUs: number): SubBlockId {
    this.nowUs = atUs;
    const id = conn.outstanding.shift();
    if (id === undefined) throw new Error(`connection ${conn.id} has nothing outstanding`);
    for (const other of this.conns) {
      const k = other.outstanding.indexOf(id);
      if (k >= 0) other.outstanding.splice(k, 1);
    }
    strategy.onSubBlockDone?.(this.ctx(), conn);
    if (conn.outstanding.length === 0) strategy.onConnectionIdle(this.ctx(), conn);
    return id;
  }

  /** A fresh context, as the agent makes one per hook call. */
  ctx(): StrategyContext {
    const copies = (id: SubBlockId) => this.conns.filter((c) => c.outstanding.includes(id)).map((c) => c.id);
    const get = (id: ConnId) => {
      const c = this.conns.find((x) => x.id === id);
      if (c === undefined) throw new Error(`no connection ${id}`);
      return c;
    };
    const take = (ids: readonly SubBlockId[]) => {
      for (const id of ids) {
        const k = this.pool.indexOf(id);
        if (k < 0) throw new Error(`sub-block ${id} is not in the pool`);
        this.pool.splice(k, 1);
      }
    };
    return {
      nowUs: this.nowUs,
      block: 0,
      content: this.content,
      config: this.config,
      connections: this.conns as readonly ConnectionView[],
      pool: this.pool,
      poolFor: () => [...this.pool],
      poolHead: (_conn, max) => this.pool.slice(0, max),
      copiesOf: copies,
      canFetch: (conn, id) => !get(conn).outstanding.includes(id),
      request: (conn, ids) => {
        take(ids);
        get(conn).outstanding.push(...ids);
        this.actions.push({ type: "request", conn, ids: [...ids], atUs: this.nowUs });
      },
      move: (from, to, ids) => {
        const f = get(from);
        for (const id of ids) {
          const k = f.outstanding.indexOf(id);
          if (k < 0) throw new Error(`sub-block ${id} is not outstanding on ${from}`);
          f.outstanding.splice(k, 1);
        }
        get(to).outstanding.push(...ids);
        this.actions.push({ type: "move", from, to, ids: [...ids], atUs: this.nowUs });
      },
      duplicate: (conn, id) => {
        if (copies(id).length === 0) throw new Error(`sub-block ${id} is not in flight`);
        get(conn).outstanding.push(id);
        this.actions.push({ type: "duplicate", conn, id, atUs: this.nowUs });
      },
    };
  }
}
