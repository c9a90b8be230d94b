// The testbed's file: `sizeBytes` deterministic bytes made from a seed (an AES-128-CTR key stream over zeros,
// keyed by SHA-256 of the seed and a version number), the same on every machine. A mirror that "changes its
// version" serves the bytes of version + 1. Built in memory: testbed files are small (a few MiB).

import { createCipheriv, createHash } from "node:crypto";

/** Largest file the testbed makes in memory (1 GiB). */
export const MAX_CONTENT_BYTES = 1 << 30;

export function contentBytes(seed: number, sizeBytes: number, version = 0): Buffer {
  if (!Number.isSafeInteger(sizeBytes) || sizeBytes < 0 || sizeBytes > MAX_CONTENT_BYTES) {
    throw new RangeError(`content size must be an integer in [0, ${MAX_CONTENT_BYTES}], got ${sizeBytes}`);
  }
  const key = createHash("sha256").update(`sim testbed content/${seed}/${version}`).digest().subarray(0, 16);
  const cipher = createCipheriv("aes-128-ctr", key, Buffer.alloc(16));
  const out = cipher.update(Buffer.alloc(sizeBytes));
  cipher.final();
  return out;
}
