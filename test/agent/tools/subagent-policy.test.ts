/**
 * The sub-agent layer of the tool policy: what a sub-agent session (`agent:<id>:subagent:<uuid>`) loses on
 * top of its agent's policy (the built-in deny list, the spawn-depth cap's list, `tools.subagents.tools`),
 * the reason `tools.effective` shows for each, that no allow entry brings a built-in denial back, that a
 * sub-agent never gets a tool its parent would not, and the config checks of `tools.subagents`.
 */
import { describe, expect, test } from "bun:test";
import { buildTools, explainTools, SUBAGENT_ALWAYS_DENY } from "../../../src/agent/tools/index.ts";
import type { ToolPorts } from "../../../src/agent/tools/types.ts";
import { parseConfigText } from "../../../src/config/load.ts";
import type { OpenClawConfig } from "../../../src/config/schema.ts";
import { ConfigError } from "../../../src/errors.ts";
import { createMemoryStore, type Store } from "../../../src/store/index.ts";

const PARENT = "agent:main:telegram:dm:42";
const CHILD = "agent:main:subagent:6f1c2a44-0000-4000-8000-000000000001";
// Every host port, so the ports stage takes nothing away and the policy alone decides.
const ports = {
  browser: {},
  vision: {},
  exec: {},
  memory: {},
  channels: {},
  cron: {},
  agentRuns: {},
  nodes: { list: () => [], invoke: async () => ({}) },
} as unknown as ToolPorts;

function verdicts(config: OpenClawConfig, sessionKey: string, store: Store = createMemoryStore()) {
  return Object.fromEntries(explainTools({ config, store, agentId: "main", sessionKey, workspace: "/tmp/x", ports }).map((v) => [v.name, v]));
}

function offered(config: OpenClawConfig, sessionKey: string, store?: Store): string[] {
  return Object.values(verdicts(config, sessionKey, store))
    .filter((v) => v.included)
    .map((v) => v.name)
    .sort();
}

const FULL: OpenClawConfig = { tools: { profile: "full" } };

describe("the sub-agent layer", () => {
  test("a sub-agent never gets the built-in denied tools; its parent session keeps them", () => {
    const parent = verdicts(FULL, PARENT);
    const child = verdicts(FULL, CHILD);
    for (const name of ["agents_list", "session_status", "cron", "message", "sessions_send"]) {
      expect(parent[name]?.included).toBe(true);
      expect(child[name]?.included).toBe(false);
      expect(child[name]?.reason).toBe(`never offered to sub-agents (built-in sub-agent deny list, "${name}")`);
    }
    // The work tools stay.
    for (const name of ["read", "write", "exec", "web_fetch", "browser"]) expect(child[name]?.included).toBe(true);
    expect(child.read?.reason).toBe('allowed by profile "full" (tools.profile); kept for sub-agents (tools.subagents.tools)');
  });

  test("at the spawn-depth cap (default 1) a sub-agent cannot spawn or look at other sessions; a higher cap keeps them below it", () => {
    const leaf = verdicts(FULL, CHILD);
    for (const name of ["sessions_spawn", "sessions_list", "sessions_history"]) {
      expect(leaf[name]?.included).toBe(false);
      expect(leaf[name]?.reason).toBe("not offered to a sub-agent at spawn depth 1 (agents.defaults.subagents.maxSpawnDepth is 1)");
    }
    const deeper: OpenClawConfig = { ...FULL, agents: { defaults: { subagents: { maxSpawnDepth: 2 } } } };
    expect(verdicts(deeper, CHILD).sessions_spawn?.included).toBe(true);
    // The depth recorded on the session entry counts: a grandchild at depth 2 is a leaf again.
    const store = createMemoryStore();
    const grandchild = "agent:main:subagent:6f1c2a44-0000-4000-8000-000000000002";
    store.setSession(grandchild, { sessionId: "g", updatedAt: Date.now(), spawnedBy: CHILD, spawnDepth: 2 });
    expect(verdicts(deeper, grandchild, store).sessions_spawn?.reason).toBe("not offered to a sub-agent at spawn depth 2 (agents.defaults.subagents.maxSpawnDepth is 2)");
  });

  test("tools.subagents.tools.deny and .allow narrow further, naming the deciding entry", () => {
    const config: OpenClawConfig = { tools: { profile: "full", subagents: { tools: { deny: ["group:web"], allow: ["read", "exec", "web_*"] } } } };
    const child = verdicts(config, CHILD);
    expect(offered(config, CHILD)).toEqual(["exec", "read"]);
    expect(child.web_fetch?.reason).toBe('denied by tools.subagents.tools.deny ("group:web")');
    expect(child.write?.reason).toBe("not in tools.subagents.tools.allow");
    // The parent's own tools are untouched by the sub-agent keys.
    expect(verdicts(config, PARENT).write?.included).toBe(true);
    expect(verdicts(config, PARENT).web_fetch?.included).toBe(true);
  });

  test("no allow entry brings a built-in denial back (tools.allow, alsoAllow, the agent's own, tools.subagents.tools.allow)", () => {
    const config: OpenClawConfig = {
      tools: { profile: "full", alsoAllow: ["message", "cron"], subagents: { tools: { allow: ["*", "message", "cron", "sessions_send", "session_status"] } } },
      agents: { list: [{ id: "main", tools: { allow: ["*"] } }] },
    };
    const child = verdicts(config, CHILD);
    for (const name of ["message", "cron", "sessions_send", "session_status", "agents_list"]) {
      expect(child[name]?.included).toBe(false);
      expect(child[name]?.reason).toStartWith("never offered to sub-agents");
    }
  });

  test("tools.subagents.tools.allow cannot add what the agent's policy leaves out", () => {
    const config: OpenClawConfig = { tools: { profile: "coding", subagents: { tools: { allow: ["browser", "read"] } } } };
    const child = verdicts(config, CHILD);
    expect(child.browser?.included).toBe(false);
    expect(child.browser?.reason).toBe('not in profile "coding" (tools.profile)');
    expect(offered(config, CHILD)).toEqual(["read"]);
  });

  test("a sub-agent never gets more than its parent session, whatever the config", () => {
    const configs: OpenClawConfig[] = [
      {},
      FULL,
      { tools: { profile: "coding" } },
      { tools: { profile: "messaging" } },
      { tools: { profile: "minimal" } },
      { tools: { allow: ["read", "message"] } },
      { tools: { profile: "full", deny: ["exec"], subagents: { tools: { allow: ["exec", "read", "message"] } } } },
      { tools: { profile: "coding", subagents: { tools: { alsoAllow: ["browser", "message", "nodes"] } } } },
      { tools: { profile: "full" }, agents: { defaults: { subagents: { maxSpawnDepth: 5 } }, list: [{ id: "main", tools: { deny: ["group:ui"] } }] } },
    ];
    for (const config of configs) {
      const parent = new Set(offered(config, PARENT));
      const extra = offered(config, CHILD).filter((t) => !parent.has(t));
      expect({ config, extra }).toEqual({ config, extra: [] });
    }
  });

  test("a sub-agent key counts without a store entry; a normal key with a stray spawnDepth of 0 stays a normal session", () => {
    expect(verdicts(FULL, CHILD, createMemoryStore()).message?.included).toBe(false);
    const store = createMemoryStore();
    store.setSession(PARENT, { sessionId: "p", updatedAt: Date.now(), spawnDepth: 0 });
    expect(verdicts(FULL, PARENT, store).message?.included).toBe(true);
    // A session recorded as spawned is a sub-agent even under another key shape.
    store.setSession("agent:main:worker", { sessionId: "w", updatedAt: Date.now(), spawnDepth: 1 });
    expect(verdicts(FULL, "agent:main:worker", store).message?.included).toBe(false);
  });

  test("the tools bound for a sub-agent run are the ones the policy keeps", () => {
    const store = createMemoryStore();
    const config: OpenClawConfig = { tools: { profile: "full", subagents: { tools: { deny: ["exec"] } } } };
    const names = buildTools({ config, store, agentId: "main", sessionKey: CHILD, runId: "r", workspace: "/tmp/x", ports }).map((t) => t.name);
    expect(names).toContain("read");
    for (const denied of ["exec", "message", "cron", "sessions_spawn", "sessions_send", "session_status"]) expect(names).not.toContain(denied);
    expect(buildTools({ config, store, agentId: "main", sessionKey: PARENT, runId: "r", workspace: "/tmp/x", ports }).map((t) => t.name)).toContain("exec");
  });

  test("the built-in list holds upstream's names", () => {
    expect(SUBAGENT_ALWAYS_DENY).toEqual(expect.arrayContaining(["gateway", "agents_list", "session_status", "cron", "message", "sessions_send"]));
  });
});

describe("tools.subagents in the config file", () => {
  const parse = (tools: unknown) => parseConfigText(JSON.stringify({ tools }), "/tmp/openclaw.json", {});
  const issuesOf = (tools: unknown): string => {
    try {
      parse(tools);
      return "no error";
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message;
    }
  };

  test("allow / deny / alsoAllow lists load", () => {
    expect(parse({ subagents: { tools: { allow: ["read"], deny: ["exec", "group:web"], alsoAllow: ["x"] } } }).tools?.subagents).toEqual({ tools: { allow: ["read"], deny: ["exec", "group:web"], alsoAllow: ["x"] } });
  });

  test("a misspelt key, a list that is not a list and an empty entry are refused, naming the path", () => {
    expect(issuesOf({ subagents: { tools: { denyList: ["exec"] } } })).toContain('tools.subagents.tools.denyList: unknown key "denyList"');
    expect(issuesOf({ subagents: { tools: { deny: "exec" } } })).toContain("tools.subagents.tools.deny: must be array");
    expect(issuesOf({ subagents: { tools: { allow: [""] } } })).toContain("tools.subagents.tools.allow[0]: must not be empty");
    expect(issuesOf({ subagents: { allow: ["read"] } })).toContain('tools.subagents.allow: unknown key "allow"');
  });
});
