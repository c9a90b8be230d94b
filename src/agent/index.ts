// The agent's public surface: what a host (the simulator, or a real client) needs to run it.

export { Agent, type AgentStats } from "./agent.ts";
export type { AgentConfig, ContentLayout, FallbackConfig, IndexWeights } from "./config.ts";
export { DEFAULT_CORRUPT_LIMIT } from "./config.ts";
export { Content } from "./content.ts";
export type * from "./ports.ts";
export { createStrategy, STRATEGIES } from "./strategies/registry.ts";
export type { ConnectionView, Oracle, Strategy, StrategyContext, StrategyEntry, StrategyEnv } from "./strategy.ts";
export { StrategyError } from "./strategy.ts";
export { ServingSide, type ServingSettings } from "./serving.ts";
export { valuationIndexes } from "./valuation-index.ts";
