// One HTTP Range GET on a mirror's pool, streamed: the verdict on the response's status and headers
// (response-check.ts) comes first, then the body chunks with the monotonic time each arrived, then its end or
// an error. An answer that is not "ok" is aborted at once (a 200 would otherwise bring the whole file). The
// caller aborts through abort(); after that no callback is called. On a pipelined socket only the range being
// answered may be aborted (undici then closes the socket and sends the ranges behind it again on a new one);
// aborting one written behind it would make undici send the answered one again as well: connection.ts waits.

import { errors } from "undici";
import { checkResponse, ifRangeValue, type ResponseVerdict } from "./response-check.ts";
import type { Mirror } from "./mirror.ts";

export interface RangeCallbacks {
  /** The verdict on the headers; data follows only after an "ok". */
  onVerdict(verdict: ResponseVerdict): void;
  onData(chunk: Buffer, atUs: number): void;
  onEnd(atUs: number): void;
  /** The request failed before or during the body (not called after abort()). */
  onError(kind: "refused" | "timeout" | "reset" | "unreachable", detail: string): void;
}

export interface RangeGet {
  abort(): void;
}

/** Maps a request error to how the agent should see it. */
export function classifyError(e: unknown): { kind: "refused" | "timeout" | "reset" | "unreachable"; detail: string } {
  const err = e as NodeJS.ErrnoException & { code?: string };
  const code = err?.code ?? "";
  const detail = code !== "" ? code : err instanceof Error ? err.message.slice(0, 80) : "error";
  if (code === "ECONNREFUSED") return { kind: "refused", detail };
  if (code === "ENOTFOUND" || code === "EHOSTUNREACH" || code === "ENETUNREACH" || code === "EAI_AGAIN") return { kind: "unreachable", detail };
  if (e instanceof errors.ConnectTimeoutError || e instanceof errors.HeadersTimeoutError || e instanceof errors.BodyTimeoutError) {
    return { kind: "timeout", detail };
  }
  return { kind: "reset", detail };
}

/** GET bytes [start, end] (inclusive); `nowUs` reads the driver's monotonic clock. */
export function rangeGet(mirror: Mirror, start: number, end: number, nowUs: () => number, cb: RangeCallbacks): RangeGet {
  const controller = new AbortController();
  let done = false;
  const finish = () => {
    done = true;
  };
  const headers: Record<string, string> = { range: `bytes=${start}-${end}` };
  const ifRange = ifRangeValue(mirror.validator);
  if (ifRange !== null) headers["if-range"] = ifRange;
  mirror.pool
    // blocking: false lets undici write the next range on the socket before this one's headers came back.
    .request({ path: mirror.path, method: "GET", headers, signal: controller.signal, blocking: false })
    .then(
      (res) => {
        if (done) {
          res.body.destroy();
          return;
        }
        const verdict = checkResponse(res.statusCode, res.headers, {
          start,
          end,
          total: mirror.total,
          validator: mirror.validator,
        });
        if (verdict.kind !== "ok") {
          finish();
          controller.abort();
          res.body.on("error", () => {});
          res.body.destroy();
          cb.onVerdict(verdict);
          return;
        }
        cb.onVerdict(verdict);
        if (done) return; // the verdict's handler aborted
        res.body.on("data", (chunk: Buffer) => {
          if (!done) cb.onData(chunk, nowUs());
        });
        res.body.on("end", () => {
          if (done) return;
          finish();
          cb.onEnd(nowUs());
        });
        res.body.on("error", (e: unknown) => {
          if (done) return;
          finish();
          const c = classifyError(e);
          cb.onError(c.kind, c.detail);
        });
      },
      (e: unknown) => {
        if (done) return;
        finish();
        const c = classifyError(e);
        cb.onError(c.kind, c.detail);
      },
    );
  return {
    abort() {
      if (done) return;
      finish();
      controller.abort();
    },
  };
}
