// Maps a key path of a parsed YAML document to a line and column, so every scenario error points at the spot
// to fix: the value for a wrong value, the key for an unknown key, the enclosing mapping for a missing key.

import { type Document, isMap, isScalar, isSeq, type LineCounter, type Node, type Pair } from "yaml";

export interface Position {
  readonly line: number;
  readonly column: number;
  /** Set when the value did not come from the scenario file (a `--param` on the command line): what to blame. */
  readonly file?: string;
}

/** Finds positions of key paths; `key: true` asks for the key of the last segment rather than its value. */
export type Locator = (path: readonly PropertyKey[], opts?: { key?: boolean }) => Position;

export const NO_POSITION: Position = { line: 0, column: 0 };

export const noLocator: Locator = () => NO_POSITION;

function at(lineCounter: LineCounter, offset: number | undefined): Position {
  if (offset === undefined) return NO_POSITION;
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

function pairOf(node: Node, seg: PropertyKey): Pair<unknown, unknown> | undefined {
  if (!isMap(node)) return undefined;
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? pair.key.value : pair.key;
    if (String(key) === String(seg)) return pair as Pair<unknown, unknown>;
  }
  return undefined;
}

function asNode(x: unknown): Node | undefined {
  return x !== null && typeof x === "object" && "range" in x ? (x as Node) : undefined;
}

export function makeLocator(doc: Document, lineCounter: LineCounter): Locator {
  return (path, opts = {}) => {
    let node = asNode(doc.contents);
    if (node === undefined) return { line: 1, column: 1 };
    let position = at(lineCounter, node.range?.[0]);
    for (let i = 0; i < path.length; i++) {
      const seg = path[i];
      const last = i === path.length - 1;
      let next: Node | undefined;
      if (isSeq(node) && typeof seg === "number") {
        next = asNode(node.items[seg]);
      } else {
        const pair = pairOf(node, seg);
        if (pair === undefined) return position; // missing key: point at the enclosing mapping
        const keyNode = asNode(pair.key);
        if (last && opts.key === true && keyNode !== undefined) return at(lineCounter, keyNode.range?.[0]);
        next = asNode(pair.value);
        // `key:` with no value: point at the key.
        if (next === undefined || next.range === undefined) return at(lineCounter, keyNode?.range?.[0]);
      }
      if (next === undefined) return position;
      node = next;
      position = at(lineCounter, node.range?.[0]);
    }
    return position;
  };
}
