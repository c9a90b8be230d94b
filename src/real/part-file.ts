// The download in progress: FILE.part (the file's bytes at their offsets, preallocated) and FILE.part.json, a
// small state file naming the layout, the mirrors' validator, the manifest's SHA-256 and which sub-blocks are
// verified (a bitmap). A sub-block is marked verified only after its bytes are written; the state file is
// rewritten atomically (files/atomic.ts) after the part file's data reached the disk (fdatasync), at most every
// SAVE_EVERY_MS and when the download stops, so after an interruption the state never claims bytes the part
// file lacks. finish() renames FILE.part to FILE only after every check passed, then removes the state file.

import { closeSync, existsSync, fdatasyncSync, fstatSync, ftruncateSync, openSync, readFileSync, readSync, renameSync, rmSync, writeSync } from "node:fs";
import { createHash } from "node:crypto";
import type { ContentLayout } from "../agent/config.ts";
import { writeFileAtomic } from "../files/atomic.ts";
import { RealInputError } from "./input-error.ts";
import { subBlockCount } from "./manifest.ts";
import type { Validator } from "./response-check.ts";

export const STATE_FORMAT = "sim-fetch-state";
export const SAVE_EVERY_MS = 250;
const MAX_STATE_BYTES = 64 * 1024 * 1024;

export interface PartIdentity {
  readonly layout: ContentLayout;
  /** Each mirror's validator by URL, as its first answer gave it (null: it sent none). */
  readonly validators: Readonly<Record<string, Validator | null>>;
  /** SHA-256 of the whole file as the manifest gives it, or null without a manifest. */
  readonly manifestSha256: string | null;
}

export const partPath = (out: string) => `${out}.part`;
export const statePath = (out: string) => `${out}.part.json`;

function sameIdentity(a: PartIdentity, b: PartIdentity): string | null {
  const la = a.layout;
  const lb = b.layout;
  if (la.sizeBytes !== lb.sizeBytes || la.blockBytes !== lb.blockBytes || la.subBlockBytes !== lb.subBlockBytes) {
    return "the layout (size, block or sub-block bytes) changed";
  }
  if (a.manifestSha256 !== b.manifestSha256) return "the manifest changed";
  // A mirror given both times must still name the same version. Without a manifest the validators are the only
  // proof that the bytes kept belong to the file: at least one mirror must vouch for them.
  let vouched = 0;
  for (const [url, va] of Object.entries(a.validators)) {
    if (!Object.hasOwn(b.validators, url)) continue;
    const vb = b.validators[url];
    if ((va?.etag ?? null) !== (vb?.etag ?? null) || (va?.lastModified ?? null) !== (vb?.lastModified ?? null)) {
      return `the validator (ETag / Last-Modified) of ${url} changed`;
    }
    if (va !== null && (va.etag !== null || va.lastModified !== null)) vouched++;
  }
  if (a.manifestSha256 === null && vouched === 0) return "no mirror of the earlier download vouches for its bytes (no common mirror with an ETag or Last-Modified)";
  return null;
}

export class PartFile {
  private readonly fd: number;
  private readonly verified: Uint8Array;
  private count = 0;
  private dirty = false;
  private lastSaveMs = 0;
  private closed = false;

  private constructor(
    readonly out: string,
    readonly identity: PartIdentity,
    fd: number,
    verified: Uint8Array,
  ) {
    this.fd = fd;
    this.verified = verified;
    for (const v of verified) this.count += v;
  }

  /**
   * Opens the part file for `out`. Without resume, FILE.part and its state must not exist. With resume, a
   * matching state continues it; a state whose layout, manifest or validator differ restarts from nothing
   * (`restartedBecause` says why); none at all starts afresh.
   */
  static open(out: string, identity: PartIdentity, resume: boolean): { part: PartFile; restartedBecause: string | null; resumedSubBlocks: number } {
    const part = partPath(out);
    const state = statePath(out);
    const count = subBlockCount(identity.layout);
    const fresh = () => {
      const fd = openSync(part, "w+", 0o644);
      ftruncateSync(fd, identity.layout.sizeBytes);
      const p = new PartFile(out, identity, fd, new Uint8Array(count));
      p.save(true);
      return p;
    };
    if (!resume) {
      for (const f of [part, state]) {
        if (existsSync(f)) throw new RealInputError(`${f} exists: pass --resume to continue that download, or remove it`);
      }
      return { part: fresh(), restartedBecause: null, resumedSubBlocks: 0 };
    }
    if (!existsSync(state) || !existsSync(part)) {
      if (existsSync(part) && !existsSync(state)) throw new RealInputError(`${part} exists without its state file ${state}: remove it to start again`);
      return { part: fresh(), restartedBecause: null, resumedSubBlocks: 0 };
    }
    const saved = readState(state, count);
    const why = sameIdentity(saved.identity, identity);
    if (why !== null) return { part: fresh(), restartedBecause: why, resumedSubBlocks: 0 };
    const fd = openSync(part, "r+");
    if (fstatSync(fd).size !== identity.layout.sizeBytes) ftruncateSync(fd, identity.layout.sizeBytes);
    const p = new PartFile(out, identity, fd, saved.verified);
    return { part: p, restartedBecause: null, resumedSubBlocks: p.count };
  }

  isVerified(id: number): boolean {
    return this.verified[id] === 1;
  }

  get verifiedCount(): number {
    return this.count;
  }

  /** Writes a verified sub-block's bytes at its offset and marks it (the state is saved later). */
  writeVerified(id: number, offset: number, bytes: Uint8Array): void {
    if (this.verified[id] === 1) return;
    let done = 0;
    for (let tries = 0; done < bytes.length; tries++) {
      if (tries > bytes.length) throw new Error(`part file: write of sub-block ${id} made no progress`);
      done += writeSync(this.fd, bytes, done, bytes.length - done, offset + done);
    }
    this.verified[id] = 1;
    this.count++;
    this.dirty = true;
    const now = performance.now();
    if (now - this.lastSaveMs >= SAVE_EVERY_MS) this.save(false);
  }

  /** Flushes the part file's data, then writes the state atomically (when something changed, or forced). */
  save(force: boolean): void {
    if (this.closed || (!this.dirty && !force)) return;
    fdatasyncSync(this.fd);
    writeFileAtomic(statePath(this.out), stateJson(this.identity, this.verified));
    this.dirty = false;
    this.lastSaveMs = performance.now();
  }

  /** SHA-256 of the part file's bytes, read in 1 MiB pieces. */
  sha256(): string {
    const h = createHash("sha256");
    const buf = Buffer.allocUnsafe(1 << 20);
    const size = this.identity.layout.sizeBytes;
    for (let off = 0; off < size; ) {
      const n = readSync(this.fd, buf, 0, Math.min(buf.length, size - off), off);
      if (n <= 0) throw new Error("part file: shorter than its size");
      h.update(buf.subarray(0, n));
      off += n;
    }
    return h.digest("hex");
  }

  /** Saves the state and closes the part file (kept for --resume). */
  close(): void {
    if (this.closed) return;
    this.save(false);
    this.closed = true;
    closeSync(this.fd);
  }

  /** Every check passed: FILE.part becomes FILE and the state file goes. */
  commit(): void {
    if (!this.closed) {
      fdatasyncSync(this.fd);
      this.closed = true;
      closeSync(this.fd);
    }
    renameSync(partPath(this.out), this.out);
    rmSync(statePath(this.out), { force: true });
  }
}

function stateJson(id: PartIdentity, verified: Uint8Array): string {
  const bits = Buffer.alloc(Math.ceil(verified.length / 8));
  verified.forEach((v, i) => {
    if (v === 1) bits[i >> 3] |= 1 << (i & 7);
  });
  return `${JSON.stringify({
    format: STATE_FORMAT,
    version: 1,
    size_bytes: id.layout.sizeBytes,
    block_bytes: id.layout.blockBytes,
    sub_block_bytes: id.layout.subBlockBytes,
    validators: id.validators,
    manifest_sha256: id.manifestSha256,
    sub_blocks: verified.length,
    verified: bits.toString("base64"),
  })}\n`;
}

function readState(file: string, count: number): { identity: PartIdentity; verified: Uint8Array } {
  const bad = (what: string) => new RealInputError(`${file}: not a usable fetch state file (${what}); remove it and its .part to start again`);
  const fd = openSync(file, "r");
  try {
    if (fstatSync(fd).size > MAX_STATE_BYTES) throw bad("too large");
  } finally {
    closeSync(fd);
  }
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch {
    throw bad("not JSON");
  }
  if (o === null || typeof o !== "object" || o.format !== STATE_FORMAT || o.version !== 1) throw bad(`format is not ${STATE_FORMAT} version 1`);
  const int = (k: string) => {
    const v = o[k];
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v <= 0) throw bad(`${k} is not a positive integer`);
    return v;
  };
  const str = (k: string) => {
    const v = o[k];
    if (v !== null && typeof v !== "string") throw bad(`${k} is not a string`);
    return v as string | null;
  };
  const layout = { sizeBytes: int("size_bytes"), blockBytes: int("block_bytes"), subBlockBytes: int("sub_block_bytes") };
  const validators: Record<string, Validator | null> = {};
  const raw = o.validators;
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw bad("validators is not an object");
  for (const [url, v] of Object.entries(raw as Record<string, unknown>)) {
    if (v === null) validators[url] = null;
    else if (typeof v === "object" && !Array.isArray(v)) {
      const { etag, lastModified } = v as Record<string, unknown>;
      const text = (x: unknown) => (typeof x === "string" ? x : null);
      validators[url] = { etag: text(etag), lastModified: text(lastModified) };
    } else throw bad(`validators of ${url.slice(0, 60)} is not an object`);
  }
  const identity: PartIdentity = { layout, validators, manifestSha256: str("manifest_sha256") };
  const verified = new Uint8Array(count);
  if (o.sub_blocks === count && typeof o.verified === "string") {
    const bits = Buffer.from(o.verified, "base64");
    for (let i = 0; i < count; i++) verified[i] = (bits[i >> 3] >> (i & 7)) & 1;
  }
  return { identity, verified };
}
