// The tracker (the connection control server): knows which nodes are online and holds the content, and answers
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
}

export class Tracker {
  /** Online peers and servers, with their positions in ascending id order (online-set.ts). */
  private readonly online = new OnlineSet();
  private readonly listRng: Rng;
  private readonly noiseRng: Rng;
  /** The entries a list's partial shuffle moved, by position (cleared after each list). */
  private readonly swapped = new Map<number, number>();

  constructor(
    streams: RandomStreams,
    private readonly config: TrackerConfig,
    private readonly nodes: readonly SimNode[],
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
      load: node.load,
      connectedUsers: node.connectedUsers,
    };
  }
}
