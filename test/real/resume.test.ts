// An interrupted download resumes: the first run is stopped half way (its signal aborts), FILE.part and its
// state stay; the second run with resume continues and never asks any mirror for a byte of a sub-block the
// first run verified (the testbed's own log of served ranges is the witness; the one-byte connection probes
// are not sub-block requests), and the file matches its SHA-256. Without --resume an existing part is refused.

import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Content } from "../../src/agent/content.ts";
import { fetchFile } from "../../src/real/fetch.ts";
import { RealInputError } from "../../src/real/input-error.ts";
import { subBlockRange } from "../../src/real/manifest.ts";
import { bed, type Bed, fastScenario, SIZE_BYTES } from "./helpers.ts";

let b: Bed | null = null;
afterEach(async () => {
  await b?.close();
  b = null;
});

describe("resume", () => {
  it("continues an interrupted download without fetching a verified sub-block again", async () => {
    // Slow mirrors (4 × 4 Mb/s: about 0.5 s for the file) so the interruption lands half way even when a
    // loaded machine runs the polling timer late.
    const loaded = fastScenario({ servers: [{ count: 4, uplink_bps: 4_000_000, rtt_ms: 2 }] });
    b = await bed(loaded);
    const out = join(b.dir, "resumed.bin");
    const controller = new AbortController();
    let poll: NodeJS.Timeout | undefined;
    const first = await fetchFile({
      urls: b.urls,
      out,
      strategy: "rebalance",
      manifest: b.manifest,
      resume: false,
      signal: controller.signal,
      onStart: ({ driver }) => {
        poll = setInterval(() => {
          if (driver.progress().verifiedBytes >= SIZE_BYTES / 2) controller.abort();
        }, 2);
      },
    });
    clearInterval(poll);
    expect(first.status).toBe("interrupted");
    expect(existsSync(`${out}.part`)).toBe(true);
    expect(existsSync(`${out}.part.json`)).toBe(true);
    expect(existsSync(out)).toBe(false);
    // The sub-blocks the part file holds verified, read from its state file's bitmap (bit i of byte i >> 3).
    const state = JSON.parse(readFileSync(`${out}.part.json`, "utf8")) as { verified: string; sub_blocks: number };
    const bits = Buffer.from(state.verified, "base64");
    const verified = new Set<number>();
    for (let i = 0; i < state.sub_blocks; i++) if ((bits[i >> 3] >> (i & 7)) & 1) verified.add(i);
    // Every sub-block the agent was told of is among them.
    for (const s of first.result!.subBlocks) if (s.outcome === "ok") expect(verified.has(s.subBlockId)).toBe(true);
    expect(verified.size).toBeGreaterThanOrEqual(32);
    expect(verified.size).toBeLessThan(64);

    // Without --resume the part file is refused, not overwritten.
    await expect(fetchFile({ urls: b.urls, out, strategy: "rebalance", manifest: b.manifest, resume: false })).rejects.toThrow(RealInputError);

    const logStart = b.testbed.nodes.map((n) => n.server.log.length);
    const second = await fetchFile({ urls: b.urls, out, strategy: "rebalance", manifest: b.manifest, resume: true });
    expect(second.status).toBe("done");
    expect(second.resumedBytes).toBe(verified.size * 16 * 1024);
    expect(createHash("sha256").update(readFileSync(out)).digest("hex")).toBe(b.testbed.manifest.sha256);
    expect(existsSync(`${out}.part`) || existsSync(`${out}.part.json`)).toBe(false);

    const content = new Content({ sizeBytes: SIZE_BYTES, blockBytes: 128 * 1024, subBlockBytes: 16 * 1024 });
    const servedAgain: string[] = [];
    b.testbed.nodes.forEach((n, i) => {
      for (const r of n.server.log.slice(logStart[i])) {
        if (r.start === 0 && r.end === 0) continue; // a connection probe
        for (const id of verified) {
          const sb = subBlockRange(content, id);
          if (r.start < sb.end && r.end >= sb.start) servedAgain.push(`node ${i} bytes ${r.start}-${r.end} hold sub-block ${id}`);
        }
      }
    });
    expect(servedAgain).toEqual([]);
    // Every sub-block the first run had not verified was fetched in the second.
    expect(second.fetchedBytes).toBeGreaterThanOrEqual(SIZE_BYTES - verified.size * 16 * 1024);
  });

  it("starts over when the manifest changed since the interruption", async () => {
    b = await bed();
    const out = join(b.dir, "restart.bin");
    const controller = new AbortController();
    controller.abort();
    const first = await fetchFile({ urls: b.urls, out, strategy: "static", manifest: b.manifest, resume: false, signal: controller.signal });
    expect(first.status).toBe("interrupted");
    // Now without a manifest: the identity differs, so nothing kept is trusted.
    const notes: string[] = [];
    const second = await fetchFile({ urls: b.urls, out, strategy: "static", resume: true, blockBytes: 128 * 1024, subBlockBytes: 16 * 1024, note: (t) => notes.push(t) });
    expect(second.status).toBe("done");
    expect(notes.join("\n")).toMatch(/starting over, the manifest changed/);
    expect(createHash("sha256").update(readFileSync(out)).digest("hex")).toBe(b.testbed.manifest.sha256);
  });
});
