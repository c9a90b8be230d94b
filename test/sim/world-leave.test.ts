// Leaves: a graceful leave lets the sub-block in flight finish and then disconnects; an abrupt one drops the
// transfer. Either way the departed peer sends nothing afterwards, and the download still completes.
import { describe, expect, it } from "vitest";
import { runOne } from "../../src/harness/run.ts";
import { resolveScenario } from "../../src/scenario/load.ts";

const scenario = (gracefulP: number) =>
  resolveScenario(
    {
      name: "leave",
      content: { size_bytes: 4 * 1048576, block_bytes: 1048576, sub_block_bytes: 262144 },
      agent: { downlink_bps: 100_000_000, max_connections: 2, request_timeout_min_ms: 500 },
      network: { model: "fluid" },
      peers: [
        // Leaves for good after 1.3 s, while block 1 is in flight (its downtime outlasts the download).
        {
          count: 1,
          uplink_bps: 8_000_000,
          rtt_ms: 20,
          churn: { session_s: 1.3, downtime_s: 10_000, graceful_leave_p: gracefulP },
        },
        { count: 1, uplink_bps: 4_000_000, rtt_ms: 20 },
      ],
    },
    "inline",
    ".",
  );

describe("peer leaves", () => {
  it("graceful: the in-flight sub-block completes after the leave, queued ones are dropped unsent", () => {
    const { result } = runOne(scenario(1), { strategy: "static", seed: 1 });
    expect(result.error).toBeNull();
    const leaverRecords = result.subBlocks.filter((r) => r.nodeId === 0);
    const afterLeave = leaverRecords.filter((r) => r.endUs > 1_300_000);
    // Exactly one sub-block (the one in flight at t = 1.3 s) ends after the leave, intact.
    const okAfter = afterLeave.filter((r) => r.outcome === "ok");
    expect(okAfter).toHaveLength(1);
    expect(okAfter[0].firstByteUs).toBeLessThan(1_300_000);
    for (const r of afterLeave.filter((x) => x.outcome !== "ok")) {
      expect(r.outcome).toBe("dropped");
      expect(r.bytes).toBe(0);
    }
    expect(result.blocks).toHaveLength(4);
  });

  it("abrupt: the transfer in flight is dropped with its partial bytes and nothing arrives afterwards", () => {
    const { result } = runOne(scenario(0), { strategy: "static", seed: 1 });
    expect(result.error).toBeNull();
    const leaver = result.subBlocks.filter((r) => r.nodeId === 0);
    expect(leaver.filter((r) => r.outcome === "ok" && r.endUs > 1_300_000)).toHaveLength(0);
    const dropped = leaver.filter((r) => r.outcome === "dropped" && r.endUs === 1_300_000);
    expect(dropped.length).toBeGreaterThan(0);
    expect(dropped.some((r) => r.bytes > 0 && r.bytes < 262144)).toBe(true);
    expect(result.blocks).toHaveLength(4);
  });
});
