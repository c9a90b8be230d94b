// Checks a schema-valid scenario for what zod cannot see: sizes that nest, at least one node to download
// from, churn that can be sampled, distributions whose parameters make sense for their key, strategy names
// that exist.

import type { Scenario } from "./schema.ts";
import { checkSchedule } from "./schedule-check.ts";
import type { DraftIssue } from "./zod-issues.ts";
import { suggestion } from "./zod-issues.ts";
import { checkSwarm } from "./swarm-semantic.ts";
import { checkDistribution, issue } from "./semantic-checks.ts";

export { checkDistribution, issue, type Path } from "./semantic-checks.ts";

function checkContent(s: Scenario, out: DraftIssue[]): void {
  const c = s.content;
  if (c.sub_block_bytes > c.block_bytes) {
    out.push(
      issue(["content", "sub_block_bytes"], `at most block_bytes (${c.block_bytes})`, c.sub_block_bytes),
    );
  }
  if (c.block_bytes > c.size_bytes) {
    out.push(issue(["content", "block_bytes"], `at most size_bytes (${c.size_bytes})`, c.block_bytes));
  }
}

function checkHasNodes(s: Scenario, out: DraftIssue[]): void {
  const peers =
    s.peers.some((g) => g.count > 0 || (g.arrivals !== undefined && g.arrivals.max_count > 0)) ||
    (s.schedule ?? []).some((e) => e.event === "arrive");
  const servers = s.servers.some((g) => g.count > 0);
  if (!peers && !servers && s.origin === null) {
    const expected =
      "at least one node to download from (a peer group with count > 0 or arrivals, a server group with count > 0, or an origin)";
    // Point at the peer list when there is one (its groups are empty), else at the whole scenario.
    const path = s.peers.length > 0 ? ["peers"] : [];
    out.push({ path, expected, found: "none", message: `expected ${expected}, found none` });
  }
}

function checkStrategies(s: Scenario, names: readonly string[], out: DraftIssue[]): void {
  s.strategies.forEach((name, i) => {
    if (!names.includes(name)) {
      out.push(
        issue(["strategies", i], `a strategy: one of ${names.join(", ")}`, name, suggestion(name, names)),
      );
    }
  });
}

function checkChurn(s: Scenario, out: DraftIssue[]): void {
  s.peers.forEach((g, i) => {
    const churn = g.churn;
    if (churn === undefined || churn.preset !== undefined) return;
    if (churn.session_s !== undefined && churn.downtime_s !== undefined) return;
    const given =
      churn.session_s !== undefined
        ? "only session_s"
        : churn.downtime_s !== undefined
          ? "only downtime_s"
          : "neither";
    const expected = "a preset, or both session_s and downtime_s";
    out.push({
      path: ["peers", i, "churn"],
      expected,
      found: given,
      message: `expected ${expected}, found ${given}`,
    });
  });
}

function checkNodeDistributions(s: Scenario, out: DraftIssue[]): void {
  const groups: {
    kind: "peers" | "servers";
    i: number;
    g: Scenario["peers"][number] | Scenario["servers"][number];
  }[] = [
    ...s.peers.map((g, i) => ({ kind: "peers" as const, i, g })),
    ...s.servers.map((g, i) => ({ kind: "servers" as const, i, g })),
  ];
  for (const { kind, i, g } of groups) {
    const base = [kind, i];
    checkDistribution(g.uplink_bps, [...base, "uplink_bps"], "positive", out);
    checkDistribution(g.rtt_ms, [...base, "rtt_ms"], "non-negative", out);
    checkDistribution(g.failures.stall_s, [...base, "failures", "stall_s"], "non-negative", out);
    checkDistribution(g.failures.slowdown_s, [...base, "failures", "slowdown_s"], "non-negative", out);
    if ("load" in g) {
      checkDistribution(g.load, [...base, "load"], "unit", out);
      checkDistribution(g.churn?.session_s, [...base, "churn", "session_s"], "positive", out);
      checkDistribution(g.churn?.downtime_s, [...base, "churn", "downtime_s"], "positive", out);
    }
    if ("cpu_load" in g) {
      checkDistribution(g.cpu_load, [...base, "cpu_load"], "unit", out);
      checkDistribution(g.connected_users, [...base, "connected_users"], "non-negative", out);
    }
  }
  if (s.origin !== null) {
    checkDistribution(s.origin.failures.stall_s, ["origin", "failures", "stall_s"], "non-negative", out);
    checkDistribution(
      s.origin.failures.slowdown_s,
      ["origin", "failures", "slowdown_s"],
      "non-negative",
      out,
    );
  }
}

/** Every semantic problem of a schema-valid scenario (traces and sweeps are checked elsewhere). */
export function checkSemantics(s: Scenario, strategyNames: readonly string[]): DraftIssue[] {
  const out: DraftIssue[] = [];
  checkContent(s, out);
  checkHasNodes(s, out);
  checkStrategies(s, strategyNames, out);
  checkChurn(s, out);
  checkNodeDistributions(s, out);
  checkSwarm(s, strategyNames, out);
  checkSchedule(s, out);
  return out;
}
