// The scenario JSON Schema for editors (yaml-language-server): generated from the zod schema's input side
// (defaults optional) as draft-07, which every yaml-language-server version reads, with keys sorted so the
// committed scenarios/schema.json changes only when the schema does.

import { z } from "zod";
import { assert } from "../assert.ts";
import { CapacityTrace, Churn, Distribution, Failures, PeerGroup, Scenario, ServerGroup } from "./schema.ts";

/** Shared sub-schemas, written once under $defs instead of inlined at every use. */
const NAMED: readonly (readonly [string, z.ZodType])[] = [
  ["Distribution", Distribution],
  ["CapacityTrace", CapacityTrace],
  ["Churn", Churn],
  ["Failures", Failures],
  ["PeerGroup", PeerGroup],
  ["ServerGroup", ServerGroup],
];

function nameSharedSchemas(): void {
  for (const [id, schema] of NAMED) {
    const meta = z.globalRegistry.get(schema);
    if (meta?.id === id) continue;
    z.globalRegistry.remove(schema);
    z.globalRegistry.add(schema, { ...meta, id });
  }
}

const MAX_DEPTH = 200;

function sortKeys(value: unknown, depth = 0): unknown {
  assert(depth <= MAX_DEPTH, "json-schema: nested too deeply");
  if (Array.isArray(value)) return value.map((v) => sortKeys(v, depth + 1));
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, sortKeys(v, depth + 1)]));
  }
  return value;
}

/** The schema as an object. */
export function scenarioJsonSchema(): Record<string, unknown> {
  nameSharedSchemas();
  const schema = z.toJSONSchema(Scenario, {
    io: "input",
    target: "draft-7",
    unrepresentable: "any",
  }) as Record<string, unknown>;
  return sortKeys({
    ...schema,
    title: "sim scenario",
    description: "A scenario for the sim multi-source download simulator. Units are in key names.",
  }) as Record<string, unknown>;
}

/** The exact text of scenarios/schema.json: two-space indent, trailing newline. */
export function scenarioJsonSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}
