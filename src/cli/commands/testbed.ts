// `sim testbed SCENARIO [--seed N] [--duration S] [--misbehave NODE:KIND[=V]]…`: starts one HTTP server on
// 127.0.0.1 per node of the scenario, each serving the seed's file shaped like its node (src/real/testbed.ts),
// prints each node's URL and the manifest's path, and runs until Ctrl-C (SIGINT) or --duration seconds. The
// manifest goes to --manifest-out (never over an existing file) or to a temporary folder removed at the end.

import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CommandModule } from "yargs";
import { EXIT_CODES_TEXT, ExitCode, UsageError } from "../exit.ts";
import { asUsage, intFlag, positiveFlag } from "./real-errors.ts";

interface Args {
  readonly scenario: string;
  readonly seed?: number;
  readonly duration?: number;
  readonly misbehave?: string[];
  readonly manifestOut?: string;
  readonly json: boolean;
}

export function testbedCommand(setExit: (code: number) => void): CommandModule<object, Args> {
  return {
    command: "testbed <scenario>",
    describe: "Serve a scenario's nodes as shaped HTTP mirrors on 127.0.0.1 (for sim fetch)",
    builder: (y) =>
      y
        .positional("scenario", { type: "string", demandOption: true, describe: "scenario YAML file" })
        .option("seed", { type: "number", describe: "seed: node parameters and file bytes [default: the scenario's]" })
        .option("duration", { type: "number", describe: "stop after this many seconds [default: until Ctrl-C]" })
        .option("misbehave", {
          type: "string",
          array: true,
          describe: "NODE:KIND[=V] with KIND ignore-range, short-206, wrong-range, etag-change=N, die=BYTES, corrupt=P",
        })
        .option("manifest-out", { type: "string", describe: "write the manifest here [default: a temporary file removed at the end]" })
        .option("json", { type: "boolean", default: false, describe: "print one JSON object instead of text" })
        .example("$0 testbed scenarios/calibration/servers-4.yaml", "four shaped mirrors until Ctrl-C")
        .example("$0 testbed scenarios/calibration/servers-4.yaml --misbehave 1:ignore-range --duration 60", "one mirror ignores Range")
        .epilogue(EXIT_CODES_TEXT) as never,
    handler: async (args) => {
      intFlag("seed", args.seed, 0);
      positiveFlag("duration", args.duration);
      if (args.manifestOut !== undefined && existsSync(args.manifestOut)) {
        throw new UsageError(`--manifest-out: ${args.manifestOut} exists: the manifest is never written over a file`);
      }
      const { loadScenario } = await import("../../scenario/load.ts");
      const loaded = loadScenario(args.scenario);
      const seed = args.seed ?? loaded.scenario.seed;
      const { startTestbed } = await import("../../real/testbed.ts");
      const { parseMisbehaviours } = await import("../../real/misbehaviour.ts");
      const { manifestJson } = await import("../../real/manifest.ts");
      const { writeFileAtomic } = await import("../../files/atomic.ts");
      // The nodes the simulated world starts with: the origin, then servers, then peers (arrivals come later).
      const sc = loaded.scenario;
      const nodeCount = (sc.origin !== null ? 1 : 0) + [...sc.servers, ...sc.peers].reduce((n, g) => n + g.count, 0);
      const misbehaviours = await asUsage(async () => parseMisbehaviours(args.misbehave ?? [], nodeCount));
      const tempDir = args.manifestOut === undefined ? mkdtempSync(join(tmpdir(), "sim-testbed-")) : null;
      const manifestPath = args.manifestOut ?? join(tempDir!, "manifest.json");
      const testbed = await asUsage(() => startTestbed(loaded, { seed, misbehaviours }));
      try {
        writeFileAtomic(manifestPath, manifestJson(testbed.manifest));
        if (args.json) {
          process.stdout.write(
            `${JSON.stringify({
              scenario: loaded.scenario.name,
              seed,
              manifest: manifestPath,
              sha256: testbed.manifest.sha256,
              size_bytes: testbed.content.length,
              nodes: testbed.nodes.map((n) => ({ node: n.id, label: n.label, kind: n.kind, url: n.url, rtt_ms: n.rttMs, uplink_bps: Math.round(n.uplinkBps) })),
            })}\n`,
          );
        } else {
          for (const n of testbed.nodes) {
            process.stdout.write(`node ${n.id} ${n.kind} ${n.label}: ${(n.uplinkBps / 1e6).toFixed(2)} Mb/s, RTT ${n.rttMs.toFixed(1)} ms  ${n.url}\n`);
          }
          process.stdout.write(`manifest: ${manifestPath}\nsha256: ${testbed.manifest.sha256}\n`);
          for (const note of testbed.notes) process.stdout.write(`note: ${note}\n`);
          process.stdout.write(args.duration !== undefined ? `serving for ${args.duration} s (Ctrl-C stops)\n` : "serving until Ctrl-C\n");
        }
        await new Promise<void>((resolve) => {
          const stop = () => {
            process.off("SIGINT", stop);
            process.off("SIGTERM", stop);
            if (timer !== null) clearTimeout(timer);
            resolve();
          };
          const timer = args.duration !== undefined ? setTimeout(stop, args.duration * 1000) : null;
          process.once("SIGINT", stop);
          process.once("SIGTERM", stop);
        });
      } finally {
        await testbed.close();
        if (tempDir !== null) rmSync(tempDir, { recursive: true, force: true });
      }
      setExit(ExitCode.ok);
    },
  };
}
