// Collects what a run did: one record per sub-block request, one per block, rebalances, peers online. The
// world tells it what happened through its methods (a request made, a request ended, a block started or
// ended); it keeps its own records and never reads simulation state, so it cannot change it. The state of a
// transfer still in progress lives with whoever moves it (the world's live transfers), not here. finish()
// turns the records into RunMetrics.

import { assert } from "../../assert.ts";
import type { BlockRecord, RebalanceRecord, RunMetrics, SeriesPoint, SubBlockOutcome, SubBlockRecord } from "./records.ts";

/** A sub-block record while the run goes on; `pending` until it ends one way or another. */
interface PendingRecord {
  subBlockId: number;
  block: number;
  nodeId: number;
  nodeKind: "peer" | "server" | "origin" | "viewer";
  connId: number;
  requestUs: number;
  firstByteUs: number;
  endUs: number;
  bytes: number;
  outcome: SubBlockOutcome | "pending";
}

interface BlockProgress {
  startUs: number;
  endUs: number;
  bytes: number;
  tStarUs: number;
  tGUs: number;
}

/** The swarm metrics of a single-agent run: none applies. */
const NO_SWARM = {
  viewers: -1,
  p2pShare: -1,
  originPeakBps: -1,
  meanStartupDelayS: -1,
  p95StartupDelayS: -1,
  meanRebufferRatio: -1,
  uploadFairness: -1,
  trackerPeakPerS: -1,
} as const;

export class Collector {
  /** Sub-block records in request order (the index requested() returns). */
  private readonly subBlocks: PendingRecord[] = [];
  private readonly blocks: BlockProgress[];
  readonly rebalances: RebalanceRecord[] = [];
  // Peers online as a step function, in plain number arrays (one change per churn event: no object per event).
  private readonly onlineTimeUs: number[] = [];
  private readonly onlineCount: number[] = [];
  blacklisted = 0;

  constructor(blockCount: number) {
    this.blocks = Array.from({ length: blockCount }, () => ({ startUs: -1, endUs: -1, bytes: 0, tStarUs: 0, tGUs: 0 }));
  }

  /** A sub-block was requested on a connection at requestUs: a pending record; returns its index. */
  requested(subBlockId: number, block: number, nodeId: number, nodeKind: PendingRecord["nodeKind"], connId: number, requestUs: number): number {
    this.subBlocks.push({
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
    });
    return this.subBlocks.length - 1;
  }

  /** Ends a pending record: how, when its first byte came (-1: none), when it ended, the bytes that crossed. */
  ended(index: number, outcome: SubBlockOutcome, firstByteUs: number, endUs: number, bytes: number): void {
    const rec = this.subBlocks[index];
    assert(rec !== undefined && rec.outcome === "pending", "sub-block record {0} ended twice", index);
    rec.outcome = outcome;
    rec.firstByteUs = firstByteUs;
    rec.endUs = endUs;
    rec.bytes = bytes;
  }

  /** The block's first request, at startUs; tStarUs: its fluid bound. */
  blockStarted(block: number, startUs: number, tStarUs: number): void {
    const b = this.blocks[block];
    b.startUs = startUs;
    b.tStarUs = tStarUs;
  }

  /** The block was complete at endUs with `bytes`; its bounds as they stand at its end. */
  blockEnded(block: number, endUs: number, bytes: number, tStarUs: number, tGUs: number): void {
    const b = this.blocks[block];
    b.endUs = endUs;
    b.bytes = bytes;
    b.tStarUs = tStarUs;
    b.tGUs = tGUs;
  }

  peersOnlineChanged(timeUs: number, online: number): void {
    const n = this.onlineTimeUs.length;
    if (n > 0 && this.onlineTimeUs[n - 1] === timeUs) {
      this.onlineCount[n - 1] = online; // several changes at one instant: keep the last
    } else if (n === 0 || this.onlineCount[n - 1] !== online) {
      this.onlineTimeUs.push(timeUs);
      this.onlineCount.push(online);
    }
  }

  /** The peers-online step function as series points. */
  peersOnline(): SeriesPoint[] {
    return this.onlineTimeUs.map((timeUs, i) => ({ timeUs, value: this.onlineCount[i] }));
  }

  finish(
    completionUs: number,
    sizeBytes: number,
    agent: { readonly rebalances: number; readonly fallbacks: number; readonly stalledConnections: number },
    events: number,
    peakQueueLength: number,
    fingerprint: string,
    player: { startupDelayS: number; stallCount: number; stallS: number; rebufferRatio: number; playbackLagS?: number },
    throughputBoundUs: number,
  ): { metrics: RunMetrics; blocks: BlockRecord[]; subBlocks: SubBlockRecord[] } {
    let redundantBytes = 0;
    let failedBytes = 0;
    let originBytes = 0;
    // Index loops: finish runs once, mostly unoptimised, where for-of allocates an iterator result per record.
    const records = this.subBlocks;
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      // A request still pending when the run ended was never needed: count it as cancelled (whoever kept its
      // transfer's state ended it first with what it knew; one never started has no first byte and no bytes).
      if (r.outcome === "pending") r.outcome = "cancelled";
      const outcome = r.outcome;
      if (outcome === "cancelled" || outcome === "duplicate") redundantBytes += r.bytes;
      else if (outcome === "corrupt" || outcome === "dropped") failedBytes += r.bytes;
      else if (r.nodeKind === "origin") originBytes += r.bytes;
    }
    // The live records become the run's records as they are (no copy): none is pending any more, and the run
    // is over, so nothing changes them after this.
    const subBlocks = this.subBlocks as SubBlockRecord[];
    const blocks: BlockRecord[] = [];
    let sumBlockUs = 0;
    let sumTStarUs = 0;
    let sumTGUs = 0;
    const times: number[] = [];
    for (let i = 0; i < this.blocks.length; i++) {
      const b = this.blocks[i];
      if (b.endUs < 0) continue;
      blocks.push({
        block: i,
        startUs: b.startUs,
        endUs: b.endUs,
        bytes: b.bytes,
        tStarUs: Math.round(b.tStarUs),
        tGUs: Math.round(b.tGUs),
      });
      const t = b.endUs - b.startUs;
      times.push(t);
      sumBlockUs += t;
      sumTStarUs += b.tStarUs;
      sumTGUs += b.tGUs;
    }
    times.sort((x, y) => x - y);
    const p95 = times.length === 0 ? 0 : times[Math.min(times.length - 1, Math.ceil(0.95 * times.length) - 1)];
    const completionS = completionUs / 1e6;
    const throughputBoundS = throughputBoundUs / 1e6;
    return {
      metrics: {
        completionS,
        throughputBps: completionUs > 0 ? (sizeBytes * 8) / completionS : 0,
        tStarRatio: sumTStarUs > 0 ? sumBlockUs / sumTStarUs : 0,
        tGRatio: sumTGUs > 0 ? sumBlockUs / sumTGUs : 0,
        throughputBoundS,
        throughputBoundRatio: throughputBoundS > 0 && Number.isFinite(throughputBoundS) ? completionS / throughputBoundS : Number.NaN,
        meanBlockS: times.length === 0 ? 0 : sumBlockUs / times.length / 1e6,
        p95BlockS: p95 / 1e6,
        redundantBytes,
        failedBytes,
        originBytes,
        rebalances: agent.rebalances,
        blacklisted: this.blacklisted,
        fallbacks: agent.fallbacks,
        requestTimeouts: agent.stalledConnections,
        startupDelayS: player.startupDelayS,
        stallCount: player.stallCount,
        stallS: player.stallS,
        rebufferRatio: player.rebufferRatio,
        playbackLagS: player.playbackLagS ?? -1,
        events,
        ...NO_SWARM,
        peakQueueLength,
        fingerprint,
      },
      blocks,
      subBlocks,
    };
  }
}
