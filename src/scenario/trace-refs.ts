// Loads every capacity trace file a scenario names (relative to the scenario's folder), once per path, and
// turns a missing or malformed file into a scenario issue at the `file:` key that names it.

import { isAbsolute, resolve } from "node:path";
import { loadTraceFile } from "../traces/parse.ts";
import type { Trace } from "../traces/trace.ts";
import { TraceError } from "../traces/trace-error.ts";
import { limitOf } from "./limits.ts";
import type { CapacityTrace, Scenario } from "./schema.ts";
import type { DraftIssue } from "./zod-issues.ts";

interface TraceRef {
  readonly path: readonly PropertyKey[];
  readonly spec: CapacityTrace | undefined;
}

function refs(s: Scenario): TraceRef[] {
  return [
    { path: ["agent", "downlink_trace"], spec: s.agent.downlink_trace },
    ...s.peers.map((g, i) => ({ path: ["peers", i, "uplink_trace"], spec: g.uplink_trace })),
    ...s.servers.map((g, i) => ({ path: ["servers", i, "uplink_trace"], spec: g.uplink_trace })),
  ];
}

export interface TraceLoad {
  /** Keyed by the path as written in the scenario. */
  readonly traces: Map<string, Trace>;
  readonly issues: DraftIssue[];
}

export function loadScenarioTraces(s: Scenario, dir: string): TraceLoad {
  const traces = new Map<string, Trace>();
  const formats = new Map<string, string>();
  const failed = new Set<string>();
  const issues: DraftIssue[] = [];
  for (const { path, spec } of refs(s)) {
    if (spec === undefined || !("file" in spec)) continue;
    const filePath = [...path, "file"];
    const known = formats.get(spec.file);
    if (known !== undefined) {
      if (known !== spec.format) {
        const expected = `format "${known}", as elsewhere for the same file`;
        issues.push({
          path: [...path, "format"],
          expected,
          found: JSON.stringify(spec.format),
          message: `expected ${expected}, found "${spec.format}"`,
        });
      }
      continue;
    }
    formats.set(spec.file, spec.format);
    if (failed.has(spec.file)) continue;
    const onDisk = isAbsolute(spec.file) ? spec.file : resolve(dir, spec.file);
    try {
      traces.set(spec.file, loadTraceFile(onDisk, spec.format, spec.file, limitOf(s, "max_trace_bytes")));
    } catch (error) {
      if (!(error instanceof TraceError)) throw error;
      failed.add(spec.file);
      const expected = `a readable ${spec.format} trace file (relative to the scenario's folder)`;
      issues.push({ path: filePath, expected, found: error.message, message: error.message });
    }
  }
  return { traces, issues };
}
