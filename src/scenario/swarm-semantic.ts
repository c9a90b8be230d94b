// Checks of swarm-mode keys that zod cannot see: strategy names that exist, one way of naming a group's
// strategies, a decay time for a decaying arrival rate, distributions whose draws make sense, live content with
// a bitrate and without reservations, swarm settings only with viewers.

import type { Scenario } from "./schema.ts";
import { checkDistribution, issue } from "./semantic-checks.ts";
import type { DraftIssue } from "./zod-issues.ts";
import { suggestion } from "./zod-issues.ts";

export function checkSwarm(s: Scenario, strategyNames: readonly string[], out: DraftIssue[]): void {
  const live = s.content.live !== undefined;
  if (live && s.content.bitrate_bps <= 0) {
    out.push(issue(["content", "bitrate_bps"], "a bitrate > 0 (live content is produced at the bitrate)", s.content.bitrate_bps));
  }
  const knownStrategy = (name: string, path: readonly PropertyKey[]) => {
    if (!strategyNames.includes(name)) {
      out.push(issue(path, `a strategy: one of ${strategyNames.join(", ")}`, name, suggestion(name, strategyNames)));
    }
  };
  (s.viewers ?? []).forEach((g, i) => {
    const base = ["viewers", i];
    checkDistribution(g.downlink_bps, [...base, "downlink_bps"], "positive", out);
    checkDistribution(g.uplink_bps, [...base, "uplink_bps"], "non-negative", out);
    checkDistribution(g.latency_ms, [...base, "latency_ms"], "non-negative", out);
    checkDistribution(g.departure?.linger_s, [...base, "departure", "linger_s"], "non-negative", out);
    if (g.strategy !== undefined && g.strategy_mix !== undefined) {
      out.push(issue([...base, "strategy_mix"], "either strategy or strategy_mix, not both", "both"));
    }
    if (g.strategy !== undefined) knownStrategy(g.strategy, [...base, "strategy"]);
    g.strategy_mix?.forEach((m, k) => {
      if (m.strategy !== undefined) knownStrategy(m.strategy, [...base, "strategy_mix", k, "strategy"]);
    });
    if (g.arrivals?.process === "decaying" && g.arrivals.decay_s === undefined) {
      out.push(issue([...base, "arrivals", "decay_s"], "a decay time in seconds for a decaying arrival rate", undefined));
    }
    if (live && (g.reserve_s ?? 0) > 0) {
      out.push(issue([...base, "reserve_s"], "0 with live content (a live viewer joins at the live edge)", g.reserve_s));
    }
  });
  if (s.viewers === undefined && s.swarm !== undefined) {
    out.push(issue(["swarm"], "no swarm settings without viewers (add a viewers list)", "swarm settings"));
  }
}
