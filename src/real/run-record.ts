// What a real run did, kept in the simulator's own record types (src/sim/metrics: Collector, Player), so a
// real download turns into the same RunResult — and so the same runs/blocks/sub-blocks CSVs, summary and
// waterfall — as a simulated run. Differences: times are wall-clock µs from the driver's start; t_star_s and
// t_g_s are 0 and the throughput bound is unknown (empty; the real capacities are unknown); the fingerprint is
// the word "real" (a real run is not deterministic).

import { Collector, type LiveSubBlock } from "../sim/metrics/collector.ts";
import type { RunResult } from "../sim/metrics/records.ts";
import { Player } from "../sim/player.ts";
import type { Content } from "../agent/content.ts";
import type { NodeKind } from "../agent/ports.ts";
import type { AgentStats } from "../agent/agent.ts";

export const REAL_FINGERPRINT = "real";

export class RunRecorder {
  readonly collector: Collector;
  private readonly player: Player;
  private readonly okDelivered: Uint8Array;
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
  }

  /** A new pending record for a sub-block requested at requestUs. */
  request(subBlockId: number, nodeId: number, nodeKind: NodeKind, connId: number, requestUs: number): LiveSubBlock {
    const block = this.content.blockOf(subBlockId);
    const rec: LiveSubBlock = {
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
    this.collector.subBlocks.push(rec);
    const b = this.collector.blocks[block];
    if (b.startUs < 0) b.startUs = requestUs;
    return rec;
  }

  /** A pending record cut short (cancelled by the agent, or its connection failed). */
  end(rec: LiveSubBlock, outcome: "cancelled" | "dropped", atUs: number): void {
    if (rec.outcome !== "pending") return;
    this.collector.end(rec, outcome, rec.endUs >= 0 ? rec.endUs : atUs, rec.bytes);
  }

  /** A complete record handed to the agent: ok, corrupt, or a duplicate of an intact copy. */
  arrived(rec: LiveSubBlock, checksumOk: boolean): void {
    const id = rec.subBlockId;
    if (!checksumOk) rec.outcome = "corrupt";
    else {
      rec.outcome = this.okDelivered[id] === 1 ? "duplicate" : "ok";
      this.okDelivered[id] = 1;
    }
  }

  blockDelivered(block: number, sizeBytes: number, atUs: number): void {
    const b = this.collector.blocks[block];
    b.endUs = atUs;
    b.bytes = sizeBytes;
    b.tStarUs = 0;
    b.tGUs = 0;
    this.player.deliver(atUs, sizeBytes);
    if (block === this.content.blockCount - 1) this.completionUs = atUs;
  }

  result(scenario: string, strategy: string, seed: number, stats: AgentStats, error: string | null, nowUs: number): RunResult {
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
