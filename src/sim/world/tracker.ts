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

  /** Up to maxNodes online nodes, a uniform random sample, with the state the tracker believes. */
  list(maxNodes: number, nowUs: number): NodeInfo[] {
    const online = this.online;
    const n = online.size;
    const k = Math.min(maxNodes, this.config.listSize, n);
    // Partial Fisher-Yates over the online set in ascending id order (so the sample does not depend on join
    // order), without copying it: position p holds the p-th smallest id unless a swap moved another there.
    // O(k log n), whatever the swarm's size.
    const swapped = this.swapped;
    const at = (p: number) => swapped.get(p) ?? online.select(p);
    const out: NodeInfo[] = [];
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(this.listRng.next() * (n - i));
      const picked = at(j);
      swapped.set(j, at(i));
      out.push(this.report(this.nodes[picked], nowUs));
    }
    swapped.clear();
    return out;
  }

  private report(node: SimNode, nowUs: number): NodeInfo {
    const staleUs = this.config.stateStalenessUs;
    const uplink = nowUs - node.uplinkChangedUs < staleUs ? node.prevUplinkBps : node.uplinkBps;
    const noise = this.config.stateNoise;
    const f1 = noise > 0 ? Math.exp(noise * standardNormal(this.noiseRng)) : 1;
    const f2 = noise > 0 ? Math.exp(noise * standardNormal(this.noiseRng)) : 1;
    return {
      nodeId: node.id,
      kind: node.kind,
      advertisedUplinkBps: uplink * f1,
      rttHintMs: (node.rttUs / 1000) * f2,
      load: node.load,
      connectedUsers: node.connectedUsers,
    };
  }
}
