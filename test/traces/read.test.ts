// Reading trace files safely: only regular files, under a size cap, never a hang on a FIFO or an endless read
// of a device, never the content of a file that was not a trace in a message, never a stack overflow.

import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { InputFileError, readInputFile } from "../../src/input/read-input.ts";
import { loadTraceFile, parseTrace } from "../../src/traces/parse.ts";
import { TraceError } from "../../src/traces/trace-error.ts";

const TMP = mkdtempSync(join(tmpdir(), "sim-traces-read-"));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

function file(name: string, content: string | Uint8Array): string {
  const path = join(TMP, name);
  writeFileSync(path, content);
  return path;
}

function refusal(path: string, maxBytes = 1024): string {
  try {
    readInputFile(path, maxBytes);
  } catch (error) {
    expect(error).toBeInstanceOf(InputFileError);
    return (error as InputFileError).found;
  }
  throw new Error(`expected ${path} to be refused`);
}

function traceMessage(text: string, format: "pensieve" | "sabre"): string {
  try {
    parseTrace(text, format, "t");
  } catch (error) {
    expect(error).toBeInstanceOf(TraceError);
    return (error as Error).message;
  }
  throw new Error("expected a TraceError");
}

describe("readInputFile", () => {
  it("reads a regular file whole", () => {
    expect(readInputFile(file("ok.log", "0 1\n1 2\n"), 1024)).toBe("0 1\n1 2\n");
    expect(readInputFile(file("empty.log", ""), 1024)).toBe("");
  });

  it("refuses folders, missing files, files over the cap and binaries", () => {
    expect(refusal(TMP)).toBe("a folder");
    expect(refusal(join(TMP, "nope"))).toBe("no such file");
    expect(refusal(file("big.log", "x".repeat(1025)))).toBe("a file of 1025 bytes (at most 1024 are read)");
    expect(refusal(file("bin.log", new Uint8Array([0x30, 0x20, 0xff, 0xfe, 0x1b])))).toBe("a binary file (not UTF-8 text)");
  });

  it.runIf(existsSync("/dev/zero"))("refuses a device at once instead of reading it forever", () => {
    expect(refusal("/dev/zero")).toBe("a character device");
  });

  it.runIf(existsSync("/proc/self/environ"))("refuses a /proc file whose size lies, after one byte", () => {
    expect(refusal("/proc/self/environ")).toMatch(/^a file whose size is not what it reads/);
  });

  it.runIf(process.platform !== "win32")("refuses a FIFO without waiting for a writer", () => {
    const fifo = join(TMP, "fifo");
    execFileSync("mkfifo", [fifo]);
    expect(refusal(fifo)).toBe("a FIFO (named pipe)");
  });
});

describe("loadTraceFile", () => {
  it("names the file and why it was refused, never its content", () => {
    const secret = file("secrets.env", "GITHUB_TOKEN=ghp_0123456789abcdefghij\n");
    expect(() => loadTraceFile(secret, "pensieve", "secrets.env")).toThrow(
      "trace secrets.env, line 1: expected 2 fields \"time_s throughput_Mbps\", found 1",
    );
    expect(() => loadTraceFile(TMP, "pensieve", "dir")).toThrow(/^trace dir: expected a readable trace file at .*, found a folder$/);
  });

  it.runIf(existsSync("/proc/self/environ"))("never prints the environment", () => {
    let message = "";
    try {
      loadTraceFile("/proc/self/environ", "pensieve", "/proc/self/environ");
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/a \/proc or \/sys file/);
    for (const value of Object.values(process.env)) if (value !== undefined && value.length > 8) expect(message).not.toContain(value);
  });

  it("honours its size cap", () => {
    const path = file("capped.log", "0 1\n1 2\n");
    expect(() => loadTraceFile(path, "pensieve", "capped.log", 4)).toThrow(/found a file of 8 bytes \(at most 4 are read\)/);
    expect(loadTraceFile(path, "pensieve", "capped.log", 8).segments).toHaveLength(2);
  });
});

describe("trace messages quote at most a short escaped excerpt", () => {
  it("pensieve: a field, cut and escaped, never the line", () => {
    const line = "root:x:0:0:root:/root:/bin/bash";
    expect(traceMessage(`${line}\n`, "pensieve")).toBe('trace t, line 1: expected 2 fields "time_s throughput_Mbps", found 1');
    const message = traceMessage("\u001b[2J\u001b]0;owned\u0007 1\n", "pensieve");
    expect(message).toBe('trace t, line 1: expected a time in seconds, found "\\u001b[2J..."');
    expect(traceMessage("0 1\n1 12345678901234567890xyz\n", "pensieve")).toMatch(/found "123456789\.\.\."$/);
  });

  it("pensieve and sabre: values that would overflow are refused", () => {
    expect(traceMessage("0 1e400\n1 2\n", "pensieve")).toMatch(/line 1: expected a throughput ≤ 1000000000 Mb\/s, found 1e400$/);
    expect(traceMessage("1e300 1\n1e301 2\n", "pensieve")).toMatch(/line 1: expected a time within ±1000000000 s/);
    expect(traceMessage('[{"duration_ms": 1, "bandwidth_kbps": 1e300, "latency_ms": 0}]', "sabre")).toMatch(
      /expected "bandwidth_kbps" to be at most 1000000000000, found 1e\+300$/,
    );
  });

  it("sabre: a deeply nested file is refused before parsing, without a stack overflow", () => {
    const deep = `${"[".repeat(200_000)}${"]".repeat(200_000)}`;
    expect(traceMessage(deep, "sabre")).toMatch(/^trace t, line 1: expected a JSON array .*, found nesting deeper than 8$/);
    // Nesting inside a string does not count.
    const inString = `[{"duration_ms": 1, "bandwidth_kbps": 1, "latency_ms": 0, "note": "${"[".repeat(50)}"}]`;
    expect(parseTrace(inString, "sabre", "t").segments).toHaveLength(1);
  });

  it("sabre: JSON syntax errors do not carry the parser's excerpt of the file", () => {
    const message = traceMessage('{"password": "hunter2hunter2" x}', "sabre");
    expect(message).toMatch(/found invalid JSON \(/);
    expect(message).not.toContain("hunter2");
    expect(traceMessage("root:x:0:0:root:/root:/bin/bash", "sabre")).not.toContain("root:x");
    expect(traceMessage('[{"duration_ms": "\\u001b[31mlong string value here"}]', "sabre")).toContain('found "\\u001b[31..."');
  });
});
