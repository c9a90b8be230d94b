// `sim explain`, `sim diff` and `sim shrink` through the CLI's main() in this process: exit codes, what they
// print, and that shrink writes only a file of its own (bad input exits 2 and writes nothing; a predicate that
// does not hold exits 1).

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "./sweep-helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "sim-explain-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const run = join(dir, "run");

beforeAll(async () => {
  const r = await cli("run", "scenarios/ci/small.yaml", "--strategy", "static,pull", "--seeds", "1", "--trace", "--no-report", "--out", run);
  expect(r.code).toBe(0);
});

describe("sim explain and sim diff", () => {
  it("explain prints where each connection's time went, and a block's timeline", async () => {
    const r = await cli("explain", run, "--strategy", "static");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ci-small · static · seed 1: completion \d+\.\d{3} s/);
    expect(r.stdout).toContain("Time of each connection over the run");
    const b = await cli("explain", run, "--strategy", "static", "--block", "2");
    expect(b.code).toBe(0);
    expect(b.stdout).toContain("ci-small · static · seed 1 · block 2:");
    expect(b.stdout).toContain("t=");
  });

  it("diff compares two strategies of one folder, and refuses runs it does not have", async () => {
    const r = await cli("diff", run, run, "--strategy", "static,pull");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`A: ${run} · static · seed 1`);
    expect(r.stdout).toContain(`B: ${run} · pull · seed 1`);
    expect(r.stdout).toContain("The first decision that differs");
    const bad = await cli("diff", run, run, "--seed", "3");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("holds no \"static\" run of seed 3");
    expect((await cli("diff", run, run, "--strategy", "a,b,c")).code).toBe(2);
  });
});

describe("sim run --check-determinism", () => {
  it("names the first decision that differs between two runs, writes nothing and exits 1", async () => {
    const out = join(dir, "wobbly");
    const args = ["run", "scenarios/ci/small.yaml", "--strategy", "wobbly", "--strategy-module", "test/fixtures/strategies/wobbly.ts", "--seeds", "1", "--no-report"];
    const r = await cli(...args, "--check-determinism", "--out", out);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/determinism check failed: strategy wobbly seed 1: the runs diverge after \d+ identical trace records; the last record they share: t=\S+ s decision: block 0 starts; ready: conns 0, 1, 2, 3\n/);
    expect(r.stderr).toMatch(/\n {2}first run: {2}t=\S+ s decision: request sub-blocks .* on conn \d \(node \d\), by strategy\n {2}second run: t=\S+ s decision: request/);
    expect(r.stderr).toContain("\nnothing was written\n");
    expect(existsSync(out)).toBe(false);
    const ok = await cli("run", "scenarios/ci/small.yaml", "--strategy", "static,pull", "--seeds", "2", "--no-report", "--check-determinism", "--out", out);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("determinism check: each of the 4 runs, made twice, gave the same trace and fingerprint\n");
  });
});

describe("sim run --record-schedule", () => {
  it("writes one seed's world as a scenario whose runs have the same fingerprints, and refuses several seeds", async () => {
    const file = join(dir, "recorded.yaml");
    const many = await cli("run", "scenarios/ci/churn-failures.yaml", "--seeds", "2", "--no-report", "--out", join(dir, "r0"), "--record-schedule", file);
    expect(many.code).toBe(2);
    expect(many.stderr).toContain("--record-schedule records one seed's world; this run has 2 seeds (add --seeds 1)");
    expect(existsSync(file)).toBe(false);
    const a = join(dir, "r1");
    expect((await cli("run", "scenarios/ci/churn-failures.yaml", "--seed", "3", "--seeds", "1", "--no-report", "--out", a, "--record-schedule", file)).code).toBe(0);
    expect(readFileSync(file, "utf8")).toMatch(/^# Written by sim\n/);
    const b = join(dir, "r2");
    expect((await cli("run", file, "--no-report", "--out", b)).code).toBe(0);
    const prints = (d: string) => {
      const [head, ...rows] = readFileSync(join(d, "runs.csv"), "utf8").trim().split("\n");
      const k = head.split(",").indexOf("fingerprint");
      return rows.map((l) => l.split(",")).map((c) => `${c[0]} ${c[1]} ${c[k]}`);
    };
    expect(prints(a)).toHaveLength(3); // static, index, rebalance on seed 3
    expect(prints(a)[0]).toMatch(/^static 3 [0-9a-f]{16}$/);
    expect(prints(b)).toEqual(prints(a));
  });
});

/** One peer at 8 Mb/s: 1 s, plus a 1 s stall at 0.5 s: 2 s. */
const WORLD = `name: one-peer
strategies: [static]
content: { size_bytes: 1000000, block_bytes: 1000000, sub_block_bytes: 1000000 }
agent: { downlink_bps: 100000000, max_connections: 1 }
tracker: { rtt_ms: 0 }
peers:
  - { count: 1, uplink_bps: 8000000, rtt_ms: 0 }
schedule:
  - { at_s: 0.1, event: stall, node: "peers[0]#0", for_s: 0.1 }
  - { at_s: 0.5, event: stall, node: "peers[0]#0", for_s: 1 }
`;

describe("sim shrink", () => {
  const scenario = join(dir, "one-peer.yaml");
  beforeAll(() => writeFileSync(scenario, WORLD));

  it("writes the smallest world that still fails, and the commands that replay and explain it", async () => {
    const out = join(dir, "shrunk.yaml");
    const r = await cli("shrink", scenario, "--seed", "1", "--strategy", "static", "--until", "completion_s > 1.5", "--out", out);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^world events 2 → 1 \(50\.0%\), nodes 1 → 1, blocks 1 → 1; \d+ runs\n/);
    expect(r.stdout).toContain("originally: completion_s=2.1\nnow:        completion_s=2\n");
    expect(r.stdout).toContain(`wrote ${out}\nreplay:  npx sim run ${out} --strategy static --seed 1 --seeds 1 --trace --out reports/shrink/one-peer-static-seed1\n`);
    const text = readFileSync(out, "utf8");
    expect(text.startsWith("# Written by sim\n")).toBe(true);
    expect(text).toContain("name: one-peer-shrunk");
    // Run again: sim may replace a file it wrote.
    expect((await cli("shrink", scenario, "--seed", "1", "--strategy", "static", "--until", "completion_s > 1.5", "--out", out)).code).toBe(0);
  });

  it("exits 2 on bad input and 1 when the predicate does not hold, writing nothing", async () => {
    const out = join(dir, "never.yaml");
    const args = (until: string, ...more: string[]) => ["shrink", scenario, "--seed", "1", "--strategy", "static", "--until", until, "--out", out, ...more];
    const parse = await cli(...args("completion_s >"));
    expect(parse.code).toBe(2);
    expect(parse.stderr).toContain('--until: column 15: expected a number, "text", a metric name or "("');
    expect((await cli(...args("completion_s > 1", "--budget", "0"))).code).toBe(2);
    expect((await cli("shrink", scenario, "--seed", "1", "--strategy", "nope", "--until", "failed", "--out", out)).code).toBe(2);
    const mine = join(dir, "mine.yaml");
    writeFileSync(mine, "name: mine\n");
    const foreign = await cli("shrink", scenario, "--seed", "1", "--strategy", "static", "--until", "failed", "--out", mine);
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toContain("was not written by sim");
    expect(readFileSync(mine, "utf8")).toBe("name: mine\n");
    const holdsNot = await cli(...args("completion_s > 3"));
    expect(holdsNot.code).toBe(1);
    expect(holdsNot.stderr).toContain('the predicate "completion_s > 3" does not hold on static seed 1 (completion_s=2.1)');
    expect(existsSync(out)).toBe(false);
  });
});
