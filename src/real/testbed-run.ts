// One real run of the agent against a running testbed, configured exactly as the simulated run of the same
// scenario and seed: the same agent settings (agentConfigFor), the same strategy, the node lists the simulated
// tracker would give (delayed by the scenario's tracker RTT), the testbed's manifest for checksums, and an
// oracle reading the shaper's true rates (for the `oracle` strategy). Nothing is written to disk.

import { createStrategy } from "../agent/strategies/registry.ts";
import type { Oracle, Strategy, StrategyEnv } from "../agent/strategy.ts";
import type { LoadedScenario } from "../scenario/load.ts";
import type { RunResult } from "../sim/metrics/records.ts";
import { agentConfigFor } from "../harness/sim-config.ts";
import { type DriverOutcome, RealDriver } from "./driver.ts";
import { DEFAULT_TIMEOUTS, Mirror } from "./mirror.ts";
import type { Testbed } from "./testbed.ts";

export interface TestbedRunOptions {
  readonly strategy: string;
  readonly seed: number;
  readonly strategyFactory?: (name: string, env: StrategyEnv) => Strategy;
  readonly stallTimeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface TestbedRun {
  readonly result: RunResult;
  readonly outcome: DriverOutcome;
  readonly mirrors: readonly Mirror[];
}

export async function runOnTestbed(loaded: LoadedScenario, testbed: Testbed, opts: TestbedRunOptions): Promise<TestbedRun> {
  const s = loaded.scenario;
  const origin = testbed.nodes.find((n) => n.kind === "origin");
  const config = agentConfigFor(s, origin?.id ?? null);
  const timeouts = { ...DEFAULT_TIMEOUTS, connectMs: s.agent.connect_timeout_ms };
  const mirrors = testbed.nodes.map((n) => {
    const m = new Mirror(n.id, new URL(n.url), timeouts);
    m.total = s.content.size_bytes;
    return m;
  });
  const oracle: Oracle = {
    trueUplinkBps: (nodeId) => testbed.shaper.nodeRate(nodeId),
    trueRttUs: (nodeId) => (testbed.nodes[nodeId]?.rttMs ?? 0) * 1000,
    downlinkBps: () => s.agent.downlink_bps,
  };
  try {
    const driver = new RealDriver({
      config,
      strategy: (opts.strategyFactory ?? createStrategy)(opts.strategy, { oracle }),
      mirrors,
      kinds: testbed.nodes.map((n) => n.kind),
      nodes: { list: (max, nowUs) => testbed.trackerList(max, nowUs), delayMs: testbed.trackerRttMs },
      manifest: testbed.manifest,
      part: null,
      signal: opts.signal,
      stallTimeoutMs: opts.stallTimeoutMs ?? Math.max(30_000, s.agent.request_timeout_min_ms * 10),
    });
    const outcome = await driver.run();
    const error = outcome.status === "done" ? null : `${outcome.status}: ${outcome.error ?? ""}`;
    const result = outcome.recorder.result(s.name, opts.strategy, opts.seed, outcome.stats, error, outcome.endUs);
    return { result, outcome, mirrors };
  } finally {
    await Promise.all(mirrors.map((m) => m.close()));
  }
}
