// `sim fetch`: downloads one file from several HTTP mirrors with the agent and a strategy.
// 1. Each mirror is probed once (`Range: bytes=0-0`, at most max(connect timeout, 1 s): a mirror silent for
//    longer is out): the answers give the file's size (the manifest's, when given; otherwise the first
//    answering mirror's, in the order given; a mirror reporting another size is out), each mirror's validator
//    and its round trip, which the driver's node list reports as RTT hints (every
//    mirror gets the same prior rate: nothing is known of it yet).
// 2. The layout is the manifest's, or --block-bytes / --sub-block-bytes; the agent's settings are the
//    scenario defaults (docs/cli-and-scenarios.md) with --max-connections.
// 3. The driver (driver.ts) runs the agent; verified sub-blocks go to FILE.part (part-file.ts).
// 4. When every block arrived: the part file's SHA-256 is checked against the manifest and --sha256 (when
//    given), and only then renamed to FILE. A failed or interrupted download keeps FILE.part and its state for
//    --resume; a checksum failure never throws the verified sub-blocks away.

import { existsSync } from "node:fs";
import { createStrategy } from "../agent/strategies/registry.ts";
import type { AgentStats } from "../agent/agent.ts";
import type { NodeInfo } from "../agent/ports.ts";
import { type LoadedScenario, resolveScenario } from "../scenario/load.ts";
import type { RunResult } from "../sim/metrics/records.ts";
import { agentConfigFor } from "../harness/sim-config.ts";
import { RealDriver } from "./driver.ts";
import { excerpt, RealInputError } from "./input-error.ts";
import { checkLayout, type Manifest, readManifest } from "./manifest.ts";
import { DEFAULT_TIMEOUTS, type HttpTimeouts, Mirror } from "./mirror.ts";
import { PartFile } from "./part-file.ts";
import { rangeGet } from "./range-get.ts";
import type { Validator } from "./response-check.ts";
import { WallClock } from "./wall-clock.ts";

export const DEFAULT_BLOCK_BYTES = 1 << 20;
export const DEFAULT_SUB_BLOCK_BYTES = 1 << 16;
/** The prior rate every mirror starts with (nothing is known of a mirror before it sends). */
export const MIRROR_PRIOR_BPS = 10_000_000;
export const DEFAULT_STALL_TIMEOUT_MS = 60_000;
/** Most mirrors one fetch accepts. */
export const MAX_MIRRORS = 256;

export interface FetchOptions {
  readonly urls: readonly string[];
  readonly out: string;
  readonly strategy: string;
  readonly manifest?: string;
  readonly maxConnections?: number;
  readonly resume: boolean;
  readonly sha256?: string;
  readonly blockBytes?: number;
  readonly subBlockBytes?: number;
  readonly timeouts?: HttpTimeouts;
  readonly stallTimeoutMs?: number;
  /** Ranges written ahead on a mirror's socket (HTTP/1.1 pipelining); 1 turns pipelining off. */
  readonly pipelining?: number;
  readonly signal?: AbortSignal;
  /** Called with the driver once the download started (progress bars read it). */
  readonly onStart?: (info: { driver: RealDriver; mirrors: readonly Mirror[]; sizeBytes: number; resumedBytes: number }) => void;
  /** Notes for the user (a restart of a resumed download, mirrors left out). */
  readonly note?: (text: string) => void;
}

export interface MirrorReport {
  readonly url: string;
  readonly standing: string;
  readonly reason: string;
  readonly goodBytes: number;
  readonly otherBytes: number;
}

export interface FetchOutcome {
  readonly status: "done" | "failed" | "interrupted";
  readonly error: string | null;
  readonly sizeBytes: number;
  readonly elapsedS: number;
  /** Bytes fetched and verified in this run (not those resumed from the part file). */
  readonly fetchedBytes: number;
  readonly resumedBytes: number;
  readonly mirrors: readonly MirrorReport[];
  readonly stats: AgentStats | null;
  /** The run as the simulator's records (for --out), and the scenario it is reported under. */
  readonly result: RunResult | null;
  readonly loaded: LoadedScenario | null;
}

/** Checks the URL list; every problem is bad input. */
export function parseMirrorUrls(urls: readonly string[]): URL[] {
  if (urls.length === 0) throw new RealInputError("name at least one mirror URL");
  if (urls.length > MAX_MIRRORS) throw new RealInputError(`at most ${MAX_MIRRORS} mirrors, found ${urls.length}`);
  const out: URL[] = [];
  for (const u of urls) {
    let url: URL;
    try {
      url = new URL(u);
    } catch {
      throw new RealInputError(`not a URL: ${excerpt(u)}`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new RealInputError(`only http: and https: URLs are supported, found ${excerpt(u)}`);
    if (url.username !== "" || url.password !== "") throw new RealInputError(`URLs with credentials are not accepted: ${excerpt(`${url.protocol}//${url.host}${url.pathname}`)}`);
    if (out.some((o) => o.href === url.href)) throw new RealInputError(`mirror given twice: ${excerpt(u)}`);
    out.push(url);
  }
  return out;
}

interface Probe {
  readonly total: number | null;
  readonly validator: Validator | null;
  readonly rttMs: number;
  readonly problem: string | null;
}

/** One `bytes=0-0` probe of a mirror; a mirror that has not answered within deadlineMs is left out. */
function probe(mirror: Mirror, clock: WallClock, deadlineMs: number): Promise<Probe> {
  const t0 = clock.nowUs();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      get.abort();
      resolve({ total: null, validator: null, rttMs: 0, problem: `no answer within ${deadlineMs} ms` });
    }, deadlineMs);
    const done = (p: Probe) => {
      clearTimeout(timer);
      resolve(p);
    };
    const get = rangeGet(mirror, 0, 0, () => clock.nowUs(), {
      onVerdict: (v) => {
        const rttMs = (clock.nowUs() - t0) / 1000;
        if (v.kind === "ok") done({ total: v.total, validator: v.validator, rttMs, problem: null });
        else {
          const what = v.kind === "no-ranges" ? "answers ranged GETs with 200 (no ranges)" : v.detail;
          if (v.kind === "no-ranges") mirror.exclude("no-ranges", what);
          else if (v.kind === "unusable") mirror.exclude("unusable", what);
          done({ total: null, validator: null, rttMs, problem: what });
        }
      },
      onData: () => {},
      onEnd: () => {},
      onError: (kind, detail) => done({ total: null, validator: null, rttMs: 0, problem: `${kind} (${detail})` }),
    });
  });
}

/** The scenario a fetch is reported under: scenario defaults, the layout, the mirrors as servers. */
export function fetchScenario(strategy: string, layout: { sizeBytes: number; blockBytes: number; subBlockBytes: number }, mirrors: number, maxConnections: number | undefined): LoadedScenario {
  return resolveScenario(
    {
      name: "fetch",
      description: "a real download (sim fetch)",
      strategies: [strategy],
      content: { size_bytes: layout.sizeBytes, block_bytes: layout.blockBytes, sub_block_bytes: layout.subBlockBytes },
      agent: { downlink_bps: 1e12, ...(maxConnections !== undefined ? { max_connections: maxConnections } : {}) },
      tracker: { list_size: Math.max(1, mirrors), rtt_ms: 0 },
      servers: [{ name: "mirrors", count: mirrors, uplink_bps: MIRROR_PRIOR_BPS, rtt_ms: 0 }],
    },
    "<sim fetch>",
    process.cwd(),
  );
}

export async function fetchFile(opts: FetchOptions): Promise<FetchOutcome> {
  const urls = parseMirrorUrls(opts.urls);
  if (opts.strategy === "oracle") throw new RealInputError("--strategy oracle needs the simulator's true capacities; it cannot run on a real network");
  createStrategy(opts.strategy); // unknown names were rejected by the CLI; this checks API callers
  if (existsSync(opts.out)) throw new RealInputError(`${opts.out} exists: the download never overwrites a file`);
  const sha256 = opts.sha256?.toLowerCase();
  if (sha256 !== undefined && !/^[0-9a-f]{64}$/.test(sha256)) throw new RealInputError("--sha256 expects 64 hex digits");
  const manifest: Manifest | null = opts.manifest !== undefined ? readManifest(opts.manifest) : null;
  const timeouts = opts.timeouts ?? DEFAULT_TIMEOUTS;
  const clock = new WallClock();
  const mirrors = urls.map((u, i) => new Mirror(i, u, timeouts, opts.pipelining));
  const note = opts.note ?? (() => {});
  const empty = (error: string): FetchOutcome => ({
    status: "failed",
    error,
    sizeBytes: 0,
    elapsedS: clock.nowUs() / 1e6,
    fetchedBytes: 0,
    resumedBytes: 0,
    mirrors: report(mirrors),
    stats: null,
    result: null,
    loaded: null,
  });
  let part: PartFile | null = null;
  try {
    // A probe may take the connect time plus a round trip: the agent's connect timeout bounds both.
    const probes = await Promise.all(mirrors.map((m) => probe(m, clock, Math.max(timeouts.connectMs, 1000))));
    let size = manifest?.layout.sizeBytes ?? null;
    probes.forEach((p, i) => {
      const m = mirrors[i];
      if (p.problem !== null) {
        note(`${urls[i].host}: left out (${p.problem})`);
        m.exclude("unusable", p.problem);
        return;
      }
      size ??= p.total;
      if (p.total !== size) {
        m.exclude("unusable", `its size ${p.total} differs from ${size}`);
        note(`${urls[i].host}: left out (its size ${p.total} differs from ${size})`);
        return;
      }
      m.total = p.total;
      m.validator = p.validator;
    });
    if (size === null || mirrors.every((m) => !m.usable)) {
      return empty(`no mirror serves the file's byte ranges: ${probes.map((p, i) => `${urls[i].host}: ${p.problem ?? "size differs"}`).join("; ")}`);
    }
    for (const m of mirrors) m.total = size;
    const blockBytes = manifest?.layout.blockBytes ?? Math.min(size, opts.blockBytes ?? DEFAULT_BLOCK_BYTES);
    const subBlockBytes = manifest?.layout.subBlockBytes ?? Math.min(blockBytes, opts.subBlockBytes ?? DEFAULT_SUB_BLOCK_BYTES);
    const layout = { sizeBytes: size, blockBytes, subBlockBytes };
    checkLayout(layout, "--block-bytes / --sub-block-bytes");
    const validators: Record<string, Validator | null> = {};
    mirrors.forEach((m) => {
      if (m.usable) validators[m.url.href] = m.validator;
    });
    const opened = PartFile.open(opts.out, { layout, validators, manifestSha256: manifest?.sha256 ?? null }, opts.resume);
    part = opened.part;
    if (opened.restartedBecause !== null) note(`--resume: starting over, ${opened.restartedBecause}`);
    const loaded = fetchScenario(opts.strategy, layout, mirrors.length, opts.maxConnections);
    const config = agentConfigFor(loaded.scenario, null);
    const infos: NodeInfo[] = mirrors.map((m, i) => ({
      nodeId: i,
      kind: "server",
      advertisedUplinkBps: MIRROR_PRIOR_BPS,
      rttHintMs: probes[i].rttMs,
      load: 0,
      connectedUsers: 0,
    }));
    const resumedBytes = resumedByteCount(part, layout);
    const driver = new RealDriver({
      config,
      strategy: createStrategy(opts.strategy),
      mirrors,
      kinds: mirrors.map(() => "server"),
      nodes: { list: (max) => infos.filter((n) => mirrors[n.nodeId].usable).slice(0, max), delayMs: 0 },
      manifest,
      part,
      signal: opts.signal,
      stallTimeoutMs: opts.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS,
      clock,
    });
    opts.onStart?.({ driver, mirrors, sizeBytes: size, resumedBytes });
    const outcome = await driver.run();
    let status = outcome.status;
    let error = outcome.error;
    if (status === "done") {
      part.save(true);
      const got = part.sha256();
      if (manifest !== null && got !== manifest.sha256) {
        status = "failed";
        error = `the file's SHA-256 ${got} differs from the manifest's ${manifest.sha256}`;
      } else if (sha256 !== undefined && got !== sha256) {
        status = "failed";
        error = `the file's SHA-256 ${got} differs from --sha256 ${sha256}; its sub-blocks stay in ${opts.out}.part`;
      } else {
        part.commit();
        part = null;
      }
    }
    const result = outcome.recorder.result("fetch", opts.strategy, 0, outcome.stats, status === "done" ? null : error, outcome.endUs);
    return {
      status,
      error,
      sizeBytes: size,
      elapsedS: outcome.endUs / 1e6,
      fetchedBytes: mirrors.reduce((s, m) => s + m.goodBytes, 0),
      resumedBytes,
      mirrors: report(mirrors),
      stats: outcome.stats,
      result,
      loaded,
    };
  } finally {
    part?.close();
    await Promise.all(mirrors.map((m) => m.close()));
  }
}

function resumedByteCount(part: PartFile, layout: { sizeBytes: number; blockBytes: number; subBlockBytes: number }): number {
  if (part.verifiedCount === 0) return 0;
  let bytes = 0;
  const perBlock = Math.ceil(layout.blockBytes / layout.subBlockBytes);
  const blocks = Math.ceil(layout.sizeBytes / layout.blockBytes);
  for (let b = 0; b < blocks; b++) {
    const blockSize = Math.min(layout.blockBytes, layout.sizeBytes - b * layout.blockBytes);
    for (let i = 0; i * layout.subBlockBytes < blockSize; i++) {
      if (part.isVerified(b * perBlock + i)) bytes += Math.min(layout.subBlockBytes, blockSize - i * layout.subBlockBytes);
    }
  }
  return bytes;
}

function report(mirrors: readonly Mirror[]): MirrorReport[] {
  return mirrors.map((m) => ({ url: m.url.href, standing: m.standing, reason: m.reason, goodBytes: m.goodBytes, otherBytes: m.otherBytes }));
}
