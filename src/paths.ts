// Where the package's own files are, for code that runs both from src/ (through tsx) and from the prebuilt
// bundle that bin/bundle.mjs writes under node_modules/.cache/: the package root is the nearest folder above
// this module that holds a package.json, wherever the module itself was loaded from.

import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Folders walked up from this module before giving up (the bundle sits four levels below the root). */
const MAX_DEPTH = 8;

function findRoot(start: string): string {
  let dir = start;
  for (let i = 0; i < MAX_DEPTH; i++) {
    if (existsSync(join(dir, "package.json"))) return dir;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new Error(`sim: no package.json above ${start}`);
}

/** The package's root folder (absolute path). */
export const PACKAGE_ROOT: string = findRoot(dirname(fileURLToPath(import.meta.url)));

/** An absolute path to a file of the package, given relative to its root ("src/report/fonts/…"). */
export function packagePath(relative: string): string {
  return join(PACKAGE_ROOT, relative);
}

// bin/bundle.mjs defines __SIM_BUNDLED__ as true when it builds the bundle; under tsx the name is undeclared.
declare const __SIM_BUNDLED__: boolean | undefined;

/** True when this code runs from the prebuilt bundle rather than from the TypeScript sources. */
export const BUNDLED: boolean = typeof __SIM_BUNDLED__ !== "undefined" && __SIM_BUNDLED__ === true;
