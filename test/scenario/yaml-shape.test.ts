// The YAML pre-scan: it accepts every document within the limits whatever the YAML style (block, flow, quoted
// keys, comments, block scalars), refuses deep nesting and wide mappings in any style, and refuses the shapes
// that made the YAML library slow before it sees them. Expected depths come from the generated values.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { ScenarioError } from "../../src/scenario/errors.ts";
import { MAX_MAPPING_KEYS, MAX_YAML_DEPTH } from "../../src/input/limit-values.ts";
import { parseScenarioYaml } from "../../src/scenario/load.ts";
import { yamlShapeProblem } from "../../src/scenario/yaml-shape.ts";

/** Nesting depth of a value as YAML nests it: each mapping or list is one level. */
function depthOf(x: unknown): number {
  if (x === null || typeof x !== "object") return 0;
  const children = Array.isArray(x) ? x : Object.values(x);
  return 1 + children.reduce((d: number, c) => Math.max(d, depthOf(c)), 0);
}

const key = fc.oneof(
  fc.stringMatching(/^[a-z_][a-z0-9_]{0,8}$/),
  fc.constantFrom("a b", "a: b", "#x", "- x", "[k]", "{k}", "'q'", '"d"', "é", "k\u001b"),
);
const scalar = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 12 }),
  fc.constantFrom("a: b", "[x", "{y", "- z", "# c", "line1\nline2\n  indented", "'", '"', "|", ">"),
);
const { tree } = fc.letrec<{ tree: unknown }>((tie) => ({
  tree: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalar,
    fc.array(tie("tree"), { maxLength: 4 }),
    fc.dictionary(key, tie("tree"), { maxKeys: 4 }),
  ),
}));
const doc = fc.dictionary(key, tree, { minKeys: 1, maxKeys: 5 });

const styles = [
  {},
  { collectionStyle: "flow" as const },
  { indentSeq: false },
  { indent: 4, lineWidth: 20 },
  { defaultStringType: "QUOTE_DOUBLE" as const, defaultKeyType: "PLAIN" as const },
];

/** Nests `depth` levels, alternating mappings and lists. */
function nested(depth: number): unknown {
  let x: unknown = "leaf";
  for (let i = 0; i < depth; i++) x = i % 2 === 0 ? { k: x } : [x];
  return x;
}

describe("yamlShapeProblem", () => {
  it("accepts every document within the limits, in every style", () => {
    fc.assert(
      fc.property(doc, fc.constantFrom(...styles), (value, style) => {
        const text = stringify(value, style);
        expect(yamlShapeProblem(text)).toBeNull();
      }),
      { numRuns: 300 },
    );
  });

  it("accepts nesting up to the limit and refuses one level more, in every style but same-indent lists", () => {
    for (const style of styles.filter((s) => !("indentSeq" in s))) {
      expect(yamlShapeProblem(stringify(nested(MAX_YAML_DEPTH), style))).toBeNull();
      expect(yamlShapeProblem(stringify(nested(MAX_YAML_DEPTH + 1), style))?.found).toBe(
        `nesting deeper than ${MAX_YAML_DEPTH}`,
      );
    }
    // Lists written at their key's indentation may count as their key's level: at least half the depth.
    expect(depthOf(nested(2 * MAX_YAML_DEPTH + 2))).toBe(2 * MAX_YAML_DEPTH + 2);
    expect(yamlShapeProblem(stringify(nested(2 * MAX_YAML_DEPTH + 2), { indentSeq: false }))).not.toBeNull();
  });

  it("refuses exactly the documents nested deeper than the limit (random paths, keys, siblings and styles)", () => {
    const level = fc.record({ list: fc.boolean(), key, sibling: fc.option(scalar, { nil: undefined }) });
    fc.assert(
      fc.property(
        fc.array(level, { minLength: 1, maxLength: 2 * MAX_YAML_DEPTH }),
        scalar,
        fc.constantFrom(...styles.filter((s) => !("indentSeq" in s))),
        (levels, leaf, style) => {
          let value: unknown = leaf;
          for (const l of levels) {
            if (l.list) value = l.sibling === undefined ? [value] : [l.sibling, value];
            else value = l.sibling === undefined ? { [l.key]: value } : { [`${l.key}_`]: l.sibling, [l.key]: value };
          }
          const root = { root: value };
          const problem = yamlShapeProblem(stringify(root, style));
          expect(problem !== null).toBe(depthOf(root) > MAX_YAML_DEPTH);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("accepts the widest mapping allowed and refuses one key more, block or flow", () => {
    const wide = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));
    for (const style of [{}, { collectionStyle: "flow" as const }]) {
      expect(yamlShapeProblem(stringify({ m: wide(MAX_MAPPING_KEYS) }, style))).toBeNull();
      expect(yamlShapeProblem(stringify({ m: wide(MAX_MAPPING_KEYS + 1) }, style))?.found).toBe(
        `a mapping with more than ${MAX_MAPPING_KEYS} keys`,
      );
    }
    // Long lists are fine: only keys are limited.
    expect(yamlShapeProblem(stringify({ values: Array.from({ length: 50_000 }, (_, i) => i) }))).toBeNull();
  });

  it("sees nesting hidden behind anchors, tags, compact items and multi-line flows", () => {
    const anchored = Array.from({ length: 40 }, (_, i) => `${"  ".repeat(i)}k${i}: &a${i}`).join("\n");
    expect(yamlShapeProblem(anchored)).not.toBeNull();
    expect(yamlShapeProblem(`- ${"- ".repeat(40)}x`)).not.toBeNull();
    expect(yamlShapeProblem(`? ${"? ".repeat(40)}x`)).not.toBeNull();
    expect(yamlShapeProblem(`a: [\n${"[\n".repeat(40)}]`)).not.toBeNull();
    expect(yamlShapeProblem(`a: "${"[".repeat(100)}"\nb: '${"{".repeat(100)}'\nc: |\n  ${"[".repeat(100)}\n`)).toBeNull();
  });

  it("refuses the shapes that made the YAML library slow, as soon as they pass a limit", () => {
    const hostile = [
      `a: ${"[".repeat(500_000)}`,
      `a: ${"{a: ".repeat(200_000)}`,
      `${"- ".repeat(500_000)}x`,
      `${"? ".repeat(300_000)}x`,
      Array.from({ length: 100_000 }, (_, i) => `k${i}: 1`).join("\n"),
      `{${Array.from({ length: 100_000 }, (_, i) => `k${i}: 1`).join(",")}}`,
    ];
    for (const text of hostile) {
      const problem = yamlShapeProblem(text);
      expect(problem).not.toBeNull();
      expect(problem?.line).toBeLessThanOrEqual(MAX_MAPPING_KEYS + 1);
    }
  });
});

describe("parseScenarioYaml", () => {
  it("reports a shape problem with its position, and duplicate keys in one pass", () => {
    const deep = (() => {
      try {
        parseScenarioYaml(`name: x\nv: ${"[".repeat(100)}`, "x.yaml");
      } catch (error) {
        return (error as ScenarioError).message;
      }
      return "";
    })();
    expect(deep).toBe(`x.yaml:2:${4 + MAX_YAML_DEPTH - 1}: expected nesting at most ${MAX_YAML_DEPTH} deep, found nesting deeper than ${MAX_YAML_DEPTH}`);
    const issues = (() => {
      try {
        parseScenarioYaml("a: 1\nb:\n  c: 1\n  c: 2\n1: x\n'1': y\n", "d.yaml");
      } catch (error) {
        return (error as ScenarioError).issues;
      }
      return [];
    })();
    expect(issues.map((i) => [i.line, i.message])).toEqual([
      [4, 'YAML syntax error: Map keys must be unique: "c" is also at line 3'],
      [6, 'YAML syntax error: Map keys must be unique: "1" is also at line 5'],
    ]);
  });

  it("refuses text over the size cap unparsed", () => {
    expect(() => parseScenarioYaml(`# ${"x".repeat(1024 * 1024)}`, "big.yaml")).toThrow(
      /^big\.yaml: expected a scenario of at most 1048576 characters, found 1048578 characters$/,
    );
  });

  it("names the kind of a document that is not a mapping, never its text", () => {
    expect(() => parseScenarioYaml("root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/bin/sh\n", "p")).toThrow(
      /^p: expected a scenario mapping \(name, content, agent, \.\.\.\), found text$/,
    );
  });
});
