// A linear pre-scan of scenario YAML that refuses, before the YAML library sees the text, what would make the
// library slow: deep nesting (its parser is slow on thousands of nested `[`) and mappings with very many keys.
// It follows just enough YAML to find nesting: indentation of block mappings and sequences, compact `- - x`
// items, flow collections, quoted scalars (which may span lines), block scalars and comments. Its depth never
// exceeds the true depth by more than one (a deeper line under `key:` that is really a multi-line scalar), so
// a file within the limits is never refused; it may count a block sequence written at its key's indentation
// as the key's own level, so a refused file is at least half as deep as the limit says.

import { MAX_MAPPING_KEYS, MAX_YAML_DEPTH } from "../input/limit-values.ts";

export interface YamlShapeProblem {
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
  readonly expected: string;
  readonly found: string;
}

interface BlockLevel {
  /** Column (0-based) of the level's keys or `-` indicators. */
  readonly indent: number;
  keys: number;
}

interface FlowLevel {
  readonly mapping: boolean;
  keys: number;
  line: number;
  column: number;
}

const DEPTH_EXPECTED = `nesting at most ${MAX_YAML_DEPTH} deep`;
const KEYS_EXPECTED = `at most ${MAX_MAPPING_KEYS} keys in one mapping`;

/** Scans `text`; the first nesting or width problem, or null. */
export function yamlShapeProblem(text: string): YamlShapeProblem | null {
  const lines = text.split("\n");
  const block: BlockLevel[] = [];
  const flow: FlowLevel[] = [];
  /** Inside a quoted scalar that may continue on the next line. */
  let quote: '"' | "'" | null = null;
  /** Lines indented more than this are a block scalar's content (-1: not in one). */
  let blockScalarParent = -1;
  /** The previous line ended in `key:` or `-` with nothing after: a deeper line opens a level. */
  let opensChild = false;

  const depth = () => block.length + flow.length;
  const tooDeep = (line: number, column: number): YamlShapeProblem => ({
    line,
    column,
    expected: DEPTH_EXPECTED,
    found: `nesting deeper than ${MAX_YAML_DEPTH}`,
  });
  const tooWide = (line: number, column: number): YamlShapeProblem => ({
    line,
    column,
    expected: KEYS_EXPECTED,
    found: `a mapping with more than ${MAX_MAPPING_KEYS} keys`,
  });

  for (let li = 0; li < lines.length; li++) {
    const raw = lines[li];
    const s = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    const lineNo = li + 1;
    let i = 0;

    if (quote === null && flow.length === 0) {
      let indent = 0;
      while (indent < s.length && s[indent] === " ") indent++;
      const blank = indent === s.length || s[indent] === "#";
      if (blockScalarParent >= 0) {
        if (blank || indent > blockScalarParent) continue;
        blockScalarParent = -1;
      }
      if (blank) continue;
      if (indent === 0 && (s.startsWith("---") || s.startsWith("...")) && (s.length === 3 || s[3] === " ")) {
        block.length = 0;
        opensChild = false;
        i = 3;
      } else if (indent === 0 && s[0] === "%") {
        continue; // a directive
      } else {
        while (block.length > 0 && block[block.length - 1].indent > indent) block.pop();
        const top = block.at(-1);
        // Deeper than the current level and not under `key:` or `-`: the next line of a multi-line scalar.
        if (top !== undefined && top.indent < indent && !opensChild) continue;
        i = indent;
      }
      opensChild = false;
      // Entries: `- `, `? ` and `key: ` may repeat on one line (`- - a: x`), each one level deeper.
      for (let guard = 0; guard <= s.length && i < s.length; guard++) {
        const c = s[i];
        const indicator = (c === "-" || c === "?") && (i + 1 === s.length || s[i + 1] === " ");
        const keyEnd = indicator ? -1 : keyColonAt(s, i);
        if (!indicator && keyEnd < 0) break; // a value, not an entry: scanned below
        const level = block.at(-1);
        if (level === undefined || level.indent < i) {
          block.push({ indent: i, keys: 0 });
          if (depth() > MAX_YAML_DEPTH) return tooDeep(lineNo, i + 1);
        }
        if (!indicator) {
          const current = block[block.length - 1];
          if (++current.keys > MAX_MAPPING_KEYS) return tooWide(lineNo, i + 1);
        }
        i = skipSpaces(s, indicator ? i + 1 : keyEnd + 1);
        if (i >= s.length || s[i] === "#") {
          opensChild = true;
          break;
        }
      }
      if (i >= s.length || s[i] === "#") continue;
      // A value: skip anchors and tags, then see whether it opens a flow collection, a quote or a block scalar.
      for (let guard = 0; guard <= s.length && (s[i] === "&" || s[i] === "!"); guard++) {
        while (i < s.length && s[i] !== " ") i++;
        i = skipSpaces(s, i);
      }
      if (i >= s.length || s[i] === "#") {
        opensChild = true; // `key: &anchor` with the collection on the next lines
        continue;
      }
      const c = s[i];
      if (c === "|" || c === ">") {
        blockScalarParent = block.length > 0 ? block[block.length - 1].indent : 0;
        continue;
      }
      if (c !== "[" && c !== "{" && c !== '"' && c !== "'") continue; // a plain scalar
    }

    // Character scan: inside quotes or flow collections (possibly continuing from an earlier line).
    for (; i < s.length; i++) {
      const c = s[i];
      if (quote === '"') {
        if (c === "\\") i++;
        else if (c === '"') quote = null;
        continue;
      }
      if (quote === "'") {
        if (c === "'" && s[i + 1] === "'") i++;
        else if (c === "'") quote = null;
        continue;
      }
      if ((c === '"' || c === "'") && (flow.length === 0 || i === 0 || " \t[{,:".includes(s[i - 1]))) {
        quote = c;
        continue;
      }
      if (c === "#" && (i === 0 || s[i - 1] === " " || s[i - 1] === "\t")) break; // a comment
      if (flow.length === 0) {
        if (c !== "[" && c !== "{") break; // after a quoted scalar or a flow collection: the rest is trivia
      }
      if (c === "[" || c === "{") {
        flow.push({ mapping: c === "{", keys: 0, line: lineNo, column: i + 1 });
        if (depth() > MAX_YAML_DEPTH) return tooDeep(lineNo, i + 1);
      } else if (c === "]" || c === "}") {
        flow.pop();
      } else if (c === "," || c === ":") {
        const top = flow[flow.length - 1];
        // A flow mapping's entries: count the first `:` of each (`,` starts a new entry).
        if (top.mapping && c === ":" && top.keys >= 0) {
          if (++top.keys > MAX_MAPPING_KEYS) return tooWide(lineNo, i + 1);
          top.keys = -top.keys; // negative: this entry is counted
        } else if (c === ",") top.keys = Math.abs(top.keys);
      }
    }
  }
  return null;
}

function skipSpaces(s: string, from: number): number {
  let i = from;
  while (i < s.length && (s[i] === " " || s[i] === "\t")) i++;
  return i;
}

/**
 * When a block mapping key starts at `from` (`key:`, `"quoted key":`), the index of its `:`, else -1. A key
 * is a plain or quoted scalar on one line followed by `:` and a space or the end of the line.
 */
function keyColonAt(s: string, from: number): number {
  const c = s[from];
  if (c === "[" || c === "{" || c === "#" || c === "|" || c === ">" || c === "&" || c === "!" || c === "*") {
    return -1;
  }
  let i = from;
  if (c === '"' || c === "'") {
    for (i = from + 1; i < s.length; i++) {
      if (c === '"' && s[i] === "\\") i++;
      else if (s[i] === c) {
        if (c === "'" && s[i + 1] === "'") i++;
        else break;
      }
    }
    if (i >= s.length) return -1;
    i = skipSpaces(s, i + 1);
    return s[i] === ":" && (i + 1 === s.length || s[i + 1] === " " || s[i + 1] === "\t") ? i : -1;
  }
  for (; i < s.length; i++) {
    if (s[i] === ":" && (i + 1 === s.length || s[i + 1] === " " || s[i + 1] === "\t")) return i;
    if (s[i] === "#" && (s[i - 1] === " " || s[i - 1] === "\t")) return -1;
  }
  return -1;
}
