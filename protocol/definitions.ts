/**
 * Turns the TypeBox definitions into one JSON Schema (draft-07) document with a `definitions` entry per
 * frame, shared shape, method params, method result and event payload. Build-time only (used by gen*.ts).
 */
import type { TSchema } from "@sinclair/typebox";
import { EVENTS } from "./constants.ts";
import {
  ClientId,
  ClientMode,
  ConnectAuth,
  ConnectChallenge,
  ConnectClient,
  ConnectDevice,
  ConnectParams,
  HealthSessions,
  HealthSnapshot,
  HelloOk,
  Policy,
  PresenceEntry,
  SessionDefaults,
} from "./connect.ts";
import { V4_ROOT_DEFINITIONS } from "./connect-v4.ts";
import { EVENT_PAYLOADS } from "./events.ts";
import { ErrorCode, ErrorShape, EventFrame, GatewayFrame, RequestFrame, ResponseFrame, StateVersion } from "./frames.ts";
import { type KnownMethodName, METHODS, UNADVERTISED_METHODS, UNADVERTISED_V4_METHODS, V4_METHODS } from "./methods.ts";
import { METHOD_SCHEMAS } from "./registry.ts";
import { collectReachable } from "./_emit-swift.ts";

/** A JSON Schema as plain data. */
export type JsonSchema = { [key: string]: unknown };

/** The generated document: `$schema`, `$id`, `title` and sorted `definitions`. */
export type ProtocolDocument = {
  $schema: string;
  $id: string;
  title: string;
  definitions: Record<string, JsonSchema>;
};

/** `$id` of the document; validators reference `<id>#/definitions/<Name>`. */
export const PROTOCOL_DOCUMENT_ID = "openclaw-gateway-protocol-v3";

/** Names of the params definition of each method, e.g. `chat.send` → `ChatSendParams`. */
export function toDefinitionName(name: string, suffix: string): string {
  const pascal = name
    .split(/[.\-_]/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join("");
  return pascal + suffix;
}

/** Every protocol method with a params schema: advertised first, then unadvertised. */
export const ALL_METHODS: readonly KnownMethodName[] = [...METHODS, ...UNADVERTISED_METHODS, ...V4_METHODS, ...UNADVERTISED_V4_METHODS];

/** A root definition: its name, schema, and the doc line used when the schema has no description. */
type RootDefinition = [name: string, schema: TSchema, fallbackDescription?: string];

/** The root definitions, in the order they are collected (shared shapes found inside them are added too). */
function listRootDefinitions(): RootDefinition[] {
  const roots: RootDefinition[] = [];
  const shared = [ErrorCode, ErrorShape, StateVersion, RequestFrame, ResponseFrame, EventFrame, GatewayFrame];
  const connect = [ClientId, ClientMode, ConnectClient, ConnectDevice, ConnectAuth, ConnectParams, ConnectChallenge];
  const hello = [PresenceEntry, HealthSessions, HealthSnapshot, Policy, SessionDefaults, HelloOk];
  for (const schema of [...shared, ...connect, ...hello, ...V4_ROOT_DEFINITIONS]) roots.push([schema.$id!, schema]);
  for (const method of ALL_METHODS) {
    const { params, result } = METHOD_SCHEMAS[method];
    roots.push([toDefinitionName(method, "Params"), params, `Params of \`${method}\`.`]);
    if (result) roots.push([toDefinitionName(method, "Result"), result, `Result (ok payload) of \`${method}\`.`]);
  }
  for (const event of EVENTS) {
    roots.push([toDefinitionName(event, "Event"), EVENT_PAYLOADS[event], `Payload of the \`${event}\` event.`]);
  }
  return roots;
}

// Keyword order in the emitted JSON: what a reader looks for first. Unlisted keys follow alphabetically.
const KEY_ORDER = [
  "$ref",
  "title",
  "description",
  "type",
  "const",
  "enum",
  "anyOf",
  "oneOf",
  "allOf",
  "properties",
  "required",
  "additionalProperties",
  "patternProperties",
  "items",
];
// Keys whose children are names, not keywords: their order is meaningful and kept.
const NAME_MAPS = new Set(["properties", "patternProperties"]);

/**
 * Copies a TypeBox schema into plain JSON: drops TypeBox's symbol keys, replaces nested schemas carrying an
 * `$id` with a `$ref` (registering them via `onShared`), turns records into `additionalProperties` and
 * orders keywords canonically.
 */
export function toPlainSchema(schema: unknown, onShared: (id: string, schema: TSchema) => void, isRoot: boolean): unknown {
  if (Array.isArray(schema)) return schema.map((item) => toPlainSchema(item, onShared, false));
  if (schema === null || typeof schema !== "object") return schema;
  const source = schema as Record<string, unknown>;
  if (!isRoot && typeof source.$id === "string") {
    onShared(source.$id, schema as TSchema);
    return { $ref: `#/definitions/${source.$id}` };
  }
  const keys = Object.keys(source).filter((k) => k !== "$id");
  const record = toRecordValueSchema(source);
  if (record !== undefined) {
    // TypeBox spells Record<string, X> as patternProperties "^(.*)$"; additionalProperties says the same
    // without a regex (and also covers keys containing newlines, which "." does not match).
    const { patternProperties: _, ...rest } = source;
    return toPlainSchema({ ...rest, additionalProperties: record }, onShared, isRoot);
  }
  keys.sort((a, b) => rankKey(a) - rankKey(b) || (rankKey(a) === KEY_ORDER.length ? a.localeCompare(b) : 0));
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const value = source[key];
    if (NAME_MAPS.has(key) && value && typeof value === "object") {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, child]) => [name, toPlainSchema(child, onShared, false)]),
      );
    } else if (key === "default" || key === "const" || key === "enum" || key === "required") {
      out[key] = structuredClone(value);
    } else {
      out[key] = toPlainSchema(value, onShared, false);
    }
  }
  return out;
}

function toRecordValueSchema(schema: Record<string, unknown>): unknown {
  const patterns = schema.patternProperties as Record<string, unknown> | undefined;
  if (!patterns || schema.properties !== undefined || schema.additionalProperties !== undefined) return undefined;
  const keys = Object.keys(patterns);
  return keys.length === 1 && (keys[0] === "^(.*)$" || keys[0] === "^.*$") ? patterns[keys[0]!] : undefined;
}

function withDescription(schema: JsonSchema, description: string): JsonSchema {
  const { $ref, ...rest } = schema;
  return $ref === undefined ? { description, ...rest } : { $ref, description, ...rest };
}

function rankKey(key: string): number {
  const i = KEY_ORDER.indexOf(key);
  return i === -1 ? KEY_ORDER.length : i;
}

/**
 * Builds the protocol document. Deterministic: same definitions in, byte-identical JSON out.
 * Throws when two different schemas claim the same definition name.
 */
export function buildProtocolDocument(): ProtocolDocument {
  const definitions: Record<string, JsonSchema> = {};
  const sources = new Map<string, TSchema>();
  const pending: [string, TSchema][] = [];
  const fallbackDescriptions = new Map<string, string>();
  const register = (name: string, schema: TSchema) => {
    const known = sources.get(name);
    // TypeBox's Optional() copies the object, so compare content, not identity.
    if (known === schema || (known && JSON.stringify(known) === JSON.stringify(schema))) return;
    if (known) throw new Error(`protocol definition "${name}" is defined twice with different schemas`);
    sources.set(name, schema);
    pending.push([name, schema]);
  };
  for (const [name, schema, description] of listRootDefinitions()) {
    register(name, schema);
    if (description) fallbackDescriptions.set(name, description);
  }
  while (pending.length > 0) {
    const [name, schema] = pending.shift()!;
    // A root whose schema is a shared definition under another name becomes an alias.
    const alias = typeof schema.$id === "string" && schema.$id !== name;
    if (alias) register(schema.$id!, schema);
    const plain = alias ? { $ref: `#/definitions/${schema.$id}` } : (toPlainSchema(schema, register, true) as JsonSchema);
    const description = fallbackDescriptions.get(name);
    // Annotation only: validators ignore a description next to $ref.
    definitions[name] = plain.description || !description ? plain : withDescription(plain, description);
  }
  const sorted = Object.fromEntries(Object.keys(definitions).sort().map((name) => [name, definitions[name]!]));
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    $id: PROTOCOL_DOCUMENT_ID,
    title: "OpenClaw gateway protocol v3",
    definitions: sorted,
  };
}

// --- one document per protocol version ---

/** `$id` of the published v4 schema set (protocol/schema-v4.json). */
export const PROTOCOL_V4_DOCUMENT_ID = "openclaw-gateway-protocol-v4";

/** Definitions that exist only in v4: the V4-suffixed envelope and handshake, and the methods new in v4. */
const V4_ONLY_NAMES: ReadonlySet<string> = new Set([
  ...V4_ROOT_DEFINITIONS.map((s) => s.$id!),
  ...[...V4_METHODS, ...UNADVERTISED_V4_METHODS].flatMap((m) => [toDefinitionName(m, "Params"), toDefinitionName(m, "Result")]),
  "CommandEntry",
]);
/** v3 envelope and handshake definitions that v4 replaces with its own. */
const V3_ONLY_NAMES: ReadonlySet<string> = new Set([
  "ClientId",
  "ClientMode",
  "ConnectClient",
  "ConnectDevice",
  "ConnectAuth",
  "ConnectParams",
  "HelloOk",
  "Policy",
  "ErrorCode",
  "ErrorShape",
  "RequestFrame",
  "ResponseFrame",
  "EventFrame",
  "GatewayFrame",
]);

/** Names of the root definitions a version's document is built from (its shared shapes follow by `$ref`). */
export function listVersionRoots(doc: ProtocolDocument, version: 3 | 4): string[] {
  const all = Object.keys(doc.definitions);
  return version === 3 ? all.filter((n) => !V4_ONLY_NAMES.has(n)) : all.filter((n) => !V3_ONLY_NAMES.has(n));
}

/**
 * The published schema set of one protocol version: the definitions reachable from its roots, under its own
 * `$id`. The validators are compiled from the combined document (both versions' definitions side by side).
 * @throws Error when a v3 definition reaches a v4-only one (the v3 set must stand on its own).
 */
export function selectVersionDocument(doc: ProtocolDocument, version: 3 | 4): ProtocolDocument {
  const names = collectReachable(doc, listVersionRoots(doc, version));
  if (version === 3) {
    const leaked = names.filter((n) => V4_ONLY_NAMES.has(n));
    if (leaked.length > 0) throw new Error(`v3 definitions reference v4-only ones: ${leaked.join(", ")}`);
  }
  return {
    $schema: doc.$schema,
    $id: version === 3 ? PROTOCOL_DOCUMENT_ID : PROTOCOL_V4_DOCUMENT_ID,
    title: `OpenClaw gateway protocol v${version}`,
    definitions: Object.fromEntries(names.map((n) => [n, doc.definitions[n]!])),
  };
}
