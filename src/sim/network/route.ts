// The route model between two hosts (the one libtorrent's simulator uses): each host reaches a shared core over
// its own access link with a one-way latency, so a packet from a to b crosses a's access link, the core and b's
// access link, and back. RTT(a, b) = 2 × (latency_a + latency_b) + jitter. Capacities are not part of a route:
// a transfer crosses the sender's uplink and the receiver's downlink (the network shares them), and the core
// never limits. Pure: jitter is drawn by the caller (from its own named stream) and passed in.

/** Round-trip time between two hosts (µs) from their one-way latencies to the core and an optional jitter. */
export function routeRttUs(latencyAUs: number, latencyBUs: number, jitterUs = 0): number {
  if (!(latencyAUs >= 0 && Number.isFinite(latencyAUs))) throw new RangeError(`bad one-way latency ${latencyAUs} µs`);
  if (!(latencyBUs >= 0 && Number.isFinite(latencyBUs))) throw new RangeError(`bad one-way latency ${latencyBUs} µs`);
  const rtt = 2 * (latencyAUs + latencyBUs) + jitterUs;
  if (!(rtt >= 0 && Number.isFinite(rtt))) throw new RangeError(`jitter ${jitterUs} µs makes a negative RTT`);
  return rtt;
}
