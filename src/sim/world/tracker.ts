// The tracker (the connection control server): knows which nodes are online and holds the content, and answers
// node-list requests with state information (advertised uplink, load, RTT hint) that can be noisy or stale.
// The list it returns is a random sample drawn from its own stream (`tracker/list`), so it does not depend on
// which strategy asks, only on how many times it was asked.

import type { NodeInfo } from "../../agent/ports.ts";
import type { Scenario } from "../../scenario/schema.ts";
import { standardNormal } from "../random/distributions.ts";
import type { Rng, RandomStreams } from "../random/streams.ts";
import type { SimNode } from "./nodes.ts";

export class Tracker {
  /** Online peers and servers, for O(1) join and leave. */
  private readonly online: number[] = [];
  private readonly position = new Map<number, number>();
  private readonly listRng: Rng;
  private readonly noiseRng: Rng;
  private readonly scratch: number[] = [];

  constructor(
    streams: RandomStreams,
    private readonly config: Scenario["tracker"],
    private readonly nodes: readonly SimNode[],
  ) {
    this.listRng = streams.stream("tracker/list");
    this.noiseRng = streams.stream("tracker/noise");
  }

  get onlineCount(): number {
    return this.online.length;
  }

  join(nodeId: number): void {
    if (this.position.has(nodeId)) return;
    this.position.set(nodeId, this.online.length);
    this.online.push(nodeId);
  }

  leave(nodeId: number): void {
    const i = this.position.get(nodeId);
    if (i === undefined) return;
    const last = this.online.pop()!;
    if (last !== nodeId) {
      this.online[i] = last;
      this.position.set(last, i);
    }
    this.position.delete(nodeId);
  }

  /** Up to maxNodes online nodes, a uniform random sample, with the state the tracker believes. */
  list(maxNodes: number, nowUs: number): NodeInfo[] {
    const k = Math.min(maxNodes, this.config.list_size, this.online.length);
    // Partial Fisher-Yates over a copy of the online set, sorted so the sample does not depend on join order.
    const ids = this.scratch;
    ids.length = 0;
    for (const id of this.online) ids.push(id);
    ids.sort((a, b) => a - b);
    const out: NodeInfo[] = [];
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(this.listRng.next() * (ids.length - i));
      const t = ids[i];
      ids[i] = ids[j];
      ids[j] = t;
      out.push(this.report(this.nodes[ids[i]], nowUs));
    }
    return out;
  }

  private report(node: SimNode, nowUs: number): NodeInfo {
    const staleUs = this.config.state_staleness_s * 1e6;
    const uplink = nowUs - node.uplinkChangedUs < staleUs ? node.prevUplinkBps : node.uplinkBps;
    const noise = this.config.state_noise;
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
