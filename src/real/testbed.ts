// The loopback testbed: one HTTP server on 127.0.0.1 (port chosen by the system) per node of a scenario, each
// serving the same deterministic file (content-bytes.ts, from the seed) shaped like its node (testbed-node.ts),
// all through one Shaper whose shared cap is the agent's downlink, so the servers together form the
// simulator's star. Node parameters come from the simulator itself: the testbed builds the scenario's World
// for the seed (never running it) and reads its nodes, so node i of the testbed is node i of the simulated
// world, with the same uplink, RTT, load and failures; its tracker answers node lists exactly as the
// simulated tracker would. Body bytes are shaped at the node's full rate (the fluid model's reading; the tcp
// model's payload efficiency is not applied). Not emulated: churn and arrivals (every node stays up), TCP's own
// dynamics at the node's RTT (the RTT is a delay before each answer; bytes then flow at the shaped rate).

import { RandomStreams } from "../sim/random/streams.ts";
import { capacityProcess, type CapacityProcess } from "../sim/traces/process.ts";
import type { CapacitySpec } from "../sim/config.ts";
import type { NodeInfo } from "../agent/ports.ts";
import type { LoadedScenario } from "../scenario/load.ts";
import { worldOf } from "../harness/run.ts";
import { contentBytes } from "./content-bytes.ts";
import { RealInputError } from "./input-error.ts";
import { type Manifest, manifestOfBytes } from "./manifest.ts";
import { type Misbehaviour, NO_MISBEHAVIOUR } from "./misbehaviour.ts";
import { Shaper } from "./shaper.ts";
import { NodeServer, type SharedFile } from "./testbed-node.ts";

export interface TestbedOptions {
  readonly seed: number;
  /** Misbehaviours by node index. */
  readonly misbehaviours?: ReadonlyMap<number, Misbehaviour>;
}

export interface TestbedNode {
  readonly id: number;
  readonly label: string;
  readonly kind: NodeInfo["kind"];
  readonly url: string;
  readonly rttMs: number;
  /** What the node gives at the start, before stalls and slow-downs, bits/s. */
  readonly uplinkBps: number;
  readonly server: NodeServer;
}

export interface Testbed {
  readonly nodes: readonly TestbedNode[];
  readonly content: Buffer;
  readonly manifest: Manifest;
  readonly shaper: Shaper;
  /** The node list the simulated tracker gives for this seed, call after call. */
  trackerList(maxNodes: number, nowUs: number): NodeInfo[];
  /** The scenario's tracker round trip, ms. */
  readonly trackerRttMs: number;
  /** Notes on what the scenario asks that the testbed does not emulate. */
  readonly notes: readonly string[];
  close(): Promise<void>;
}

function capacityOf(spec: CapacitySpec | undefined, streams: RandomStreams, name: string): CapacityProcess | null {
  return spec === undefined ? null : capacityProcess(spec, streams.stream(name));
}

/** Most nodes one testbed serves (each is a listening socket and a server). */
export const MAX_TESTBED_NODES = 256;
/** Largest file a testbed serves (it is held in memory, twice with an ETag change). */
export const MAX_TESTBED_BYTES = 256 * 1024 * 1024;

export async function startTestbed(loaded: LoadedScenario, opts: TestbedOptions): Promise<Testbed> {
  const s = loaded.scenario;
  if (s.content.size_bytes > MAX_TESTBED_BYTES) {
    throw new RealInputError(`${loaded.file}: content.size_bytes ${s.content.size_bytes} is more than the testbed serves (${MAX_TESTBED_BYTES} bytes)`);
  }
  const world = worldOf(loaded, { strategy: s.strategies[0] ?? "static", seed: opts.seed });
  if (world.nodes.length > MAX_TESTBED_NODES) {
    throw new RealInputError(`${loaded.file}: ${world.nodes.length} nodes is more than the testbed serves (${MAX_TESTBED_NODES})`);
  }
  const streams = new RandomStreams(opts.seed); // fresh streams: the same draws as a simulated run's
  const notes: string[] = [];
  if (s.peers.some((g) => g.churn !== undefined || g.arrivals !== undefined)) {
    notes.push("churn and arrivals are not emulated: every node stays up");
  }
  const n = s.network;
  if (n.model === "tcp" && n.initial_window_segments * n.mss_bytes < n.receive_window_bytes) {
    notes.push("the tcp model's slow start is not emulated: answers flow at the shaped rate from their first byte");
  }
  const layout = { sizeBytes: s.content.size_bytes, blockBytes: s.content.block_bytes, subBlockBytes: s.content.sub_block_bytes };
  const versions = new Map<number, Buffer>();
  const bytesOf = (v: number) => {
    let b = versions.get(v);
    if (b === undefined) {
      b = contentBytes(opts.seed, layout.sizeBytes, v);
      versions.set(v, b);
    }
    return b;
  };
  const content = bytesOf(0);
  const file: SharedFile = {
    layout,
    bytes: bytesOf,
    etag: (v) => `"sim-${opts.seed}-v${v}"`,
    lastModified: (v) => new Date(Date.UTC(2020, 0, 1) + v * 86_400_000).toUTCString(),
  };
  const shaper = new Shaper(s.agent.downlink_bps);
  const downlink = capacityOf(world.config.downlinkTrace, streams, "agent/downlink-trace");
  const timers: NodeJS.Timeout[] = [];
  if (downlink !== null) {
    const step = () => {
      const seg = downlink.next();
      shaper.setDownlink(Math.max(1, seg.bps));
      const t = setTimeout(step, seg.durationUs / 1000);
      timers[0] = t;
    };
    step();
  }
  const groupOf = (kind: string, gi: number) =>
    kind === "server" ? world.config.servers[gi] : kind === "peer" ? world.config.peers[gi] : undefined;
  const nodes: TestbedNode[] = [];
  try {
    for (const n of world.nodes) {
      const share = (1 - n.load) / (1 + n.connectedUsers);
      const group = groupOf(n.kind, n.group);
      const server = new NodeServer(
        {
          id: n.id,
          label: n.label,
          kind: n.kind,
          rttUs: n.rttUs,
          jitterUs: n.jitterUs,
          baseUplinkBps: n.nominalUplinkBps * share,
          uplinkShare: share,
          failures: n.failures,
          misbehaviour: opts.misbehaviours?.get(n.id) ?? NO_MISBEHAVIOUR,
          rng: (purpose) => streams.stream(`${n.streamPrefix}/${purpose}`),
          capacity: capacityOf(group?.uplinkTrace, streams, `${n.streamPrefix}/uplink-trace`),
        },
        file,
        shaper,
      );
      await server.listen();
      nodes.push({
        id: n.id,
        label: n.label,
        kind: n.kind,
        url: server.url,
        rttMs: n.rttUs / 1000,
        uplinkBps: n.nominalUplinkBps * share,
        server,
      });
    }
  } catch (e) {
    await Promise.all(nodes.map((n) => n.server.close()));
    throw e;
  }
  return {
    nodes,
    content,
    manifest: manifestOfBytes(content, layout.blockBytes, layout.subBlockBytes),
    shaper,
    trackerList: (maxNodes, nowUs) => world.tracker.list(maxNodes, nowUs),
    trackerRttMs: s.tracker.rtt_ms,
    notes,
    async close() {
      for (const t of timers) clearTimeout(t);
      shaper.stop();
      await Promise.all(nodes.map((n) => n.server.close()));
    },
  };
}
