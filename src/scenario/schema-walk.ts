// Reads the zod schema's shape at a key path: which keys are allowed there (for did-you-mean), what a value
// there should look like (for union messages), and whether a sweep may set it. Works on zod 4's `_zod.def`.

import { fail } from "../assert.ts";
import type { z } from "zod";

/** The part of a zod 4 definition this module reads. */
interface Def {
  readonly type: string;
  readonly innerType?: SchemaNode;
  readonly in?: SchemaNode;
  readonly shape?: Readonly<Record<string, SchemaNode>>;
  readonly element?: SchemaNode;
  readonly valueType?: SchemaNode;
  readonly options?: readonly SchemaNode[];
  readonly entries?: Readonly<Record<string, string | number>>;
  readonly values?: readonly unknown[];
}
export interface SchemaNode {
  readonly _zod: { readonly def: Def };
}

const WRAPPERS = new Set(["optional", "default", "prefault", "nullable", "readonly", "nonoptional", "catch"]);
const MAX_DEPTH = 64;

export function asNode(schema: z.ZodType): SchemaNode {
  return schema as unknown as SchemaNode;
}

/** Peels optional / default / nullable / pipe wrappers off a schema. */
export function unwrap(node: SchemaNode): SchemaNode {
  let current = node;
  for (let i = 0; i < MAX_DEPTH; i++) {
    const def = current._zod.def;
    if (WRAPPERS.has(def.type) && def.innerType !== undefined) current = def.innerType;
    else if (def.type === "pipe" && def.in !== undefined) current = def.in;
    else return current;
  }
  fail("schema-walk: wrappers nested too deeply");
}

export function kind(node: SchemaNode): string {
  return unwrap(node)._zod.def.type;
}

/** The schema one step below `node`, or undefined when `seg` is not allowed there. */
export function child(node: SchemaNode, seg: string | number): SchemaNode | undefined {
  const core = unwrap(node);
  const def = core._zod.def;
  switch (def.type) {
    case "object":
      return typeof seg === "string" && def.shape !== undefined && Object.hasOwn(def.shape, seg)
        ? def.shape[seg]
        : undefined;
    case "array":
      return typeof seg === "number" || /^\d+$/.test(seg) ? def.element : undefined;
    case "record":
      return typeof seg === "string" ? def.valueType : undefined;
    case "union":
      for (const option of def.options ?? []) {
        const found = child(option, seg);
        if (found !== undefined) return found;
      }
      return undefined;
    default:
      return undefined;
  }
}

/** The schema at a key path, or undefined when the path leaves the schema. */
export function schemaAt(root: SchemaNode, path: readonly PropertyKey[]): SchemaNode | undefined {
  let node: SchemaNode | undefined = root;
  for (const seg of path) {
    if (node === undefined) return undefined;
    node = child(node, typeof seg === "number" ? seg : String(seg));
  }
  return node;
}

/** The keys an object schema allows (for a union: the keys of every object option). */
export function allowedKeys(node: SchemaNode): string[] {
  const def = unwrap(node)._zod.def;
  if (def.type === "object") return Object.keys(def.shape ?? {});
  if (def.type === "union") {
    const keys = new Set<string>();
    for (const option of def.options ?? []) for (const k of allowedKeys(option)) keys.add(k);
    return [...keys];
  }
  return [];
}

/** The values an enum or literal schema accepts. */
export function enumValues(node: SchemaNode): string[] {
  const def = unwrap(node)._zod.def;
  if (def.type === "enum") return Object.values(def.entries ?? {}).map(String);
  if (def.type === "literal") return (def.values ?? []).map(String);
  return [];
}

/** Whether a sweep may set a value here: a number, string, boolean or enum (or a union offering one). */
export function isScalar(node: SchemaNode): boolean {
  const def = unwrap(node)._zod.def;
  if (["number", "string", "boolean", "enum", "literal"].includes(def.type)) return true;
  return def.type === "union" && (def.options ?? []).some(isScalar);
}

/**
 * The discriminator of a union of objects: the key every object option pins to a literal (e.g. `dist` of a
 * Distribution), with the literal of each option, or undefined when the union has none.
 */
export function discriminator(
  node: SchemaNode,
): { key: string; values: Map<string, SchemaNode> } | undefined {
  const def = unwrap(node)._zod.def;
  if (def.type !== "union") return undefined;
  const objects = (def.options ?? []).filter((o) => kind(o) === "object");
  if (objects.length < 2) return undefined;
  const first = unwrap(objects[0])._zod.def.shape ?? {};
  for (const key of Object.keys(first)) {
    const values = new Map<string, SchemaNode>();
    for (const option of objects) {
      const field = unwrap(option)._zod.def.shape?.[key];
      const literal = field === undefined ? [] : enumValues(field);
      if (field === undefined || kind(field) !== "literal" || literal.length !== 1) break;
      values.set(literal[0], option);
    }
    if (values.size === objects.length) return { key, values };
  }
  return undefined;
}

/** A short description of what a value of this schema looks like, for messages. */
export function describeSchema(node: SchemaNode): string {
  const core = unwrap(node);
  const def = core._zod.def;
  switch (def.type) {
    case "number":
      return "a number";
    case "string":
      return "a string";
    case "boolean":
      return "true or false";
    case "enum":
    case "literal":
      return `one of ${enumValues(core)
        .map((v) => JSON.stringify(v))
        .join(", ")}`;
    case "array":
      return "a list";
    case "record":
    case "object": {
      const keys = allowedKeys(core);
      return keys.length > 0 ? `a mapping with keys ${keys.join(", ")}` : "a mapping";
    }
    case "union": {
      const d = discriminator(core);
      const parts: string[] = [];
      for (const option of def.options ?? []) {
        if (d !== undefined && kind(option) === "object") continue;
        parts.push(describeSchema(option));
      }
      if (d !== undefined) parts.push(`a mapping with ${d.key}: one of ${[...d.values.keys()].join(", ")}`);
      return parts.join(", or ");
    }
    default:
      return `a ${def.type}`;
  }
}
