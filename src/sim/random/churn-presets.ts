// Churn presets: session and downtime distributions (seconds) fitted in measurement studies, selected by
// name (a scenario's `churn.preset`).

import type { Distribution } from "./distributions.ts";
import { gamma } from "./gamma.ts";

export type ChurnPresetName = "bittorrent" | "bittorrent-debian" | "bittorrent-redhat" | "bittorrent-flatout" | "oversim";

export interface ChurnPresetValue {
  readonly session_s: Distribution;
  readonly downtime_s: Distribution;
  /** One-line citation of where the numbers come from. */
  readonly source: string;
}

const MINUTE_S = 60;
const STUTZBACH = "Stutzbach & Rejaie, Understanding Churn in Peer-to-Peer Networks, IMC 2006";

// Downtimes use the same distribution as sessions, as OverSim's LifetimeChurn does (a dead slot stays dead
// for a fresh lifetime draw): the studies fit session lengths, not the time between a peer's sessions.
function symmetric(session_s: Distribution, source: string): ChurnPresetValue {
  return { session_s, downtime_s: session_s, source };
}

/** A BitTorrent session fit: Weibull shape k, scale λ in minutes as the study reports it, here in seconds. */
function stutzbach(torrent: string, shape: number, scaleMin: number): ChurnPresetValue {
  return symmetric(
    { dist: "weibull", shape, scale: scaleMin * MINUTE_S },
    `${STUTZBACH}: BitTorrent ${torrent} sessions, Weibull k=${shape} λ=${scaleMin} min`,
  );
}

/** OverSim LifetimeChurn defaults: Weibull lifetimes, k = 1, mean 10,000 s, so scale = mean / Γ(1 + 1/k). */
const OVERSIM_SHAPE = 1;
const OVERSIM_MEAN_S = 10_000;
const OVERSIM = symmetric(
  { dist: "weibull", shape: OVERSIM_SHAPE, scale: OVERSIM_MEAN_S / gamma(1 + 1 / OVERSIM_SHAPE) },
  "OverSim LifetimeChurn defaults (Baumgart et al., OverSim, 2007): Weibull k=1, mean 10,000 s",
);

const DEBIAN = stutzbach("Debian", 0.38, 42.4);

const PRESETS: Record<ChurnPresetName, ChurnPresetValue> = {
  bittorrent: DEBIAN,
  "bittorrent-debian": DEBIAN,
  "bittorrent-redhat": stutzbach("Red Hat", 0.34, 21.3),
  "bittorrent-flatout": stutzbach("FlatOut", 0.59, 41.9),
  oversim: OVERSIM,
};

/** The session and downtime distributions of a named churn preset. */
export function churnPreset(name: ChurnPresetName): ChurnPresetValue {
  const preset = PRESETS[name];
  if (preset === undefined) throw new RangeError(`unknown churn preset "${name}"`);
  return preset;
}
