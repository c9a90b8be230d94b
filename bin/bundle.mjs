// The prebuilt JavaScript bundle of src/ that the `sim` command runs from, so a run does not pay for loading
// ~150 TypeScript modules through tsx's module hooks (0.3-0.4 s of every command). The bundle is built with
// esbuild (about 0.1 s) the first time a command runs after the sources changed, into
// node_modules/.cache/sim-bundle/<stamp>/, where <stamp> hashes every source file's path, size and mtime and
// this file itself. A stale bundle is therefore never used: an edit to src/ gives a new stamp and a rebuild.
// Several processes may build at once: each builds into a private folder and renames it into place; the first
// rename wins. When anything goes wrong (no esbuild, a read-only folder) the caller falls back to tsx.
// SIM_NO_BUNDLE=1 skips the bundle and runs the TypeScript sources through tsx.

import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const SRC = join(ROOT, "src");
const CACHE = join(ROOT, "node_modules", ".cache", "sim-bundle");
/** Packages left to node_modules: every dependency but vega and vega-lite, and what vega loads only if present. */
const EXTERNAL = [
  ...Object.keys(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).dependencies ?? {}).filter(
    (name) => name !== "vega" && name !== "vega-lite",
  ),
  "canvas",
  "node-fetch",
];
/** Bundles kept in the cache (older ones are removed after a build; a running sweep may still use one). */
const KEEP = 4;

/**
 * A hash of what the bundle is built from: each source file's path, size and mtime, this file's text and
 * tsconfig.json (esbuild reads its compiler options).
 */
export function sourceStamp(root = ROOT) {
  const src = join(root, "src");
  const hash = createHash("sha256");
  hash.update(readFileSync(fileURLToPath(import.meta.url)));
  const tsconfig = join(root, "tsconfig.json");
  if (existsSync(tsconfig)) hash.update(readFileSync(tsconfig));
  const files = readdirSync(src, { recursive: true })
    .map(String)
    .filter((f) => /\.(ts|mts|js|mjs|json)$/.test(f))
    .sort();
  for (const f of files) {
    const st = statSync(join(src, f));
    hash.update(`${f}\0${st.size}\0${st.mtimeMs}\n`);
  }
  return hash.digest("hex").slice(0, 16);
}

/**
 * Builds the bundle into dir (entry points cli.mjs, sweep-worker.mjs and render-worker.mjs, shared chunks
 * beside them); with `api`, also index.mjs, the package's programmatic API (scripts/build.mjs builds dist/ this way).
 */
export async function buildBundle(dir, { api = false } = {}) {
  const { build } = await import("esbuild");
  await build({
    entryPoints: {
      cli: join(SRC, "cli/main.ts"),
      "sweep-worker": join(SRC, "harness/sweep-worker.ts"),
      "render-worker": join(SRC, "report/render-worker.ts"),
      ...(api ? { index: join(SRC, "index.ts") } : {}),
    },
    outdir: dir,
    bundle: true,
    splitting: true, // commands keep loading their modules on demand
    format: "esm",
    platform: "node",
    target: "node20",
    // Dependencies load from node_modules as usual, except vega and vega-lite: bundled, they load in about 60%
    // of the time their ~100 small ESM modules take (the report's largest fixed cost).
    external: EXTERNAL,
    outExtension: { ".js": ".mjs" },
    chunkNames: "chunk-[hash]",
    sourcemap: "linked",
    define: { __SIM_BUNDLED__: "true" },
    logLevel: "silent",
  });
}

/**
 * The file URL of the bundled CLI for the current sources, building it if needed; null when the bundle is
 * switched off or cannot be built (the caller then runs the sources through tsx).
 */
export async function bundledCli() {
  if (process.env.SIM_NO_BUNDLE === "1") return null;
  try {
    const dir = join(CACHE, sourceStamp());
    const cli = join(dir, "cli.mjs");
    if (!existsSync(cli)) {
      mkdirSync(CACHE, { recursive: true });
      const tmp = join(CACHE, `.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
      try {
        await buildBundle(tmp);
        try {
          renameSync(tmp, dir);
        } catch (error) {
          if (!existsSync(cli)) throw error; // another process did not win the race: a real failure
        }
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
      prune(dir);
    }
    return pathToFileURL(cli).href;
  } catch (error) {
    if (process.env.SIM_DEBUG_BUNDLE === "1") console.error(`sim: bundle unavailable (${error}); using tsx`);
    return null;
  }
}

/** A private build folder older than this was left by a process that died mid-build. */
const STALE_BUILD_MS = 10 * 60 * 1000;

/** Removes all but the KEEP most recent bundles (never `current`), and build folders of dead builds. */
function prune(current) {
  const entries = readdirSync(CACHE).map((d) => ({ name: d, d: join(CACHE, d), t: statSync(join(CACHE, d)).mtimeMs }));
  const now = Date.now();
  for (const e of entries) {
    if (e.name.startsWith(".tmp-") && now - e.t > STALE_BUILD_MS) rmSync(e.d, { recursive: true, force: true });
  }
  const bundles = entries.filter((e) => !e.name.startsWith(".")).sort((x, y) => y.t - x.t);
  for (const { d } of bundles.slice(KEEP)) if (d !== current) rmSync(d, { recursive: true, force: true });
}
