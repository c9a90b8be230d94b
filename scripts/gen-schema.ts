// Writes scenarios/schema.json from the zod scenario schema (`npm run schema`). A test checks the committed
// file equals a fresh generation, so editors never validate against a stale schema.

import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { scenarioJsonSchemaText } from "../src/scenario/json-schema.ts";

const target = fileURLToPath(new URL("../scenarios/schema.json", import.meta.url));
writeFileSync(target, scenarioJsonSchemaText());
console.log(`wrote ${target}`);
