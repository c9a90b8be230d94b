// Shared by the real-network tests: a small fast scenario (four servers of 40 Mb/s at 2 ms, 1 MiB in 8 blocks
// of 128 KiB, 16 KiB sub-blocks), a testbed of it on 127.0.0.1, and a temporary folder with its manifest.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LoadedScenario, resolveScenario } from "../../src/scenario/load.ts";
import { manifestJson } from "../../src/real/manifest.ts";
import type { Misbehaviour } from "../../src/real/misbehaviour.ts";
import { startTestbed, type Testbed } from "../../src/real/testbed.ts";

export const SIZE_BYTES = 1 << 20;

export function fastScenario(over: Record<string, unknown> = {}): LoadedScenario {
  return resolveScenario(
    {
      name: "real-test",
      strategies: ["static", "index", "rebalance"],
      content: { size_bytes: SIZE_BYTES, block_bytes: 128 * 1024, sub_block_bytes: 16 * 1024 },
      agent: { downlink_bps: 1e9, max_connections: 4, connect_timeout_ms: 2000, request_timeout_min_ms: 1000 },
      tracker: { rtt_ms: 1 },
      servers: [{ count: 4, uplink_bps: 40_000_000, rtt_ms: 2 }],
      ...over,
    },
    "<real test>",
    process.cwd(),
  );
}

export interface Bed {
  readonly testbed: Testbed;
  readonly dir: string;
  readonly manifest: string;
  readonly urls: string[];
  close(): Promise<void>;
}

export async function bed(loaded = fastScenario(), misbehaviours?: ReadonlyMap<number, Misbehaviour>, seed = 7): Promise<Bed> {
  const testbed = await startTestbed(loaded, { seed, misbehaviours });
  const dir = mkdtempSync(join(tmpdir(), "sim-real-"));
  const manifest = join(dir, "manifest.json");
  writeFileSync(manifest, manifestJson(testbed.manifest));
  return {
    testbed,
    dir,
    manifest,
    urls: testbed.nodes.map((n) => n.url),
    async close() {
      await testbed.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
