// The tool's name and version, read once from package.json. Enters sweep run keys and summary.json.

import { readFileSync } from "node:fs";
import { packagePath } from "./paths.ts";

const pkg = JSON.parse(readFileSync(packagePath("package.json"), "utf8")) as { name: string; version: string };

export const TOOL_NAME: string = pkg.name;
export const TOOL_VERSION: string = pkg.version;
