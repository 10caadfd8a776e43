/**
 * `config.schema` as the upstream Control UI's Config form reads it: every node of the emitted schema is a
 * kind the form renders (no "Unsupported schema node"), model refs are edited in their object form while the
 * string form still loads, and `uiHints` carry the upstream's section order, labels and secret flags where
 * the upstream has a hint for a path we also have (compared with a recorded upstream response).
 */
import { describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { parseConfigText } from "../../src/config/load.ts";
import { ConfigSchema } from "../../src/config/schema.ts";
import { toFormSchema, withObjectModelRefs } from "../../src/config/form-schema.ts";
import { unsupportedFormPaths } from "../helpers/form-schema.ts";
import { useCleanup } from "../helpers/protocol.ts";
import { connectClient } from "../helpers/ws.ts";

const env = useCleanup();
const UPSTREAM = resolve(import.meta.dir, "../fixtures/upstream/config.schema.json");

async function fetchSchema(): Promise<{ schema: any; uiHints: Record<string, any>; version: string; generatedAt: string }> {
  const gw = await env.gateway();
  const { sock } = await connectClient(gw.url, gw.token, { scopes: ["operator.admin"] });
  env.defer(() => sock.close());
  const res = await sock.request("config.schema", {});
  expect(res.ok).toBe(true);
  return res.payload;
}

/** Every dotted path of a form schema (array items share their array's path, map values are `*`). */
function schemaPaths(node: any, path: string[] = [], out = new Set<string>()): Set<string> {
  if (path.length) out.add(path.join("."));
  for (const [k, v] of Object.entries(node.properties ?? {})) schemaPaths(v, [...path, k], out);
  if (node.additionalProperties && typeof node.additionalProperties === "object" && Object.keys(node.additionalProperties).length) schemaPaths(node.additionalProperties, [...path, "*"], out);
  if (node.items && !Array.isArray(node.items)) schemaPaths(node.items, path, out);
  return out;
}

describe("the form checker", () => {
  test("flags the constructs the upstream form gives up on", () => {
    const bad = {
      type: "object",
      properties: {
        model: { anyOf: [{ type: "string" }, { type: "object", properties: { primary: { type: "string" } } }] },
        open: { type: "object", properties: {}, additionalProperties: true },
        list: { type: "array" },
        anything: {},
        both: { allOf: [{ type: "string" }] },
        rec: { type: "object", patternProperties: { "^(.*)$": { type: "string" } } },
      },
    };
    expect(unsupportedFormPaths(bad).sort()).toEqual(["anything", "both", "list", "model", "open", "rec"]);
    const good = {
      type: "object",
      properties: {
        mode: { anyOf: [{ const: "a" }, { const: "b" }] },
        id: { anyOf: [{ type: "string" }, { type: "integer" }] },
        map: { type: "object", additionalProperties: { type: "string" } },
        free: { type: "object", additionalProperties: {} },
        tags: { type: "array", items: { type: "string" } },
        maybe: { anyOf: [{ type: "null" }, { type: "object", properties: { x: { type: "boolean" } } }] },
      },
    };
    expect(unsupportedFormPaths(good)).toEqual([]);
  });

  test("the validator's own schema still has nodes the form cannot render (what toFormSchema fixes)", () => {
    const raw = unsupportedFormPaths(JSON.parse(JSON.stringify(ConfigSchema)));
    expect(raw).toContain("agents.defaults.model");
    expect(raw).toContain("commands");
  });
});

describe("config.schema", () => {
  test("every node of the emitted schema is one the Config form renders", async () => {
    const { schema, version, generatedAt } = await fetchSchema();
    expect(unsupportedFormPaths(schema)).toEqual([]);
    expect(version).toBe("test");
    expect(Number.isNaN(Date.parse(generatedAt))).toBe(false);
  });

  test("model refs are an object {primary, fallbacks}, like the upstream's agents.defaults.model", async () => {
    const { schema } = await fetchSchema();
    const defaults = schema.properties.agents.properties.defaults;
    const model = defaults.properties.model;
    expect(model.type).toBe("object");
    expect(model.anyOf).toBeUndefined();
    expect(model.properties.primary.type).toBe("string");
    expect(model.properties.fallbacks).toMatchObject({ type: "array", items: { type: "string" } });
    const up = (await Bun.file(UPSTREAM).json()).schema.properties.agents.properties.defaults.properties.model;
    expect(Object.keys(model.properties).sort()).toEqual(Object.keys(up.properties).sort());
    expect(schema.properties.agents.properties.list.items.properties.model.type).toBe("object");
    // unknown keys the validator lets through are an editable free-form map, not `additionalProperties: true`
    expect(defaults.additionalProperties).toEqual({});
    expect(schema.properties.commands.additionalProperties).toEqual({});
  });

  test("the string form of a model ref still loads; the object form the form writes loads too", () => {
    const asString = parseConfigText('{ agents: { defaults: { model: "openai/gpt-5" }, list: [{ id: "a", model: "x/y" }] } }', "t.json5", {});
    expect(asString.agents?.defaults?.model).toBe("openai/gpt-5");
    const asObject = parseConfigText('{ agents: { defaults: { model: { primary: "openai/gpt-5", fallbacks: ["x/y"] } } } }', "t.json5", {});
    expect(asObject.agents?.defaults?.model).toEqual({ primary: "openai/gpt-5", fallbacks: ["x/y"] });
  });

  test("config.get's config presents string model refs in the object form (the raw text stays as written)", () => {
    const config = { agents: { defaults: { model: "a/b", workspace: "/w" }, list: [{ id: "x", model: "c/d" }, { id: "y", model: { primary: "e/f" } }, { id: "z" }] }, gateway: { port: 1 } };
    const out: any = withObjectModelRefs(config);
    expect(out.agents.defaults).toEqual({ model: { primary: "a/b" }, workspace: "/w" });
    expect(out.agents.list).toEqual([{ id: "x", model: { primary: "c/d" } }, { id: "y", model: { primary: "e/f" } }, { id: "z" }]);
    expect(config.agents.defaults.model).toBe("a/b");
    expect(withObjectModelRefs({ gateway: { port: 1 } })).toEqual({ gateway: { port: 1 } });
    // what the form then writes back loads
    expect(parseConfigText(JSON.stringify(out), "t.json", {}).agents?.list?.[0]?.model).toEqual({ primary: "c/d" });
  });

  test("Telegram custom commands are {command, description} objects; anything else is refused with its path", () => {
    const ok = parseConfigText('{ channels: { telegram: { customCommands: [{ command: "ping", description: "Ping" }] } } }', "t.json5", {});
    expect(ok.channels?.telegram?.customCommands).toEqual([{ command: "ping", description: "Ping" }]);
    expect(() => parseConfigText('{ channels: { telegram: { customCommands: ["ping"] } } }', "t.json5", {})).toThrow(/customCommands/);
  });

  test("maps keep their key rule: browser profiles are a typed map with propertyNames", () => {
    const form = toFormSchema(ConfigSchema) as any;
    const profiles = form.properties.browser.properties.profiles;
    expect(profiles.patternProperties).toBeUndefined();
    expect(profiles.additionalProperties.type).toBe("object");
    expect(profiles.propertyNames.pattern).toBe("^[a-z0-9_-]{1,64}$");
  });
});

describe("config.schema uiHints", () => {
  test("every hint names a path of the schema; secrets are marked sensitive", async () => {
    const { schema, uiHints } = await fetchSchema();
    const paths = schemaPaths(schema);
    const stray = Object.keys(uiHints).filter((k) => !paths.has(k));
    expect(stray).toEqual([]);
    for (const key of ["gateway.auth.token", "gateway.auth.password", "gateway.remote.token", "channels.telegram.botToken", "channels.telegram.webhookSecret", "models.providers.*.apiKey", "channels.telegram.accounts.*.botToken"]) {
      expect({ key, sensitive: uiHints[key]?.sensitive }).toEqual({ key, sensitive: true });
    }
    expect(uiHints["channels.telegram.tokenFile"]?.sensitive).toBeUndefined();
  });

  test("labels, section groups and order match the upstream's hints for the paths both schemas have", async () => {
    const { schema, uiHints } = await fetchSchema();
    const upstream: Record<string, any> = (await Bun.file(UPSTREAM).json()).uiHints;
    const paths = schemaPaths(schema);
    let compared = 0;
    for (const [rawKey, up] of Object.entries(upstream)) {
      // The upstream writes some array paths as `list[]`; the form looks hints up without indexes.
      const key = rawKey.replace(/\[\]/g, "");
      if (!paths.has(key)) continue;
      compared++;
      const ours = uiHints[key] ?? {};
      for (const field of ["label", "group", "order", "sensitive", "advanced", "placeholder"] as const) {
        if (up[field] !== undefined && field !== "placeholder") expect({ key, field, value: ours[field] }).toEqual({ key, field, value: up[field] });
      }
      if (up.help) expect({ key, help: typeof ours.help === "string" || typeof schemaDescription(schema, key) === "string" }).toEqual({ key, help: true });
    }
    expect(compared).toBeGreaterThan(50);
  });
});

function schemaDescription(schema: any, key: string): string | undefined {
  let node = schema;
  for (const part of key.split(".")) node = part === "*" ? node?.additionalProperties : (node?.properties?.[part] ?? node?.items?.properties?.[part]);
  return node?.description;
}
