/**
 * A small property-based generator for the fuzzers: a seeded PRNG, values generated from a JSON Schema
 * (so most inputs get past the first check and reach deeper code), structure-aware mutations of JSON values
 * (drop, add, retype, nest, prototype keys), and text-level mutations of serialized input (truncate, flip,
 * splice, invalid escapes, lone surrogates). Deterministic for a given seed: a failure prints its seed and
 * index and replays exactly. Shared by test/fuzz/*.test.ts and bench/soak/fuzz.ts.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** xorshift128+-style PRNG (sfc32); `next()` is a uint32. Cheap, seedable, good enough for fuzzing. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 16; i++) this.next();
  }
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }
  /** Uniform in [0, 1). */
  float(): number {
    return this.next() / 4294967296;
  }
  /** Integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.float() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)]!;
  }
}

/** Strings that break naive code: prototype keys, separators, escapes, control and odd Unicode. */
export const NASTY_STRINGS: readonly string[] = [
  "",
  " ",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "undefined",
  "null",
  "NaN",
  "-1",
  "0",
  "1e309",
  "..",
  "../../etc/passwd",
  "/",
  "\\",
  "%2e%2e%2f",
  "\u0000",
  "\u0000\u0001\u001f",
  "\ud800",
  "\udfff\ud800",
  "\u202e",
  "\ufeff",
  "🦞".repeat(3),
  "a".repeat(300),
  "${OPENCLAW_GATEWAY_TOKEN}",
  "$${X}",
  "${",
  "agent:main:main",
  "agent:*:*",
  "main",
  "operator.admin",
  "http://127.0.0.1:1/",
  "file:///etc/passwd",
  "<script>alert(1)</script>",
  "'; DROP TABLE sessions; --",
  "%s%s%n",
  "\r\n\r\nHTTP/1.1 200 OK",
];

/** JSON Schema as plain data. */
export type Schema = Record<string, any>;

/** The protocol document's definitions (params, frames, shared shapes). */
export function loadProtocolDefinitions(): Record<string, Schema> {
  const doc = JSON.parse(readFileSync(join(import.meta.dir, "../../protocol/schema.json"), "utf8"));
  return doc.definitions;
}

/** `chat.send` → `ChatSendParams` (as protocol/definitions.ts names them). */
export function paramsDefinitionName(method: string): string {
  return `${method
    .split(/[.\-_]/)
    .filter(Boolean)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join("")}Params`;
}

/** Generates a value meant to satisfy `schema` (best effort: no regex patterns). */
export function generate(schema: Schema | boolean | undefined, rng: Rng, defs: Record<string, Schema> = {}, depth = 0): unknown {
  if (schema === undefined || schema === true || (typeof schema === "object" && Object.keys(schema).filter((k) => k !== "description" && k !== "title").length === 0)) return randomJson(rng, depth);
  if (schema === false) return undefined;
  if (schema.$ref) {
    const name = String(schema.$ref).split("/").pop()!;
    return generate(defs[name], rng, defs, depth + 1);
  }
  if ("const" in schema) return schema.const;
  if (Array.isArray(schema.enum)) return rng.pick(schema.enum);
  const alts = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(alts)) return generate(rng.pick(alts), rng, defs, depth + 1);
  if (Array.isArray(schema.allOf)) return generate(schema.allOf[0], rng, defs, depth + 1);
  const type = Array.isArray(schema.type) ? rng.pick(schema.type) : schema.type;
  switch (type) {
    case "string": {
      const min = schema.minLength ?? 0;
      const max = Math.min(schema.maxLength ?? min + 24, min + 64);
      let s = rng.chance(0.15) ? rng.pick(NASTY_STRINGS) : randomWord(rng, rng.int(min, max));
      if (s.length < min) s = s.padEnd(min, "x");
      if (schema.maxLength !== undefined && s.length > schema.maxLength) s = s.slice(0, schema.maxLength);
      return s;
    }
    case "integer":
    case "number": {
      const lo = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : rng.chance(0.2) ? -1000 : 0);
      const hi = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : lo + (rng.chance(0.1) ? 1e9 : 1000));
      const v = lo + rng.float() * (hi - lo);
      return type === "integer" ? Math.floor(v) : v;
    }
    case "boolean":
      return rng.chance(0.5);
    case "null":
      return null;
    case "array": {
      const min = schema.minItems ?? 0;
      const max = Math.min(schema.maxItems ?? min + 3, min + 5);
      return depth > 8 ? [] : Array.from({ length: rng.int(min, max) }, () => generate(schema.items, rng, defs, depth + 1));
    }
    case "object":
    default: {
      const out: Record<string, unknown> = {};
      const required = new Set<string>(schema.required ?? []);
      for (const [key, sub] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) {
        if (required.has(key) || (depth < 8 && rng.chance(0.5))) out[key] = generate(sub, rng, defs, depth + 1);
      }
      if (schema.additionalProperties && typeof schema.additionalProperties === "object" && depth < 6 && rng.chance(0.4)) {
        for (let i = rng.int(1, 2); i > 0; i--) out[randomWord(rng, rng.int(1, 8))] = generate(schema.additionalProperties, rng, defs, depth + 1);
      }
      if (schema.patternProperties && depth < 6 && rng.chance(0.4)) {
        for (const sub of Object.values(schema.patternProperties as Record<string, Schema>)) out[randomWord(rng, rng.int(1, 8)).toLowerCase()] = generate(sub, rng, defs, depth + 1);
      }
      return out;
    }
  }
}

/** Any JSON value, shallow-ish. */
export function randomJson(rng: Rng, depth = 0): unknown {
  const kind = depth > 4 ? rng.int(0, 4) : rng.int(0, 6);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.pick([0, -0, 1, -1, 0.5, 2 ** 31, 2 ** 53, -(2 ** 53), 1e308, -1e308, 5e-324, rng.int(-1e6, 1e6)]);
    case 3:
    case 4:
      return rng.chance(0.3) ? rng.pick(NASTY_STRINGS) : randomWord(rng, rng.int(0, 12));
    case 5:
      return Array.from({ length: rng.int(0, 3) }, () => randomJson(rng, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = rng.int(0, 3); i > 0; i--) o[rng.chance(0.2) ? rng.pick(NASTY_STRINGS) : randomWord(rng, rng.int(1, 8))] = randomJson(rng, depth + 1);
      return o;
    }
  }
}

/**
 * One structure-aware mutation of a JSON value: picks a random node and drops, adds, retypes, replaces or
 * nests it. Returns a new value (the input is not modified).
 */
export function mutateValue(value: unknown, rng: Rng): unknown {
  const copy = structuredCloneJson(value);
  const containers: { parent: any; key: string | number }[] = [];
  const walk = (v: unknown, parent: any, key: string | number, depth: number) => {
    containers.push({ parent, key });
    if (depth > 12) return;
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, v, i, depth + 1));
    else if (v && typeof v === "object") for (const k of Object.keys(v)) walk((v as any)[k], v, k, depth + 1);
  };
  const root = { v: copy };
  walk(copy, root, "v", 0);
  const { parent, key } = rng.pick(containers);
  const current = parent[key];
  switch (rng.int(0, 11)) {
    case 0: // drop
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
      break;
    case 1: // extra key
      if (current && typeof current === "object" && !Array.isArray(current)) current[rng.chance(0.3) ? rng.pick(NASTY_STRINGS) : randomWord(rng, 6)] = randomJson(rng, 2);
      else parent[key] = randomJson(rng, 1);
      break;
    case 2: // retype
      parent[key] = rng.pick([null, true, 0, -1, 1.5, "", "x", [], {}, [current], { v: current }]);
      break;
    case 3: // nasty string
      parent[key] = rng.pick(NASTY_STRINGS);
      break;
    case 4: // big string
      parent[key] = "A".repeat(rng.pick([1024, 65_536, 300_000]));
      break;
    case 5: // deep nesting
      parent[key] = nest(rng.pick([10, 100, 1000, 3000]), rng.chance(0.5));
      break;
    case 6: // odd numbers
      parent[key] = rng.pick([-0, 1e308, -1e308, 5e-324, 2 ** 53 + 1, -(2 ** 31), 0.1, 1e21, -1]);
      break;
    case 7: // prototype pollution attempt
      if (current && typeof current === "object" && !Array.isArray(current)) {
        Object.defineProperty(current, rng.pick(["__proto__", "constructor", "prototype"]), { value: { polluted: true, isAdmin: true }, enumerable: true, configurable: true, writable: true });
      } else parent[key] = JSON.parse('{"__proto__":{"polluted":true}}');
      break;
    case 8: // wide array / object
      parent[key] = rng.chance(0.5) ? Array.from({ length: rng.pick([100, 5000]) }, (_, i) => i) : Object.fromEntries(Array.from({ length: rng.pick([100, 5000]) }, (_, i) => [`k${i}`, i]));
      break;
    case 9: // duplicate the node next to itself
      if (Array.isArray(parent)) parent.push(structuredCloneJson(current));
      else parent[`${key}_`] = structuredCloneJson(current);
      break;
    case 10: // whole random value
      parent[key] = randomJson(rng);
      break;
    default: // string tweak
      parent[key] = typeof current === "string" ? mutateText(current, rng) : randomWord(rng, rng.int(0, 10));
  }
  return root.v;
}

/** One text-level mutation: truncate, flip, splice garbage, duplicate, invalid escapes, surrogates. */
export function mutateText(text: string, rng: Rng): string {
  if (text.length === 0) return rng.pick(["{", "[", '"', "\\", "\u0000", " "]);
  const at = rng.int(0, text.length);
  switch (rng.int(0, 9)) {
    case 0:
      return text.slice(0, at);
    case 1:
      return text.slice(at);
    case 2: {
      const c = text.charCodeAt(Math.min(at, text.length - 1)) ^ (1 << rng.int(0, 7));
      return text.slice(0, at) + String.fromCharCode(c) + text.slice(at + 1);
    }
    case 3:
      return text.slice(0, at) + rng.pick(["{", "}", "[", "]", ",", ":", '"', "\\", "\\u", "\\ud800", "\\x41", "/*", "//", "\n", "\u0000", "NaN", "Infinity", "-", "0x", "1e9999", "${", "'"]) + text.slice(at);
    case 4:
      return text + text.slice(0, at);
    case 5:
      return `${text.slice(0, at)}${text.slice(at).replace(/"/, "")}`;
    case 6:
      return `\ufeff${text}`;
    case 7:
      return text.replace(/:/g, rng.chance(0.5) ? "::" : ":");
    case 8:
      return text.slice(0, at) + "\ud800" + text.slice(at);
    default:
      return "[".repeat(rng.pick([100, 10_000])) + text;
  }
}

// --- internal ---

function randomWord(rng: Rng, len: number): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/ ";
  let s = "";
  for (let i = 0; i < len; i++) s += alphabet[rng.int(0, alphabet.length - 1)];
  return s;
}

function nest(depth: number, arrays: boolean): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = arrays ? [v] : { a: v };
  return v;
}

function structuredCloneJson<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}
