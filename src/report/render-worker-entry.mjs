// Worker-thread entry of the report's render worker, in plain JavaScript: registers tsx in this thread (Node 20
// does not apply a parent's `--import` loader hooks to worker threads, so a .ts entry fails to load), then
// hands over to the TypeScript worker. Resolves tsx from this package, so `npx sim` works from any folder.

import { register } from "tsx/esm/api";

register();
await import("./render-worker.ts");
