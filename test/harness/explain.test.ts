// `sim explain` on a world computed by hand: two peers at 8 Mb/s with no delays, 2 blocks of two 0.5 MB
// sub-blocks (0.5 s each at 8 Mb/s), one connection at a time, a stall budget of 1 s. Peer 0 is asked for
// block 0 at 0 s and stalls at 0.25 s for 5 s: the agent waits out its budget (silent since the request at 0 s,
// timed out at 1 s), drops it, and peer 1 sends sub-blocks 0-1 from 1 s to 2 s and block 1 from 2 s to 3 s.

import { describe, expect, it } from "vitest";
import { explainBlock, explainRun, type RunView } from "../../src/harness/explain.ts";
import { runOne } from "../../src/harness/run.ts";
import { parseScenarioText } from "../../src/scenario/load.ts";

const WORLD = `
name: one-peer
strategies: [static]
content: { size_bytes: 2000000, block_bytes: 1000000, sub_block_bytes: 500000 }
agent: { downlink_bps: 100000000, max_connections: 1, blacklist_ms: 100, request_timeout_min_ms: 1000, request_timeout_factor: 1 }
tracker: { rtt_ms: 0 }
peers:
  - { count: 2, uplink_bps: 8000000, rtt_ms: 0 }
schedule:
  - { at_s: 0.25, event: stall, node: "peers[0]#0", for_s: 5 }
`;

const out = runOne(parseScenarioText(WORLD, "w.yaml", "."), { strategy: "static", seed: 1, trace: true });
const view: RunView = { scenarioName: "one-peer", result: out.result, trace: out.trace!, source: "test" };

describe("sim explain", () => {
  it("splits each connection's time over the run: 1 s waiting for the timeout, 2 s transferring", () => {
    const text = explainRun(view);
    expect(text).toMatch(/^one-peer · static · seed 1: completion 3\.000 s .*, 2 blocks, .*, 0 playback stalls \(0\.000 s\), 1 request timeout\n/);
    expect(text).toMatch(/\n {2}conn 0 \(node 0 peers\[0\]#0\) +1\.000 s +- +- +- +-\n/);
    expect(text).toMatch(/\n {2}conn 1 \(node 1 peers\[0\]#1\) +- +2\.000 s +- +- +-\n/);
    expect(text).toContain("request-timeout 1, drop 1, blacklisted 1");
    expect(text).toContain("stall-start 1");
  });

  it("says what block 0 waited for: the stalled peer until the budget ran out, then peer 1", () => {
    const text = explainBlock(view, 0);
    expect(text).toMatch(/^one-peer · static · seed 1 · block 0: 0\.000000 s → 2\.000000 s, 2\.000 s/);
    // During the block: conn 0 waits 1 s for its timeout; conn 1 transfers from 1 s to 2 s.
    expect(text).toMatch(/\n {2}conn 0 \(node 0 peers\[0\]#0\) +1\.000 s +- +- +- +-\n/);
    expect(text).toMatch(/\n {2}conn 1 \(node 1 peers\[0\]#1\) +- +1\.000 s +- +- +-\n/);
    expect(text).toContain("What the block waited for: its last sub-block, 1, arrived at 2.000000 s:\n");
    expect(text).toContain(
      "    1.000 s  held by conn 0 (peer 0), which sent nothing (its node stalled at 0.250000 s) until the agent's stall budget ran out at 1.000000 s: waiting for a timeout\n",
    );
    // Sub-block 1 is sent after sub-block 0 on conn 1: 0.5 s behind it, 0.5 s of its own.
    expect(text).toContain("    0.500 s  waiting for its first byte on conn 1 (peer 1) behind 1 sub-block sent before it (0)\n");
    expect(text).toContain("    0.500 s  transferring 500000 B on conn 1 (peer 1) at 8.00 Mb/s\n");
    expect(text).toContain("t=1.000000 s decision: drop conn 0 (node 0), blamed: stalled; its sub-blocks 0-1 go back to the pool\n");
  });
});
