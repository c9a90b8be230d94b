// The tool's name and version. The name is the command's, `sim`, not the npm package's (multisource-sim): it
// marks output folders (manifest.json), summary.json and baselines as the tool's, so it must not change when
// the package is renamed. The version is read once from package.json and enters sweep run keys and summary.json.

import { readFileSync } from "node:fs";
import { packagePath } from "./paths.ts";

const pkg = JSON.parse(readFileSync(packagePath("package.json"), "utf8")) as { version: string };

export const TOOL_NAME = "sim";
export const TOOL_VERSION: string = pkg.version;
