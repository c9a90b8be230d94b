// Node-information manager: what the tracker told us about each node, newest report first-class. Nodes keep
// the order in which they were first listed; a node that left ("peer-left") is forgotten until a later
// tracker list names it again. The origin is never a peer candidate.

import type { NodeId, NodeInfo } from "./ports.ts";

/** Upper bound on remembered nodes: the oldest entry is dropped beyond it (a limit on every queue). */
export const MAX_KNOWN_NODES = 10_000;

export class NodeDirectory {
  private readonly nodes = new Map<NodeId, NodeInfo>();
  /** Set after the first tracker answer: before it "no candidate" means "not asked yet", not "none left". */
  answered = false;

  constructor(private readonly originNodeId: NodeId | null) {}

  update(list: readonly NodeInfo[]): void {
    this.answered = true;
    for (const info of list) {
      if (info.nodeId === this.originNodeId || info.kind === "origin") continue;
      this.nodes.set(info.nodeId, info);
      if (this.nodes.size > MAX_KNOWN_NODES) {
        const oldest = this.nodes.keys().next().value as NodeId;
        this.nodes.delete(oldest);
      }
    }
  }

  info(nodeId: NodeId): NodeInfo | undefined {
    return this.nodes.get(nodeId);
  }

  forget(nodeId: NodeId): void {
    this.nodes.delete(nodeId);
  }

  /** Known peer and server nodes, in the order they were first listed. */
  known(): IterableIterator<NodeInfo> {
    return this.nodes.values();
  }
}
