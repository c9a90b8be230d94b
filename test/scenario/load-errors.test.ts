// Scenario loading errors: every issue names file:line:column, the key path, what was expected and what was
// found; several issues are reported at once; semantic checks; programmatic loading without a file.

import { describe, expect, it } from "vitest";
import { ScenarioError, type ScenarioIssue } from "../../src/scenario/errors.ts";
import { parseScenarioText, resolveScenario } from "../../src/scenario/load.ts";

const SCENARIOS_DIR = new URL("../../scenarios/", import.meta.url).pathname;

const VALID = `name: t
content: { size_bytes: 4194304, block_bytes: 524288, sub_block_bytes: 65536 }
agent: { downlink_bps: 50000000 }
peers:
  - count: 4
    uplink_bps: 5000000
    rtt_ms: 40
`;

function issuesOf(text: string, dir = SCENARIOS_DIR): readonly ScenarioIssue[] {
  try {
    parseScenarioText(text, "x.yaml", dir);
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return (error as ScenarioError).issues;
  }
  throw new Error("expected a ScenarioError");
}

describe("parseScenarioText", () => {
  it("fills defaults in a valid scenario", () => {
    const loaded = parseScenarioText(VALID, "x.yaml", SCENARIOS_DIR);
    expect(loaded.scenario.strategies).toEqual(["static", "index", "rebalance"]);
    expect(loaded.scenario.agent.max_connections).toBe(8);
    expect(loaded.scenario.peers[0].failures.corrupt_p).toBe(0);
    expect(loaded.traces.size).toBe(0);
    expect(loaded.file).toBe("x.yaml");
  });

  it("formats an issue as file:line:column: path: expected ..., found ...", () => {
    const issues = issuesOf(VALID.replace("uplink_bps: 5000000", 'uplink_bps: "fast"'));
    expect(issues).toHaveLength(1);
    const [i] = issues;
    expect([i.file, i.line, i.column, i.path]).toEqual(["x.yaml", 6, 17, "peers[0].uplink_bps"]);
    expect(i.found).toBe('"fast"');
    expect(new ScenarioError(issues).message).toMatch(
      /^x\.yaml:6:17: peers\[0\]\.uplink_bps: expected a positive number or a distribution \(dist: constant, .*\), found "fast"$/,
    );
  });

  it("reports every problem at once, in file order", () => {
    const text = VALID.replace("name: t", "name: t\ncontnt: 1")
      .replace("downlink_bps: 50000000", "downlink_bps: 50000000, max_conections: 3")
      .replace("rtt_ms: 40", "rtt_ms: { dist: gauss, mean: 40 }");
    const issues = issuesOf(text);
    expect(issues.map((i) => [i.line, i.path])).toEqual([
      [2, "contnt"],
      [4, "agent.max_conections"],
      [8, "peers[0].rtt_ms.dist"],
    ]);
    expect(issues[0].message).toBe('unknown key "contnt" (did you mean "content"?)');
    expect(issues[1].message).toBe('unknown key "max_conections" (did you mean "max_connections"?)');
    expect(issues[2].message).toMatch(
      /expected one of constant, uniform, normal, .*found "gauss" \(did you mean "normal"\?\)/,
    );
  });

  it("names the wrong field of the distribution the author chose", () => {
    const issues = issuesOf(VALID.replace("rtt_ms: 40", "rtt_ms: { dist: uniform, min: 10, mx: 50 }"));
    expect(issues.map((i) => i.path)).toEqual(["peers[0].rtt_ms.max", "peers[0].rtt_ms.mx"]);
    expect(issues[0].message).toBe("expected a number, found nothing (this key is required)");
    expect(issues[1].message).toBe('unknown key "mx" (did you mean "max"?)');
  });

  it("picks the capacity-trace shape the author meant (file or markov)", () => {
    const typo = issuesOf(
      VALID.replace("rtt_ms: 40", "rtt_ms: 40\n    uplink_trace: { file: traces/a.log, fromat: pensieve }"),
    );
    expect(typo.map((i) => [i.path, i.message])).toEqual([
      [
        "peers[0].uplink_trace.format",
        "expected one of pensieve, sabre, found nothing (this key is required)",
      ],
      ["peers[0].uplink_trace.fromat", 'unknown key "fromat" (did you mean "format"?)'],
    ]);
    const markov = issuesOf(
      VALID.replace(
        "rtt_ms: 40",
        "rtt_ms: 40\n    uplink_trace: { markov: { good_bps: 1, bad_bps: 0, mean_good_s: 3 } }",
      ),
    );
    expect(markov.map((i) => i.path)).toEqual(["peers[0].uplink_trace.markov.mean_bad_s"]);
  });

  it("points at the enclosing mapping for a missing required key", () => {
    const issues = issuesOf(
      VALID.replace("agent: { downlink_bps: 50000000 }", "agent: { max_connections: 3 }"),
    );
    expect(issues).toHaveLength(1);
    expect([issues[0].line, issues[0].column, issues[0].path]).toEqual([3, 8, "agent.downlink_bps"]);
  });

  it("explains range, enum and YAML-number mistakes", () => {
    const issues = issuesOf(
      VALID.replace("downlink_bps: 50000000", "downlink_bps: 50_000_000").replace(
        "name: t",
        "name: t\nnetwork: { model: tpc }\nseeds: 0",
      ),
    );
    expect(issues.map((i) => i.message)).toEqual([
      'expected one of fluid, tcp, found "tpc" (did you mean "tcp"?)',
      "expected a number ≥ 1, found 0",
      `expected a number, found "50_000_000" (YAML does not allow '_' in numbers: write 20000000)`,
    ]);
  });

  it("turns YAML syntax errors into ScenarioErrors with a position", () => {
    const issues = issuesOf("name: t\ncontent: { size_bytes: 1\nagent: {}\n");
    expect(issues[0].message).toMatch(/^YAML syntax error: /);
    expect(issues[0].line).toBeGreaterThan(0);
    const dup = issuesOf(`${VALID}name: again\n`);
    expect(dup[0].message).toBe('YAML syntax error: Map keys must be unique: "name" is also at line 1');
    expect(dup[0].line).toBe(8);
  });

  it("says so for an empty file and for a file that is not a mapping", () => {
    expect(issuesOf("# only a comment\n")[0].message).toBe(
      "expected a scenario mapping (name, content, agent, ...), found an empty file",
    );
    expect(issuesOf("- a\n- b\n")[0].message).toMatch(
      /^expected a mapping with keys name, description, .*found a list of 2 item\(s\)$/,
    );
  });

  it("checks that sizes nest: sub-block ≤ block ≤ content", () => {
    const issues = issuesOf(
      VALID.replace(
        "block_bytes: 524288, sub_block_bytes: 65536",
        "block_bytes: 8388608, sub_block_bytes: 16777216",
      ),
    );
    // Both on line 2: in column order.
    expect(issues.map((i) => [i.path, i.message])).toEqual([
      ["content.block_bytes", "expected at most size_bytes (4194304), found 8388608"],
      ["content.sub_block_bytes", "expected at most block_bytes (8388608), found 16777216"],
    ]);
  });

  it("needs at least one node", () => {
    const issues = issuesOf(VALID.replace("count: 4", "count: 0"));
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toBe("peers");
    expect(issues[0].message).toMatch(/^expected at least one node .* found none$/);
    // An origin alone is enough.
    expect(() =>
      parseScenarioText(
        VALID.replace("count: 4", "count: 0") + "origin: { uplink_bps: 1000000, rtt_ms: 50 }\n",
        "x.yaml",
        ".",
      ),
    ).not.toThrow();
  });

  it("checks strategy names against the agent's registry", () => {
    const issues = issuesOf(`${VALID}strategies: [static, indx, oracle]\n`);
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toBe("strategies[1]");
    expect(issues[0].message).toMatch(/did you mean "index"\?/);
  });

  it("needs a churn preset or both session and downtime distributions", () => {
    const issues = issuesOf(VALID.replace("rtt_ms: 40", "rtt_ms: 40\n    churn: { session_s: 30 }"));
    expect(issues.map((i) => [i.path, i.message])).toEqual([
      ["peers[0].churn", "expected a preset, or both session_s and downtime_s, found only session_s"],
    ]);
  });

  it("checks distribution values against what the key means", () => {
    const issues = issuesOf(
      VALID.replace("uplink_bps: 5000000", "uplink_bps: -5").replace(
        "rtt_ms: 40",
        "rtt_ms: { dist: uniform, min: 50, max: 10 }",
      ),
    );
    expect(issues.map((i) => [i.path, i.message])).toEqual([
      ["peers[0].uplink_bps", "expected a number > 0, found -5"],
      ["peers[0].rtt_ms.max", "expected a number ≥ min (50), found 10"],
    ]);
  });

  it("loads trace files relative to the scenario's folder, keyed by the path as written", () => {
    const text = VALID.replace(
      "agent: { downlink_bps: 50000000 }",
      "agent: { downlink_bps: 50000000, downlink_trace: { file: traces/lte-walk.pensieve.log, format: pensieve } }",
    );
    const loaded = parseScenarioText(text, "x.yaml", SCENARIOS_DIR);
    expect([...loaded.traces.keys()]).toEqual(["traces/lte-walk.pensieve.log"]);
    expect(loaded.traces.get("traces/lte-walk.pensieve.log")?.name).toBe("traces/lte-walk.pensieve.log");
    expect(loaded.traces.get("traces/lte-walk.pensieve.log")?.segments.length).toBe(120);
  });

  it("reports a missing or malformed trace file at its file: key", () => {
    const text = VALID.replace(
      "rtt_ms: 40",
      "rtt_ms: 40\n    uplink_trace: { file: traces/nope.log, format: pensieve }",
    );
    const issues = issuesOf(text);
    expect(issues.map((i) => [i.line, i.path])).toEqual([[8, "peers[0].uplink_trace.file"]]);
    expect(issues[0].message).toMatch(/traces\/nope\.log.*no such file/);
    const bad = issuesOf(
      VALID.replace(
        "rtt_ms: 40",
        "rtt_ms: 40\n    uplink_trace: { file: traces/malformed.pensieve.log, format: pensieve }",
      ),
      `${SCENARIOS_DIR}bad/`,
    );
    expect(bad[0].message).toBe(
      'trace traces/malformed.pensieve.log, line 3: expected a throughput in Mb/s, found "fast"',
    );
  });

  it("checks sweep parameters name settable keys, and that each value keeps the scenario valid", () => {
    const issues = issuesOf(
      `${VALID}sweep:\n  params:\n    agent.max_conections: [1, 2]\n    peers.2.count: [1]\n    content: [1]\n`,
    );
    expect(issues.map((i) => [i.line, i.path, i.message])).toEqual([
      [
        10,
        "sweep.params.agent.max_conections",
        'expected a known key under agent (did you mean "agent.max_connections"?), found "max_conections"',
      ],
      [11, "sweep.params.peers.2.count", "expected an index below 1 (peers has 1 item(s)), found 2"],
      [12, "sweep.params.content", "expected a key holding a number, string or true/false, found a mapping"],
    ]);
    const values = issuesOf(`${VALID}sweep:\n  params:\n    content.block_bytes: [65536, 131072000]\n`);
    expect(values.map((i) => [i.path, i.message])).toEqual([
      [
        "sweep.params.content.block_bytes[1]",
        "value 131072000 makes content.block_bytes invalid: expected at most size_bytes (4194304), found 131072000",
      ],
    ]);
    const ok = parseScenarioText(
      `${VALID}sweep:\n  params:\n    agent.max_connections: [2, 4]\n    network.model: [tcp]\n`,
      "x.yaml",
      ".",
    );
    expect(ok.scenario.sweep?.params["agent.max_connections"]).toEqual([2, 4]);
  });
});

describe("resolveScenario", () => {
  it("loads a scenario object built in code", () => {
    const loaded = resolveScenario(
      {
        name: "prog",
        content: { size_bytes: 1048576, block_bytes: 262144, sub_block_bytes: 65536 },
        agent: { downlink_bps: 1e7 },
        origin: { uplink_bps: 1e7, rtt_ms: 30 },
      },
      "<code>",
      ".",
    );
    expect(loaded.scenario.origin?.uplink_bps).toBe(1e7);
    expect(loaded.scenario.peers).toEqual([]);
  });

  it("reports issues without positions when there is no file", () => {
    try {
      resolveScenario({ name: "prog", content: {}, agent: { downlink_bps: 1 } }, "<code>", ".");
      expect.unreachable();
    } catch (error) {
      const e = error as ScenarioError;
      expect(e.issues.map((i) => [i.line, i.path])).toEqual([
        [0, "content.size_bytes"],
        [0, "content.block_bytes"],
        [0, "content.sub_block_bytes"],
      ]);
      expect(e.message.split("\n")[0]).toBe(
        "<code>: content.size_bytes: expected a number, found nothing (this key is required)",
      );
    }
  });
});
