// What a real run did, kept in the simulator's own record types (src/sim/metrics: Collector, Player), so a
// real download turns into the same RunResult — and so the same runs/blocks/sub-blocks CSVs, summary and
// waterfall — as a simulated run. Differences: times are wall-clock µs from the driver's start; t_star_s and
// t_g_s are 0 and the throughput bound is unknown (empty; the real capacities are unknown); the fingerprint is
// the word "real" (a real run is not deterministic).

import { Collector } from "../sim/metrics/collector.ts";
import type { RunResult, SubBlockOutcome } from "../sim/metrics/records.ts";
import { Player } from "../sim/player.ts";
import type { Content } from "../agent/content.ts";
import type { NodeKind } from "../agent/ports.ts";
import type { AgentStats } from "../agent/agent.ts";

export const REAL_FINGERPRINT = "real";

/** A sub-block request while it is in progress: the driver's live state, written to the collector when it ends. */
export interface LiveSubBlock {
  /** The collector's record of it. */
  readonly index: number;
  readonly subBlockId: number;
  readonly block: number;
  readonly nodeId: number;
  readonly nodeKind: NodeKind;
  readonly connId: number;
  readonly requestUs: number;
  firstByteUs: number;
  endUs: number;
  bytes: number;
  outcome: SubBlockOutcome | "pending";
}

export class RunRecorder {
  readonly collector: Collector;
  private readonly player: Player;
  private readonly okDelivered: Uint8Array;
  /** Every request made, in order (pending ones are written to the collector at the end). */
  private readonly recs: LiveSubBlock[] = [];
  /** 1 once a block's first sub-block was requested. */
  private readonly started: Uint8Array;
  events = 0;
  completionUs = -1;

  constructor(
    private readonly content: Content,
    bitrateBps: number,
    startupBufferUs: number,
  ) {
    this.collector = new Collector(content.blockCount);
    this.player = new Player(bitrateBps, startupBufferUs, content.sizeBytes);
    this.okDelivered = new Uint8Array(content.blockCount * content.subBlocksPerBlock);
    this.started = new Uint8Array(content.blockCount);
  }

  /** A new pending record for a sub-block requested at requestUs. */
  request(subBlockId: number, nodeId: number, nodeKind: NodeKind, connId: number, requestUs: number): LiveSubBlock {
    const block = this.content.blockOf(subBlockId);
    const index = this.collector.requested(subBlockId, block, nodeId, nodeKind, connId, requestUs);
    const rec: LiveSubBlock = {
      index,
      subBlockId,
      block,
      nodeId,
      nodeKind,
      connId,
      requestUs,
      firstByteUs: -1,
      endUs: -1,
      bytes: 0,
      outcome: "pending",
    };
    this.recs.push(rec);
    if (!this.started[block]) {
      this.started[block] = 1;
      this.collector.blockStarted(block, requestUs, 0);
    }
    return rec;
  }

  /** A pending record cut short (cancelled by the agent, or its connection failed). */
  end(rec: LiveSubBlock, outcome: "cancelled" | "dropped", atUs: number): void {
    if (rec.outcome !== "pending") return;
    this.finishRecord(rec, outcome, rec.endUs >= 0 ? rec.endUs : atUs);
  }

  /** A complete record handed to the agent: ok, corrupt, or a duplicate of an intact copy. */
  arrived(rec: LiveSubBlock, checksumOk: boolean): void {
    const id = rec.subBlockId;
    let outcome: SubBlockOutcome = "corrupt";
    if (checksumOk) {
      outcome = this.okDelivered[id] === 1 ? "duplicate" : "ok";
      this.okDelivered[id] = 1;
    }
    this.finishRecord(rec, outcome, rec.endUs);
  }

  private finishRecord(rec: LiveSubBlock, outcome: SubBlockOutcome, endUs: number): void {
    rec.outcome = outcome;
    rec.endUs = endUs;
    this.collector.ended(rec.index, outcome, rec.firstByteUs, endUs, rec.bytes);
  }

  blockDelivered(block: number, sizeBytes: number, atUs: number): void {
    this.collector.blockEnded(block, atUs, sizeBytes, 0, 0);
    this.player.deliver(atUs, sizeBytes);
    if (block === this.content.blockCount - 1) this.completionUs = atUs;
  }

  result(scenario: string, strategy: string, seed: number, stats: AgentStats, error: string | null, nowUs: number): RunResult {
    // A request still pending ends as the collector would count it (cancelled), with what it had received.
    for (const rec of this.recs) if (rec.outcome === "pending") this.finishRecord(rec, "cancelled", rec.endUs);
    const player = this.player.report();
    const completionUs = this.completionUs >= 0 ? this.completionUs : nowUs;
    const done = this.collector.finish(
      completionUs,
      this.content.sizeBytes,
      stats,
      this.events,
      0,
      REAL_FINGERPRINT,
      player,
      Number.NaN, // the throughput bound needs the true capacities: unknown
    );
    return {
      scenario,
      strategy,
      seed,
      error,
      metrics: done.metrics,
      blocks: done.blocks,
      subBlocks: done.subBlocks,
      rebalances: this.collector.rebalances,
      bufferSeries: player.bufferSeries,
      stalls: player.stalls,
      peersOnlineSeries: this.collector.peersOnline(),
      wall: { simMs: nowUs / 1000 },
    };
  }
}
