// The tracker (the connection control server): knows which nodes are online and holds the content (in swarm
// mode also what each viewer node announced it holds: the mesh database), and answers
// node-list requests with state information (advertised uplink, load, RTT hint) that can be noisy or stale.
// The list it returns is a random sample drawn from its own stream (`tracker/list`), so it does not depend on
// which strategy asks, only on how many times it was asked.

import type { NodeInfo } from "../../agent/ports.ts";
import type { TrackerConfig } from "../config.ts";
import { standardNormal } from "../random/distributions.ts";
import type { Rng, RandomStreams } from "../random/streams.ts";
import type { SimNode } from "./nodes.ts";
import { OnlineSet } from "./online-set.ts";

/** Who asks for a node list: the streams its lists draw from, its RTT to the core, its own node (never listed). */
export interface Requester {
  readonly listRng: Rng;
  readonly noiseRng: Rng;
  readonly coreRttUs: number;
  readonly selfNode: number;
  /** The block it needs next (-1: none known): the mesh database lists nodes that announced it first. */
  readonly needBlock?: number;
}

export class Tracker {
  /** Online peers and servers, with their positions in ascending id order (online-set.ts). */
  private readonly online = new OnlineSet();
  private readonly listRng: Rng;
  private readonly noiseRng: Rng;
  /**
   * The mesh database (swarm mode): the viewer nodes that announced what they hold, ascending ids, and what
   * each announced last (1 per block held). Viewer nodes are listed from here only (never in the uniform
   * sample): to requesters that need a block they announced.
   */
  private readonly meshNodes: number[] = [];
  private readonly held = new Map<number, Uint8Array>();
  /** The entries a list's partial shuffle moved, by position (cleared after each list). */
  private readonly swapped = new Map<number, number>();

  constructor(
    streams: RandomStreams,
    private readonly config: TrackerConfig,
    private readonly nodes: readonly SimNode[],
    /** Swarm mode: a viewer node's current upload load in [0, 1] (its serving side's busy slots), as it reports it. */
    private readonly viewerLoad: ((node: SimNode) => number) | null = null,
  ) {
    this.listRng = streams.stream("tracker/list");
    this.noiseRng = streams.stream("tracker/noise");
  }

  get onlineCount(): number {
    return this.online.size;
  }

  join(nodeId: number): void {
    this.online.add(nodeId);
  }

  leave(nodeId: number): void {
    this.online.delete(nodeId);
    if (this.held.delete(nodeId)) this.meshNodes.splice(this.meshNodes.indexOf(nodeId), 1);
  }

  /** A viewer node announced the blocks it holds (of blockCount): the mesh database keeps the latest. */
  announce(nodeId: number, blocks: readonly number[], blockCount: number): void {
    let bits = this.held.get(nodeId);
    if (bits === undefined) {
      bits = new Uint8Array(blockCount);
      this.held.set(nodeId, bits);
      let i = this.meshNodes.length; // ids come in ascending order but keep the list sorted whatever they are
      while (i > 0 && this.meshNodes[i - 1] > nodeId) i--;
      this.meshNodes.splice(i, 0, nodeId);
    } else {
      bits.fill(0);
    }
    for (const b of blocks) bits[b] = 1;
  }

  /** Viewer nodes in the mesh database (tests, traces). */
  get meshSize(): number {
    return this.meshNodes.length;
  }

  /** The scenario's agent as a requester (its streams: `tracker/list`, `tracker/noise`). */
  get agentRequester(): Requester {
    return { listRng: this.listRng, noiseRng: this.noiseRng, coreRttUs: 0, selfNode: -1 };
  }

  /**
   * Up to maxNodes online nodes, a uniform random sample, with the state the tracker believes; drawn from the
   * requester's own streams (the scenario's agent's by default), its own node left out.
   */
  list(maxNodes: number, nowUs: number, requester?: Requester): NodeInfo[] {
    const uniform = this.uniformList(maxNodes, nowUs, requester);
    const need = requester?.needBlock ?? -1;
    if (need < 0 || this.meshNodes.length === 0) return uniform;
    // Swarm mode: up to half the list from the viewer nodes that announced the block the requester needs next
    // (claim 33), drawn from its stream, then the uniform sample (seeds, servers, the origin's peers) fills it.
    const self = requester!.selfNode;
    const holders = this.meshNodes.filter((id) => id !== self && this.held.get(id)![need] === 1);
    const k = Math.min(maxNodes, this.config.listSize);
    const h = Math.min(holders.length, Math.ceil(k / 2));
    const out: NodeInfo[] = [];
    const picked = new Set<number>();
    for (let i = 0; i < h; i++) {
      const j = i + Math.floor(requester!.listRng.next() * (holders.length - i));
      const id = holders[j];
      holders[j] = holders[i];
      holders[i] = id;
      picked.add(id);
      out.push(this.report(this.nodes[id], nowUs, requester));
    }
    for (const info of uniform) {
      if (out.length >= k) break;
      if (!picked.has(info.nodeId)) out.push(info);
    }
    return out;
  }

  /** Up to maxNodes online nodes, a uniform random sample (the requester's own node left out). */
  private uniformList(maxNodes: number, nowUs: number, requester?: Requester): NodeInfo[] {
    const online = this.online;
    const self = requester !== undefined && online.has(requester.selfNode) ? 1 : 0;
    const n = online.size - self;
    const k = Math.min(maxNodes, this.config.listSize, n);
    const listRng = requester?.listRng ?? this.listRng;
    // Partial Fisher-Yates over the online set in ascending id order (so the sample does not depend on join
    // order), without copying it: position p holds the p-th smallest id unless a swap moved another there.
    // O(k log n), whatever the swarm's size.
    // The requester's own node is skipped: position p past it is the online set's p + 1.
    const selfPos = self === 1 ? this.online.rank(requester!.selfNode) : n;
    const swapped = this.swapped;
    const at = (p: number) => swapped.get(p) ?? online.select(p < selfPos ? p : p + 1);
    const out: NodeInfo[] = [];
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(listRng.next() * (n - i));
      const picked = at(j);
      swapped.set(j, at(i));
      out.push(this.report(this.nodes[picked], nowUs, requester));
    }
    swapped.clear();
    return out;
  }

  private report(node: SimNode, nowUs: number, requester?: Requester): NodeInfo {
    const staleUs = this.config.stateStalenessUs;
    const uplink = nowUs - node.uplinkChangedUs < staleUs ? node.prevUplinkBps : node.uplinkBps;
    const noise = this.config.stateNoise;
    const noiseRng = requester?.noiseRng ?? this.noiseRng;
    const f1 = noise > 0 ? Math.exp(noise * standardNormal(noiseRng)) : 1;
    const f2 = noise > 0 ? Math.exp(noise * standardNormal(noiseRng)) : 1;
    const rttUs = requester !== undefined ? requester.coreRttUs + node.rttUs : node.rttUs;
    return {
      nodeId: node.id,
      kind: node.kind,
      advertisedUplinkBps: uplink * f1,
      rttHintMs: (rttUs / 1000) * f2,
      load: node.kind === "viewer" && this.viewerLoad !== null ? this.viewerLoad(node) : node.load,
      connectedUsers: node.connectedUsers,
    };
  }
}
