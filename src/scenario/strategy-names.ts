// The strategy names (and one-line descriptions) the agent's registry offers, for validating scenarios and
// for `sim strategies`. Reads the registry without assuming more of its shape than "names with descriptions".

import * as agent from "../agent/index.ts";

export interface StrategyInfo {
  readonly name: string;
  readonly description: string;
}

function describe(name: string, entry: unknown): StrategyInfo {
  if (typeof entry === "string") return { name, description: entry };
  if (entry !== null && typeof entry === "object") {
    const e = entry as { description?: unknown; summary?: unknown };
    const text = e.description ?? e.summary;
    if (typeof text === "string") return { name, description: text };
  }
  return { name, description: "" };
}

function read(registry: unknown): StrategyInfo[] {
  if (registry instanceof Map) return [...registry].map(([name, entry]) => describe(String(name), entry));
  if (Array.isArray(registry)) {
    return registry.map((entry) => {
      if (typeof entry === "string") return { name: entry, description: "" };
      const name = (entry as { name?: unknown }).name;
      return describe(String(name), entry);
    });
  }
  if (registry !== null && typeof registry === "object") {
    return Object.entries(registry).map(([name, entry]) => describe(name, entry));
  }
  return [];
}

let cached: StrategyInfo[] | undefined;

/** Every registered strategy, in the registry's order. */
export function strategyInfos(): readonly StrategyInfo[] {
  cached ??= read((agent as Record<string, unknown>).STRATEGIES);
  return cached;
}

export function strategyNames(): string[] {
  return strategyInfos().map((s) => s.name);
}
