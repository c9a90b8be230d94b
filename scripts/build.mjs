// `npm run build` (also run by `prepare`, so `npm ci` and installs from a git URL build it, and before
// `npm pack`): the package's JavaScript and type declarations in dist/, which `exports` and an installed `sim`
// command use. dist/index.mjs, cli.mjs and sweep-worker.mjs are esbuild bundles of src/ (shared chunks beside
// them; dependencies stay in node_modules); dist/types/ holds tsc's declarations (emitted without a second
// type check: `npm run typecheck` is the check). Built into a private folder and renamed into place, so an
// interrupted build never leaves half a dist/. A checkout's `sim` command runs from the sources instead
// (bin/bundle.mjs), so an edit never meets a stale dist/.

import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, renameSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { buildBundle, ROOT } from "../bin/bundle.mjs";

const dist = join(ROOT, "dist");
const tmp = join(ROOT, `.dist-tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
try {
  await buildBundle(tmp, { api: true });
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-p", join(ROOT, "tsconfig.build.json"), "--noCheck", "--outDir", join(tmp, "types")], {
    stdio: "inherit",
  });
  if (existsSync(dist)) rmSync(dist, { recursive: true, force: true });
  renameSync(tmp, dist);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
