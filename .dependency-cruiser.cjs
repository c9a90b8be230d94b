// The layers of src/ and which way they may import (README.md, "How it works", says the same in words), checked
// by `npm run lint` with dependency-cruiser on src/ and bin/ (tests and scripts may import anything). Data flows
// scenario → harness → sim + agent → metrics → report; imports point down this list, never up, and never in a
// cycle (type-only imports count too):
//   bin → src/cli                      the command line; nothing but bin imports it
//   src/index.ts                       the API: composes the layers below, as the CLI does
//   src/real (fetch, calibrate,        the real network's commands: compose harness and report, as the CLI does
//     testbed, testbed-run)
//   src/harness                        runs, experiments, sweeps, the gate; owns output folders (harness/folders)
//   src/report                         renders results into bytes (CSV, JSON, charts, HTML); writes nothing
//   src/metrics                        the metric registry
//   src/scenario                       scenario files: schema, loading, errors
//   src/real (the rest)                the driver that runs the agent on HTTP, as src/sim runs it in simulation
//   src/sim                            the simulator
//   src/agent                          the scheduler: sans-IO, imports nothing but itself and src/assert.ts
//   src/traces, src/stats, src/files   trace files, statistics, atomic output folders: used by several layers
//   src/assert.ts, version.ts,         helpers every layer may use; they import nothing of the project's
//     paths.ts, src/input              (src/input: quoting user data, reading input files, input limits)
// test/lint/layers.test.ts runs these rules on fixtures (test/fixtures/layers/) with one backwards import each.

/** Helpers any layer may import. */
const SHARED = "^src/((assert|version|paths)[.]ts|input/)";
/** The real network's commands (the rest of src/real is its driver). */
const REAL_COMMANDS = "^src/real/(fetch|calibrate|testbed|testbed-run)[.]ts$";

/** A rule: files matching `from` may import, of src/, only what matches `allowed` (a regex alternative). */
function onlyImports(name, from, allowed, comment, fromNot) {
  return {
    name,
    comment,
    severity: "error",
    from: fromNot === undefined ? { path: from } : { path: from, pathNot: fromNot },
    to: { path: "^src/", pathNot: `${allowed}|${SHARED}` },
  };
}

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "No module may reach itself through its imports (type-only imports included).",
      severity: "error",
      from: { path: "^(src|bin)/" },
      to: { circular: true },
    },
    {
      name: "agent-sans-io",
      comment:
        "The agent is sans-IO: it imports only its own files and src/assert.ts; no Node module, no package, nothing " +
        "of the simulator or the harness.",
      severity: "error",
      from: { path: "^src/agent/" },
      to: { pathNot: "^src/agent/|^src/assert[.]ts$" },
    },
    {
      name: "shared-helpers-stand-alone",
      comment: "src/assert.ts, version.ts, paths.ts and src/input import no other file of src/ but each other.",
      severity: "error",
      from: { path: SHARED },
      to: { path: "^src/", pathNot: SHARED },
    },
    onlyImports("traces-stand-alone", "^src/traces/", "^src/traces/", "Trace files import only the shared helpers."),
    onlyImports("stats-stand-alone", "^src/stats/", "^src/stats/", "Statistics import only the shared helpers."),
    onlyImports("files-stand-alone", "^src/files/", "^src/files/", "Output-folder helpers import only the shared helpers."),
    onlyImports(
      "sim-below-scenario",
      "^src/sim/",
      "^src/(sim|agent|traces)/",
      "The simulator takes its own configuration (src/sim/config.ts): it imports no scenario, harness, report or CLI.",
    ),
    onlyImports(
      "real-driver-like-sim",
      "^src/real/",
      "^src/(real|sim|agent|traces|files)/",
      "The real network's driver runs the agent as the simulator does: no scenario, harness, report or CLI.",
      REAL_COMMANDS,
    ),
    {
      name: "real-driver-not-commands",
      comment: "The real network's driver does not import its commands (fetch, calibrate, testbed).",
      severity: "error",
      from: { path: "^src/real/", pathNot: REAL_COMMANDS },
      to: { path: REAL_COMMANDS },
    },
    onlyImports(
      "scenario-below-harness",
      "^src/scenario/",
      "^src/(scenario|agent|traces)/|^src/sim/random/(distributions|churn-presets|gamma|streams)[.]ts$",
      "Scenario files are read and checked without the simulator, the harness or the report (only the " +
        "distributions' math, to bound what a draw can reach).",
    ),
    onlyImports(
      "metrics-below-report",
      "^src/metrics/",
      "^src/metrics/|^src/sim/metrics/records[.]ts$",
      "The metric registry describes the simulator's run records and nothing else.",
    ),
    onlyImports(
      "report-only-renders",
      "^src/report/",
      "^src/(report|metrics|stats|scenario|sim|traces)/",
      "The report renders results into bytes: it imports no harness, real network, CLI or output-folder writer.",
    ),
    onlyImports(
      "harness-below-commands",
      "^src/harness/",
      "^src/(harness|report|metrics|stats|files|scenario|sim|agent|traces)/",
      "The harness is driven by the CLI, the API and the real network's commands; it imports none of them.",
    ),
    {
      name: "cli-only-from-bin",
      comment: "Nothing in src/ imports the command line (bin/sim.mjs does).",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/cli/" },
      to: { path: "^src/cli/" },
    },
    {
      name: "index-is-an-entry",
      comment: "src/index.ts is the API's entry point: no file of src/ imports it.",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^src/index[.]ts$" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    // Type-only imports are dependencies too: a layer must not even name a type of a layer above it.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
  },
};
