// The testbed: node i is the simulator's node i for the seed (same uplink, RTT, kind: read from a World built
// here independently), its tracker answers like the simulated one, and every node answers HTTP as a range
// server should (206 with Content-Range, 416 with bytes */size, If-Range with another ETag → 200 whole file,
// HEAD, 404), serving the seed's bytes. Misbehaviour specs parse with clear errors.

import { afterEach, describe, expect, it } from "vitest";
import { request } from "undici";
import { RealInputError } from "../../src/real/input-error.ts";
import { parseMisbehaviours } from "../../src/real/misbehaviour.ts";
import { parseRangeHeader } from "../../src/real/testbed-node.ts";
import { worldOf } from "../../src/harness/run.ts";
import { bed, type Bed, fastScenario } from "./helpers.ts";

let b: Bed | null = null;
afterEach(async () => {
  await b?.close();
  b = null;
});

const mixed = () =>
  fastScenario({
    servers: [{ count: 2, uplink_bps: { dist: "uniform", min: 1e6, max: 50e6 }, rtt_ms: { dist: "uniform", min: 10, max: 200 } }],
    peers: [{ count: 3, uplink_bps: { dist: "uniform", min: 1e6, max: 50e6 }, rtt_ms: 5, load: 0.5 }],
    origin: { uplink_bps: 20e6, rtt_ms: 1 },
  });

describe("testbed", () => {
  it("builds the simulator's nodes for the seed, and its tracker lists like the simulated tracker", async () => {
    const loaded = mixed();
    b = await bed(loaded, undefined, 11);
    const world = worldOf(loaded, { strategy: "static", seed: 11 });
    expect(b.testbed.nodes.map((n) => [n.id, n.kind, n.rttMs])).toEqual(world.nodes.map((n) => [n.id, n.kind, n.rttUs / 1000]));
    // A peer with load 0.5 gives half its uplink.
    expect(b.testbed.nodes.map((n) => n.uplinkBps)).toEqual(world.nodes.map((n) => n.nominalUplinkBps * (1 - n.load)));
    expect(b.testbed.nodes.every((n) => n.url.startsWith("http://127.0.0.1:"))).toBe(true);
    const fresh = worldOf(loaded, { strategy: "static", seed: 11 });
    expect(b.testbed.trackerList(20, 0)).toEqual(fresh.tracker.list(20, 0));
    expect(b.testbed.trackerList(20, 0)).toEqual(fresh.tracker.list(20, 0));
  });

  it("answers ranges as a range server does", async () => {
    b = await bed();
    const url = b.urls[0];
    const bytes = b.testbed.content;
    const size = bytes.length;
    const r1 = await request(url, { headers: { range: "bytes=10-19" } });
    expect(r1.statusCode).toBe(206);
    expect(r1.headers["content-range"]).toBe(`bytes 10-19/${size}`);
    expect(Buffer.from(await r1.body.arrayBuffer())).toEqual(bytes.subarray(10, 20));
    const etag = r1.headers.etag as string;

    const r2 = await request(url, { headers: { range: `bytes=${size}-` } });
    expect(r2.statusCode).toBe(416);
    expect(r2.headers["content-range"]).toBe(`bytes */${size}`);
    await r2.body.dump();

    const r3 = await request(url, { headers: { range: "bytes=0-3", "if-range": '"another"' } });
    expect(r3.statusCode).toBe(200);
    expect((await r3.body.arrayBuffer()).byteLength).toBe(size);

    const r4 = await request(url, { headers: { range: "bytes=-5", "if-range": etag } });
    expect(r4.statusCode).toBe(206);
    expect(Buffer.from(await r4.body.arrayBuffer())).toEqual(bytes.subarray(size - 5));

    const r5 = await request(url, { method: "HEAD" });
    expect(r5.statusCode).toBe(200);
    expect(r5.headers["accept-ranges"]).toBe("bytes");
    await r5.body.dump();

    const r6 = await request(url.replace("/file.bin", "/other"));
    expect(r6.statusCode).toBe(404);
    await r6.body.dump();
  });

  it("parses Range headers like RFC 9110's single ranges", () => {
    expect(parseRangeHeader("bytes=0-9", 100)).toEqual({ start: 0, end: 9 });
    expect(parseRangeHeader("bytes=90-", 100)).toEqual({ start: 90, end: 99 });
    expect(parseRangeHeader("bytes=90-200", 100)).toEqual({ start: 90, end: 99 });
    expect(parseRangeHeader("bytes=-10", 100)).toEqual({ start: 90, end: 99 });
    expect(parseRangeHeader("bytes=100-", 100)).toBe("unsatisfiable");
    expect(parseRangeHeader("bytes=0-1,5-6", 100)).toBeNull(); // multiple ranges: served whole
    expect(parseRangeHeader(undefined, 100)).toBeNull();
  });

  it("parses misbehaviours and rejects bad ones with a clear message", () => {
    const m = parseMisbehaviours(["1:ignore-range", "1:etag-change=4", "0:corrupt=0.5", "2:die=1000"], 3);
    expect(m.get(1)).toMatchObject({ ignoreRange: true, etagChangeAfter: 4 });
    expect(m.get(0)?.corruptP).toBe(0.5);
    expect(m.get(2)?.dieAfterBytes).toBe(1000);
    expect(() => parseMisbehaviours(["5:die=1"], 3)).toThrow(/node 5 does not exist/);
    expect(() => parseMisbehaviours(["1:explode"], 3)).toThrow(/unknown kind/);
    expect(() => parseMisbehaviours(["1:corrupt=2"], 3)).toThrow(/probability/);
    expect(() => parseMisbehaviours(["x"], 3)).toThrow(RealInputError);
  });

  it("refuses every connection of a node whose connect_refused_p is 1, so a fetch from it alone fails", async () => {
    const { fetchFile } = await import("../../src/real/fetch.ts");
    b = await bed(fastScenario({ servers: [{ count: 1, uplink_bps: 40e6, rtt_ms: 2, failures: { connect_refused_p: 1 } }] }));
    const outcome = await fetchFile({ urls: b.urls, out: `${b.dir}/x.bin`, strategy: "static", resume: false });
    expect(outcome.status).toBe("failed");
    expect(outcome.error).toMatch(/no mirror serves/);
  });
});
