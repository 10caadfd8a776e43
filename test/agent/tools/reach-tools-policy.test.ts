/**
 * Where browser, web_search, image and nodes sit in the policy (upstream's groups and profiles): the
 * read-only ones (web_search, image) are in the default set; the ones that act (browser clicks and submits,
 * nodes take photos and notify people) need `tools.profile: "full"` or an allow entry; `coding` holds image;
 * `group:ui`, `group:web` and `group:nodes` name them; none of the acting ones is HTTP-invokable.
 */
import { describe, expect, test } from "bun:test";
import { explainTools, toolDefinitions } from "../../../src/agent/tools/index.ts";
import type { ToolPorts } from "../../../src/agent/tools/types.ts";
import type { OpenClawConfig } from "../../../src/config/schema.ts";
import { createMemoryStore } from "../../../src/store/index.ts";

const MINE = ["browser", "web_search", "image", "nodes"];
const ports = { browser: {}, vision: {}, nodes: { list: () => [], invoke: async () => ({}) } } as unknown as ToolPorts;

function offered(config: OpenClawConfig): string[] {
  return explainTools({ config, store: createMemoryStore(), agentId: "main", sessionKey: "s", workspace: "/tmp/x", ports })
    .filter((v) => v.included && MINE.includes(v.name))
    .map((v) => v.name)
    .sort();
}

describe("policy of the reach tools", () => {
  test("profiles and the default set", () => {
    expect(offered({})).toEqual(["image", "web_search"]);
    expect(offered({ tools: { profile: "minimal" } })).toEqual([]);
    expect(offered({ tools: { profile: "coding" } })).toEqual(["image"]);
    expect(offered({ tools: { profile: "messaging" } })).toEqual([]);
    expect(offered({ tools: { profile: "full" } })).toEqual(["browser", "image", "nodes", "web_search"]);
  });

  test("groups and allow entries", () => {
    expect(offered({ tools: { alsoAllow: ["group:ui"] } })).toEqual(["browser", "image", "web_search"]);
    expect(offered({ tools: { alsoAllow: ["group:nodes"] } })).toEqual(["image", "nodes", "web_search"]);
    expect(offered({ tools: { profile: "coding", alsoAllow: ["group:web", "browser"] } })).toEqual(["browser", "image", "web_search"]);
    expect(offered({ tools: { profile: "full", deny: ["group:ui", "nodes"] } })).toEqual(["image", "web_search"]);
    expect(offered({ tools: { profile: "full" }, browser: { enabled: false } })).toEqual(["image", "nodes", "web_search"]);
  });

  test("groups and HTTP flags of the definitions", () => {
    const defs = Object.fromEntries(toolDefinitions({}).map((d) => [d.name, d]));
    expect(MINE.map((n) => [n, defs[n]?.group, defs[n]?.http === true])).toEqual([
      ["browser", "ui", false],
      ["web_search", "web", true],
      ["image", undefined, false],
      ["nodes", "nodes", false],
    ]);
    expect(defs.browser?.needs).toEqual(["browser"]);
    expect(defs.nodes?.needs).toEqual(["nodes"]);
    expect(defs.image?.needs).toEqual(["vision"]);
  });
});
