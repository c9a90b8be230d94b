// The tracker's mesh database (swarm mode): viewer nodes are listed only to requesters that need a block they
// announced, ahead of the uniform sample, up to half the list; a departure takes a node out. Hand-built worlds
// of a few nodes.

import { describe, expect, it } from "vitest";
import { NO_FAILURES, type TrackerConfig } from "../../src/sim/config.ts";
import { RandomStreams } from "../../src/sim/random/streams.ts";
import { SimNode } from "../../src/sim/world/nodes.ts";
import { Tracker, type Requester } from "../../src/sim/world/tracker.ts";

const NONE = NO_FAILURES;
const CONFIG: TrackerConfig = { listSize: 4, stateNoise: 0, stateStalenessUs: 0, rttUs: 0 };

function setUp() {
  const streams = new RandomStreams(1);
  // Nodes 0-2: peers (in the online set); 3-5: viewer nodes (in the mesh only).
  const nodes = [0, 1, 2, 3, 4, 5].map(
    (id) => new SimNode(streams, id, id < 3 ? "peer" : "viewer", `n${id}`, `n/${id}`, 0, 1e6, 10_000, 0, 0, 0, NONE),
  );
  const tracker = new Tracker(streams, CONFIG, nodes, (node) => node.id / 10);
  for (const id of [0, 1, 2]) tracker.join(id);
  tracker.announce(3, [0, 1], 4);
  tracker.announce(4, [0, 1, 2], 4);
  tracker.announce(5, [0], 4);
  const requester = (needBlock: number, selfNode = -1): Requester => ({
    listRng: streams.stream(`r/${needBlock}/${selfNode}/list`),
    noiseRng: streams.stream(`r/${needBlock}/${selfNode}/noise`),
    coreRttUs: 2_000,
    selfNode,
    needBlock,
  });
  return { tracker, requester };
}

const ids = (list: readonly { nodeId: number }[]) => list.map((n) => n.nodeId);

describe("mesh database", () => {
  it("lists the holders of the needed block first (at most half the list), then peers; never a non-holder viewer", () => {
    const { tracker, requester } = setUp();
    const need1 = ids(tracker.list(10, 0, requester(1)));
    // Holders of block 1: nodes 3 and 4; half of a list of 4 is 2: both, then 2 of the 3 peers.
    expect(need1.slice(0, 2).sort()).toEqual([3, 4]);
    expect(need1.length).toBe(4);
    expect(need1.slice(2).every((id) => id < 3)).toBe(true);
    expect(ids(tracker.list(10, 0, requester(2)))[0]).toBe(4);
    // Nobody announced block 3: the peers only.
    expect(ids(tracker.list(10, 0, requester(3))).sort()).toEqual([0, 1, 2]);
    // Its own node is never listed to a requester.
    expect(ids(tracker.list(10, 0, requester(2, 4)))).not.toContain(4);
  });

  it("keeps each node's latest announce, and forgets a node that left", () => {
    const { tracker, requester } = setUp();
    tracker.announce(5, [0, 3], 4);
    expect(ids(tracker.list(10, 0, requester(3)))[0]).toBe(5);
    tracker.leave(5);
    expect(tracker.meshSize).toBe(2);
    expect(ids(tracker.list(10, 0, requester(3)))).not.toContain(5);
  });

  it("reports a viewer node's RTT as the requester's and the node's RTT to the core, and its current upload load", () => {
    const { tracker, requester } = setUp();
    const info = tracker.list(10, 0, requester(2)).find((n) => n.nodeId === 4)!;
    expect(info.rttHintMs).toBe(12); // 2 ms + 10 ms
    expect(info.kind).toBe("viewer");
    expect(info.load).toBe(0.4); // what the viewer's serving side reports (here: id / 10)
  });
});
