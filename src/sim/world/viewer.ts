// One viewer of the world: the real agent it runs (one instance per viewer) and what the world keeps for it:
// its host, its own timers, its connection ids (the agent's local ids mapped to the world's global ones), its
// block sink and player, and what it received and sent. Viewer 0 is the scenario's agent; it alone keeps the
// run's detailed records (sub-block records, block bounds, the throughput bound: a ViewerRecorder). In a
// single-agent world it is the only viewer and every id it uses is the world's id as well.

import type { Agent } from "../../agent/agent.ts";
import type { ServingSide } from "../../agent/serving.ts";
import type { BlockBounds } from "../metrics/block-bound.ts";
import type { Collector } from "../metrics/collector.ts";
import type { SubBlockOutcome } from "../metrics/records.ts";
import type { DepartureReason, SourceKind } from "../metrics/swarm-records.ts";
import type { ThroughputBound } from "../metrics/throughput-bound.ts";
import type { Player } from "../player.ts";
import type { AgentTimers } from "./agent-timers.ts";
import type { BlockSink } from "./block-sink.ts";
import type { SimNode } from "./nodes.ts";
import { LiveTransfers } from "./transfers.ts";

/** The detailed records of the scenario's agent. */
export interface ViewerRecorder {
  readonly collector: Collector;
  readonly bounds: BlockBounds;
  readonly throughput: ThroughputBound;
  /** Its connections in state open (not parked), in the order they opened: the sources of a block's bound. */
  readonly openConns: Set<number>;
  /** Its connections open or closing gracefully (they can still deliver). */
  liveConns: number;
}

/** Where a swarm's ledger hears of bytes (null in a single-agent world). */
export interface ByteLedger {
  /**
   * bytes from a source of this kind crossed to a viewer between startUs (its first byte; -1: none known) and
   * endUs; the source is viewer `fromViewer` (-1: none).
   */
  transferred(kind: SourceKind, fromViewer: number, startUs: number, endUs: number, bytes: number): void;
}

/** Index of each source kind in the byte counters. */
export const KIND_INDEX: Readonly<Record<SourceKind, number>> = { origin: 0, server: 1, peer: 2, viewer: 3 };

export class Viewer {
  /** Null once the viewer left (events still queued for it are dropped). */
  agent: Agent | null;
  /** Global connection id of each of the agent's connection ids (its ids are dense from 0). */
  readonly connGlobal: number[] = [];
  /** Its transfers in progress, by its own connection ids and record numbers. */
  readonly transfers: LiveTransfers;
  /** The next record number of a viewer without a recorder (the recorder's collector numbers the agent's). */
  nextRecord = 0;
  /** Prefix of its random streams (`viewers/<group>/<key>`; the scenario's agent: `agent`). */
  streamPrefix = "agent";
  /** The node others reach it as (swarm mode), or null. */
  node: SimNode | null = null;
  /** Bytes received by source kind (KIND_INDEX), every outcome; and those that arrived intact and first. */
  readonly bytesFrom = new Float64Array(4);
  readonly okBytesFrom = new Float64Array(4);
  uploadedBytes = 0;
  /** When the agent started and when the viewer asked to play, µs. */
  arrivalUs = 0;
  playAtUs = 0;
  departureUs = -1;
  /** Live content: the block its agent joined at (0 for video on demand). */
  firstBlock = 0;
  departure: DepartureReason = "end";
  /** The viewer's downlink now, bits per second. */
  downlinkBps: number;
  /** Its serving side (swarm mode), or null. */
  serving: ServingSide | null = null;
  /** Its uplink, bits per second (what it serves with once it is a node). */
  uplinkBps = 0;
  /** Where its blocks go; set by the world right after construction (the sink calls back into the viewer). */
  sink!: BlockSink;
  /** Its download is over (every block arrived) or it left before. */
  finished = false;
  /** When it will abandon (Infinity: never), µs. */
  abandonAtUs = Number.POSITIVE_INFINITY;
  /** How long it stays after its playback ended, µs. */
  lingerUs = 0;

  constructor(
    /** 0: the scenario's agent; then in order of arrival. */
    readonly index: number,
    /** For agents.csv: `agent`, or `<group>#<i>` / `<group>+<k>`. */
    readonly label: string,
    readonly group: string,
    readonly strategy: string,
    /** Its network host (downloads and, in a swarm, serves). */
    readonly host: number,
    /** Twice its one-way latency to the core: its RTT to a node is this + the node's RTT to the core. */
    readonly coreRttUs: number,
    agent: Agent,
    readonly timers: AgentTimers,
    readonly player: Player,
    readonly recorder: ViewerRecorder | null,
    downlinkBps: number,
    private readonly ledger: ByteLedger | null,
    subBlockCount: number,
  ) {
    this.agent = agent;
    this.transfers = new LiveTransfers(subBlockCount);
    this.downlinkBps = downlinkBps;
  }

  /** A transfer of this viewer from `node` ended; record: its sub-block record (-1: the viewer keeps none). */
  ended(record: number, node: SimNode, outcome: SubBlockOutcome, firstByteUs: number, endUs: number, bytes: number): void {
    if (record >= 0) this.recorder!.collector.ended(record, outcome, firstByteUs, endUs, bytes);
    if (this.ledger === null) return;
    const kind = node.kind as SourceKind;
    const k = KIND_INDEX[kind];
    this.bytesFrom[k] += bytes;
    if (outcome === "ok") this.okBytesFrom[k] += bytes;
    this.ledger.transferred(kind, node.viewer, firstByteUs, endUs, bytes);
  }
}
