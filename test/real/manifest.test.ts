// The manifest: hashes by sub-block id with a short last block (checked against SHA-256 test vectors and
// hashes computed here independently with node:crypto on hand-cut slices), its JSON round trip, and clear
// errors for bad manifests.

import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { contentBytes } from "../../src/real/content-bytes.ts";
import { RealInputError } from "../../src/real/input-error.ts";
import { manifestJson, manifestOfBytes, manifestOfFile, parseManifest, sha256Hex } from "../../src/real/manifest.ts";

const TMP = mkdtempSync(join(tmpdir(), "sim-manifest-"));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

describe("manifest", () => {
  it("hashes with SHA-256 (FIPS 180-2 vector for 'abc')", () => {
    expect(sha256Hex(Buffer.from("abc"))).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("cuts a 10-byte file in blocks of 4 and sub-blocks of 3 as [0,3) [3,4) [4,7) [7,8) [8,10)", () => {
    const bytes = Buffer.from("0123456789");
    const m = manifestOfBytes(bytes, 4, 3);
    // Ids: block b, index i → 2b + i; the short last block (2 bytes) has one sub-block.
    expect(m.subBlocks).toEqual([sha(Buffer.from("012")), sha(Buffer.from("3")), sha(Buffer.from("456")), sha(Buffer.from("7")), sha(Buffer.from("89"))]);
    expect(m.sha256).toBe(sha(bytes));
  });

  it("gives the same manifest from the file on disk, and survives a JSON round trip", () => {
    const bytes = contentBytes(3, 100_000);
    const file = join(TMP, "f.bin");
    writeFileSync(file, bytes);
    const m = manifestOfFile(file, 32_768, 4096);
    expect(m).toEqual(manifestOfBytes(bytes, 32_768, 4096));
    expect(parseManifest(manifestJson(m), "m.json")).toEqual(m);
  });

  it("makes the same testbed bytes from a seed every time, and other bytes for another seed or version", () => {
    expect(sha(contentBytes(5, 4096))).toBe(sha(contentBytes(5, 4096)));
    expect(sha(contentBytes(5, 4096))).not.toBe(sha(contentBytes(6, 4096)));
    expect(sha(contentBytes(5, 4096))).not.toBe(sha(contentBytes(5, 4096, 1)));
  });

  it.each([
    ["not JSON", "{", /not JSON/],
    ["another format", '{"format":"x"}', /not a sim manifest/],
    ["a bad size", '{"format":"sim-manifest","version":1,"size_bytes":-1,"block_bytes":4,"sub_block_bytes":2}', /size_bytes must be a positive integer/],
    [
      "a wrong hash count",
      `{"format":"sim-manifest","version":1,"size_bytes":4,"block_bytes":4,"sub_block_bytes":2,"sha256":"${"a".repeat(64)}","sub_blocks":[]}`,
      /must list 2 hashes/,
    ],
  ])("rejects %s with a RealInputError naming the file", (_what, text, says) => {
    expect(() => parseManifest(text, "bad.json")).toThrow(RealInputError);
    expect(() => parseManifest(text, "bad.json")).toThrow(says);
  });
});
