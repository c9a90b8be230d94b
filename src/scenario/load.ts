// Reads a scenario file: YAML → zod → semantic checks → LoadedScenario. STUB: the shape is the contract.

import type { Trace } from "../sim/traces/trace.ts";
import type { Scenario } from "./schema.ts";

export interface LoadedScenario {
  readonly scenario: Scenario;
  /** The file as given on the command line (relative paths stay relative). */
  readonly file: string;
  /** Folder that trace paths in the scenario are relative to. */
  readonly dir: string;
  /** Every trace the scenario names, parsed, keyed by the path as written in the scenario. */
  readonly traces: ReadonlyMap<string, Trace>;
}
