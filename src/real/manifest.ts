// The integrity manifest of a file: its layout (size, block and sub-block bytes), the SHA-256 of the whole file
// and of every sub-block, in content order (index = the agent's sub-block id: ids are dense but for unused ids
// after a short last block, which have no hash). JSON, written by `sim manifest` and by the testbed; a fetch
// with a manifest checks each sub-block as it arrives.
//
// {"format":"sim-manifest","version":1,"size_bytes":…,"block_bytes":…,"sub_block_bytes":…,"sha256":"…",
//  "sub_blocks":["…",…]}

import { createHash } from "node:crypto";
import { closeSync, fstatSync, openSync, readFileSync, readSync } from "node:fs";
import { Content } from "../agent/content.ts";
import type { ContentLayout } from "../agent/config.ts";
import { excerpt, RealInputError } from "./input-error.ts";

export const MANIFEST_FORMAT = "sim-manifest";
export const MANIFEST_VERSION = 1;
/** Largest manifest file read (a 1 TiB file at 64 KiB sub-blocks needs ~1.1 GB: far beyond any use here). */
const MAX_MANIFEST_BYTES = 256 * 1024 * 1024;
/** Most sub-blocks a manifest may list. */
export const MAX_MANIFEST_SUB_BLOCKS = 4_000_000;

export interface Manifest {
  readonly layout: ContentLayout;
  /** Hex SHA-256 of the whole file. */
  readonly sha256: string;
  /** Hex SHA-256 of each sub-block, by sub-block id. */
  readonly subBlocks: readonly string[];
}

const HEX64 = /^[0-9a-f]{64}$/;

export function sha256Hex(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Checks a layout as the scenario checks content sizes; throws RealInputError naming the flag or key. */
export function checkLayout(layout: ContentLayout, where: string): void {
  for (const [key, v] of [
    ["size_bytes", layout.sizeBytes],
    ["block_bytes", layout.blockBytes],
    ["sub_block_bytes", layout.subBlockBytes],
  ] as const) {
    if (!Number.isSafeInteger(v) || v <= 0) throw new RealInputError(`${where}: ${key} must be a positive integer, found ${v}`);
  }
  if (layout.subBlockBytes > layout.blockBytes) {
    throw new RealInputError(`${where}: sub_block_bytes (${layout.subBlockBytes}) must be at most block_bytes (${layout.blockBytes})`);
  }
  const c = new Content(layout);
  const count = (c.blockCount - 1) * c.subBlocksPerBlock + c.subBlocksIn(c.blockCount - 1);
  if (count > MAX_MANIFEST_SUB_BLOCKS) {
    throw new RealInputError(`${where}: ${count} sub-blocks is more than the ${MAX_MANIFEST_SUB_BLOCKS} supported; use larger sub-blocks`);
  }
}

/** Number of sub-block ids in use (the last block may be short). */
export function subBlockCount(layout: ContentLayout): number {
  const c = new Content(layout);
  return (c.blockCount - 1) * c.subBlocksPerBlock + c.subBlocksIn(c.blockCount - 1);
}

/** Byte range [start, end) of a sub-block in the file. */
export function subBlockRange(content: Content, id: number): { start: number; end: number } {
  const block = content.blockOf(id);
  const start = block * content.blockBytes + (id - block * content.subBlocksPerBlock) * content.subBlockBytes;
  return { start, end: start + content.subBlockSize(id) };
}

/** The manifest of bytes held in memory. */
export function manifestOfBytes(bytes: Uint8Array, blockBytes: number, subBlockBytes: number): Manifest {
  const layout = { sizeBytes: bytes.length, blockBytes, subBlockBytes };
  checkLayout(layout, "manifest");
  const content = new Content(layout);
  const subBlocks: string[] = [];
  for (let id = 0; id < subBlockCount(layout); id++) {
    const { start, end } = subBlockRange(content, id);
    subBlocks.push(sha256Hex(bytes.subarray(start, end)));
  }
  return { layout, sha256: sha256Hex(bytes), subBlocks };
}

/** The manifest of a file on disk, read once sub-block by sub-block (bounded memory). */
export function manifestOfFile(path: string, blockBytes: number, subBlockBytes: number): Manifest {
  const fd = openSync(path, "r");
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new RealInputError(`${path}: not a regular file`);
    const layout = { sizeBytes: st.size, blockBytes, subBlockBytes };
    if (st.size === 0) throw new RealInputError(`${path}: the file is empty`);
    checkLayout(layout, path);
    const content = new Content(layout);
    const whole = createHash("sha256");
    const subBlocks: string[] = [];
    const buf = Buffer.allocUnsafe(content.subBlockBytes);
    for (let id = 0; id < subBlockCount(layout); id++) {
      const { start, end } = subBlockRange(content, id);
      const n = end - start;
      let got = 0;
      for (let tries = 0; got < n; tries++) {
        if (tries > n) throw new RealInputError(`${path}: the file changed while it was read`);
        const r = readSync(fd, buf, got, n - got, start + got);
        if (r === 0) throw new RealInputError(`${path}: the file shrank while it was read`);
        got += r;
      }
      const part = buf.subarray(0, n);
      whole.update(part);
      subBlocks.push(sha256Hex(part));
    }
    return { layout, sha256: whole.digest("hex"), subBlocks };
  } finally {
    closeSync(fd);
  }
}

export function manifestJson(m: Manifest): string {
  return `${JSON.stringify({
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    size_bytes: m.layout.sizeBytes,
    block_bytes: m.layout.blockBytes,
    sub_block_bytes: m.layout.subBlockBytes,
    sha256: m.sha256,
    sub_blocks: m.subBlocks,
  })}\n`;
}

/** Parses manifest text; every problem is a RealInputError naming the file and the key. */
export function parseManifest(text: string, file: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new RealInputError(`${file}: not a sim manifest (not JSON)`);
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new RealInputError(`${file}: not a sim manifest (expected a JSON object)`);
  }
  const o = raw as Record<string, unknown>;
  if (o.format !== MANIFEST_FORMAT) throw new RealInputError(`${file}: not a sim manifest (format is not "${MANIFEST_FORMAT}")`);
  if (o.version !== MANIFEST_VERSION) {
    throw new RealInputError(`${file}: manifest version ${excerpt(String(o.version))} is not supported (expected ${MANIFEST_VERSION})`);
  }
  const int = (key: string): number => {
    const v = o[key];
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v <= 0) {
      throw new RealInputError(`${file}: ${key} must be a positive integer, found ${excerpt(String(v))}`);
    }
    return v;
  };
  const layout = { sizeBytes: int("size_bytes"), blockBytes: int("block_bytes"), subBlockBytes: int("sub_block_bytes") };
  checkLayout(layout, file);
  if (typeof o.sha256 !== "string" || !HEX64.test(o.sha256)) throw new RealInputError(`${file}: sha256 must be 64 lowercase hex digits`);
  const list = o.sub_blocks;
  const count = subBlockCount(layout);
  if (!Array.isArray(list) || list.length !== count) {
    throw new RealInputError(`${file}: sub_blocks must list ${count} hashes for this layout, found ${Array.isArray(list) ? list.length : "none"}`);
  }
  list.forEach((h, i) => {
    if (typeof h !== "string" || !HEX64.test(h)) throw new RealInputError(`${file}: sub_blocks[${i}] must be 64 lowercase hex digits`);
  });
  return { layout, sha256: o.sha256, subBlocks: list as string[] };
}

export function readManifest(file: string): Manifest {
  let text: string;
  try {
    const fd = openSync(file, "r");
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) throw new RealInputError(`${file}: the manifest must be a regular file`);
      if (st.size > MAX_MANIFEST_BYTES) throw new RealInputError(`${file}: larger than ${MAX_MANIFEST_BYTES} bytes`);
    } finally {
      closeSync(fd);
    }
    text = readFileSync(file, "utf8");
  } catch (e) {
    if (e instanceof RealInputError) throw e;
    throw new RealInputError(`${file}: cannot read the manifest (${(e as NodeJS.ErrnoException).code ?? "error"})`);
  }
  return parseManifest(text, file);
}
