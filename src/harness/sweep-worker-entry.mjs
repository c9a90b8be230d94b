// Worker-thread entry of the sweep pool, in plain JavaScript: registers tsx in this thread (Node 20 does not
// apply a parent's `--import` loader hooks to worker threads, so a .ts entry fails to load), then hands over
// to the TypeScript worker. Resolves tsx from this package, so `npx sim` works from any folder.

import { register } from "tsx/esm/api";

register();
const worker = await import("./sweep-worker.ts");

export default worker.default;
