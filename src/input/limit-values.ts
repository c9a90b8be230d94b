// Every fixed bound on input, in one place: how large a file the tool reads, how deep and wide YAML may be,
// how large a number a unit key may hold, and the defaults and ceilings of the scenario's `limits:` keys.
// docs/cli-and-scenarios.md lists them for users; a test keeps the two in step.

/** Largest scenario file read (bytes). Fixed: scenarios are a few KB. */
export const MAX_SCENARIO_BYTES = 1024 * 1024;
/** Deepest nesting of mappings and lists in a scenario file (a real one nests 5 deep). Fixed. */
export const MAX_YAML_DEPTH = 32;
/** Most keys in one mapping of a scenario file (the YAML library's duplicate-key check is quadratic). Fixed. */
export const MAX_MAPPING_KEYS = 1000;
/** Deepest nesting of a Sabre trace's JSON (an array of flat objects is 2). Fixed. */
export const MAX_TRACE_JSON_DEPTH = 8;

/** Longest scenario name: it names the default output folder, so it must be a short file-name segment. */
export const MAX_NAME_CHARS = 64;
/** Most seeds in a scenario or a `--seeds` flag (a sweep over seeds is the tool for more). Fixed. */
export const MAX_SEEDS = 10_000;
/** Most `sweep.params` keys, and most values one key (or one --param flag) may list. Fixed. */
export const MAX_SWEEP_PARAMS = 32;
export const MAX_SWEEP_VALUES = 10_000;
/** `--jobs` at most this many times the machine's cores. */
export const MAX_JOBS_PER_CORE = 4;

/** The scenario's `limits:` keys that bound work, their defaults, and the ceilings a scenario may raise them to. */
export const LIMIT_DEFAULTS = {
  max_nodes: 100_000,
  max_sub_blocks: 1_048_576,
  max_sub_blocks_per_block: 4096,
  max_runs: 100_000,
  max_trace_bytes: 16 * 1024 * 1024,
} as const;
export const LIMIT_CEILINGS = {
  max_nodes: 1_000_000,
  max_sub_blocks: 16_777_216,
  max_sub_blocks_per_block: 65_536,
  max_runs: 1_000_000,
  max_trace_bytes: 256 * 1024 * 1024,
} as const;

/**
 * Largest value a number may hold, by the unit in its key's name (a distribution's parameters take its key's
 * unit). Beyond these, converting to µs or multiplying two quantities could overflow or lose integer precision.
 */
export const UNIT_MAXIMA = {
  /** bit/s: 1 Pb/s. */
  bps: 1e15,
  /** seconds: about 31.7 years (1e15 µs, well inside exact integers). */
  s: 1e9,
  /** milliseconds: the same span. */
  ms: 1e12,
  /** events per second: one per µs, the clock's resolution. */
  per_s: 1e6,
  /** bytes: 1 PiB. */
  bytes: 2 ** 50,
  /** a number without a unit (counts, factors, weights, limits.max_events, a distribution's shape or sigma). */
  plain: 1e9,
} as const;

/**
 * Smallest positive value a rate may hold (0 is allowed: the process never fires). A smaller one makes the
 * time to its next event overflow to Infinity.
 */
export const MIN_POSITIVE_RATE_PER_S = 1e-9;

/** Largest value any distribution may possibly draw, in its key's unit: heavier tails are refused. */
export const MAX_DRAW = 1e100;
