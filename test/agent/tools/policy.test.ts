/**
 * The tool policy: profiles (upstream's lists), the default set without a profile (no writing tools),
 * groups, `*` wildcards, deny over allow, per-agent override over the defaults, and the reasons given.
 */
import { describe, expect, test } from "bun:test";
import { effectiveTools, execSettingsOf, matchEntry, PROFILE_ALLOW } from "../../../src/agent/tools/index.ts";
import { unknownPolicyEntries } from "../../../src/agent/tools/policy.ts";
import type { OpenClawConfig } from "../../../src/config/schema.ts";
import { checkConfig } from "../../../src/protocol/check.ts";

const ALL = ["sessions_list", "sessions_history", "web_fetch", "canvas", "read", "write", "edit", "apply_patch", "exec", "process", "message", "cron", "session_status"];
const tools = ALL.map((name) => ({ name, needs: name === "read" || name === "write" ? (["workspace"] as const) : ([] as const) }));

function verdicts(config: OpenClawConfig, agentId = "main", available: ("workspace" | "store")[] = ["workspace", "store"]) {
  return effectiveTools({ config, agentId, available, tools });
}
function included(config: OpenClawConfig, agentId = "main") {
  return verdicts(config, agentId).filter((v) => v.included).map((v) => v.name);
}
function reason(config: OpenClawConfig, name: string, agentId = "main") {
  return verdicts(config, agentId).find((v) => v.name === name)?.reason;
}

describe("profiles", () => {
  test("no profile: read-only tools only; nothing that writes, runs or sends", () => {
    expect(included({})).toEqual(["sessions_list", "sessions_history", "web_fetch", "canvas", "read", "session_status"]);
    expect(reason({}, "write")).toBe('not in the default tool set (no tools.profile); set tools.profile to "coding" or "full", or name it in tools.allow');
    expect(reason({}, "read")).toBe("allowed by default tool set (no tools.profile)");
  });

  test("minimal, coding, messaging, full hold upstream's lists", () => {
    expect(included({ tools: { profile: "minimal" } })).toEqual(["session_status"]);
    expect(included({ tools: { profile: "coding" } })).toEqual(["sessions_list", "sessions_history", "read", "write", "edit", "apply_patch", "exec", "process", "session_status"]);
    expect(included({ tools: { profile: "messaging" } })).toEqual(["sessions_list", "sessions_history", "message", "session_status"]);
    expect(included({ tools: { profile: "full" } })).toEqual(ALL);
    expect(PROFILE_ALLOW.coding).toEqual(["group:fs", "group:runtime", "group:sessions", "group:memory", "image"]);
    expect(reason({ tools: { profile: "messaging" } }, "write")).toBe('not in profile "messaging" (tools.profile)');
    expect(reason({ tools: { profile: "coding" } }, "write")).toBe('allowed by profile "coding" (tools.profile)');
  });

  test("alsoAllow adds to the profile; naming a tool in allow lifts it from the default set", () => {
    expect(included({ tools: { profile: "messaging", alsoAllow: ["web_fetch"] } })).toContain("web_fetch");
    expect(included({ tools: { allow: ["group:fs"] } })).toEqual(["read", "write", "edit", "apply_patch"]);
    expect(reason({ tools: { allow: ["write"] } }, "write")).toBe("allowed by named in an allow list");
    expect(reason({ tools: { allow: ["write"] } }, "read")).toBe("not in tools.allow");
  });
});

describe("allow, deny, groups and wildcards", () => {
  test("deny wins, with the entry named; groups and wildcards expand; names are case-insensitive", () => {
    expect(reason({ tools: { profile: "full", deny: ["group:runtime"] } }, "exec")).toBe('denied by tools.deny ("group:runtime")');
    expect(included({ tools: { profile: "full", deny: ["group:runtime"] } })).not.toContain("process");
    expect(included({ tools: { profile: "full", allow: ["sessions_*"] } })).toEqual(["sessions_list", "sessions_history"]);
    expect(included({ tools: { profile: "full", allow: ["*"], deny: ["*_patch", "WRITE"] } })).not.toContain("apply_patch");
    expect(included({ tools: { profile: "full", allow: ["*"], deny: ["*_patch", "WRITE"] } })).not.toContain("write");
    expect(included({ tools: { profile: "full", allow: ["group:fs"], deny: ["write"] } })).toEqual(["read", "edit", "apply_patch"]);
    expect(matchEntry(["bash"], "exec")).toBe("bash");
    expect(matchEntry(["group:ui"], "canvas")).toBe("group:ui");
    expect(matchEntry(["se*_l*t"], "sessions_list")).toBe("se*_l*t");
    expect(matchEntry(["web.fetch"], "web_fetch")).toBeUndefined();
  });

  test("tools.web.fetch.enabled: false drops web_fetch, with its key as the reason", () => {
    expect(reason({ tools: { web: { fetch: { enabled: false } } } }, "web_fetch")).toBe("tools.web.fetch.enabled is false");
  });

  test("memorySearch.enabled: false drops memory_search and memory_get; an agent's own setting wins over the defaults", () => {
    const memory = [{ name: "memory_search", needs: [] as const }, { name: "memory_get", needs: [] as const }, { name: "read", needs: [] as const }];
    const judge = (config: OpenClawConfig, agentId = "main") => effectiveTools({ config, agentId, available: [], tools: memory }).map((v) => [v.name, v.included, v.reason]);
    const full = { profile: "full" as const };
    expect(judge({ tools: full }).map(([, on]) => on)).toEqual([true, true, true]);
    expect(judge({ tools: full, agents: { defaults: { memorySearch: { enabled: false } } } })).toEqual([
      ["memory_search", false, "agents.defaults.memorySearch.enabled is false"],
      ["memory_get", false, "agents.defaults.memorySearch.enabled is false"],
      ["read", true, 'allowed by profile "full" (tools.profile)'],
    ]);
    const perAgent: OpenClawConfig = { tools: full, agents: { defaults: { memorySearch: { enabled: false } }, list: [{ id: "main" }, { id: "notes", memorySearch: { enabled: true } }, { id: "quiet", memorySearch: { enabled: false } }] } };
    expect(judge(perAgent, "notes").map(([, on]) => on)).toEqual([true, true, true]);
    expect(judge(perAgent, "main")[0]).toEqual(["memory_search", false, "agents.defaults.memorySearch.enabled is false"]);
    expect(judge({ tools: full, agents: { list: [{ id: "quiet", memorySearch: { enabled: false } }] } }, "quiet")[1]).toEqual(["memory_get", false, "agents.list[0].memorySearch.enabled is false"]);
  });

  test("missing ports: not offered, whatever the policy says", () => {
    const v = verdicts({ tools: { profile: "full" } }, "main", []);
    expect(v.find((x) => x.name === "write")).toEqual({ name: "write", included: false, reason: "needs workspace, not available here" });
  });
});

describe("per agent", () => {
  const config: OpenClawConfig = {
    tools: { profile: "coding", deny: ["exec"] },
    agents: { list: [{ id: "main" }, { id: "support", tools: { profile: "messaging" } }, { id: "dev", tools: { deny: ["write"], allow: ["group:fs", "process"] } }] },
  };
  test("the agent's profile replaces the default's; global and agent lists both apply", () => {
    expect(included(config, "main")).toEqual(["sessions_list", "sessions_history", "read", "write", "edit", "apply_patch", "process", "session_status"]);
    expect(included(config, "support")).toEqual(["sessions_list", "sessions_history", "message", "session_status"]);
    expect(reason(config, "write", "support")).toBe('not in profile "messaging" (agents.list[1].tools.profile)');
    expect(included(config, "dev")).toEqual(["read", "edit", "apply_patch", "process"]);
    expect(reason(config, "write", "dev")).toBe('denied by agents.list[2].tools.deny ("write")');
    expect(reason(config, "sessions_list", "dev")).toBe("not in agents.list[2].tools.allow");
    // The global deny still holds for an agent that allows it.
    expect(reason({ ...config, agents: { list: [{ id: "x", tools: { allow: ["exec"] } }] } }, "exec", "x")).toBe('denied by tools.deny ("exec")');
  });
});

describe("config schema", () => {
  test("profiles and lists are typed; a bad value is an error on its path; upstream keys still load", () => {
    expect(checkConfig({ tools: { profile: "coding", allow: ["group:fs"], deny: ["exec"], alsoAllow: ["x"], fs: { allowOutside: ["/srv/notes"] }, web: { fetch: { enabled: true, maxChars: 100, timeoutSeconds: 0.5, firecrawl: {} } }, exec: { host: "gateway" } } }).ok).toBe(true);
    expect(checkConfig({ agents: { list: [{ id: "a", tools: { profile: "messaging", deny: ["write"] } }] } }).ok).toBe(true);
    const bad = checkConfig({ tools: { profile: "everything" } });
    expect(bad.ok).toBe(false);
    expect(bad).toEqual({ ok: false, issues: [{ path: "tools.profile", message: "must be one of: minimal, coding, messaging, full" }] });
    expect(checkConfig({ tools: { allow: "write" } }).ok).toBe(false);
    expect(checkConfig({ tools: { fs: { allowOutside: ["/x"], other: 1 } } }).ok).toBe(false);
    expect(checkConfig({ agents: { list: [{ id: "a", tools: { profile: "root" } }] } }).ok).toBe(false);
  });

  test("tools.exec is typed, also per agent; upstream exec keys still load", () => {
    const exec = { host: "sandbox", node: "n1", timeoutSec: 60, yieldMs: 0, backgroundMs: 5000, safeBins: ["jq"], sandbox: { network: true, memoryLimitMb: 512 }, security: "allowlist", ask: "on-miss", pathPrepend: ["/opt/bin"] };
    expect(checkConfig({ tools: { exec } }).ok).toBe(true);
    expect(checkConfig({ agents: { list: [{ id: "a", tools: { exec: { timeoutSec: 5 } } }] } }).ok).toBe(true);
    const issues = (cfg: unknown) => (checkConfig(cfg) as { issues?: { path: string }[] }).issues?.map((i) => i.path);
    expect(issues({ tools: { exec: { host: "docker" } } })).toEqual(["tools.exec.host"]);
    expect(issues({ tools: { exec: { timeoutSec: 0 } } })).toEqual(["tools.exec.timeoutSec"]);
    expect(issues({ tools: { exec: { yieldMs: 1.5 } } })).toEqual(["tools.exec.yieldMs"]);
    expect(issues({ tools: { exec: { safeBins: "jq" } } })).toEqual(["tools.exec.safeBins"]);
    expect(issues({ tools: { exec: { sandbox: { network: "yes" } } } })).toEqual(["tools.exec.sandbox.network"]);
    expect(issues({ tools: { exec: { sandbox: { memoryLimitMb: -1 } } } })).toEqual(["tools.exec.sandbox.memoryLimitMb"]);
    expect(issues({ tools: { exec: { sandbox: { docker: {} } } } })?.[0]).toStartWith("tools.exec.sandbox");
    expect(issues({ agents: { list: [{ id: "a", tools: { exec: { host: "ssh" } } }] } })).toEqual(["agents.list[0].tools.exec.host"]);
  });

  test("execSettingsOf: the agent's keys over the defaults, upstream backgroundMs as yieldMs, issue defaults otherwise", () => {
    expect(execSettingsOf({}, "main")).toEqual({ timeoutMs: 1_800_000, yieldMs: 10_000, sandbox: { network: false } });
    const config = { tools: { exec: { host: "gateway", timeoutSec: 60, backgroundMs: 500, sandbox: { network: true, memoryLimitMb: 256 } } }, agents: { list: [{ id: "a", tools: { exec: { host: "sandbox", yieldMs: 0, sandbox: { network: false } } } }] } } as never;
    expect(execSettingsOf(config, "main")).toEqual({ host: "gateway", timeoutMs: 60_000, yieldMs: 500, sandbox: { network: true, memoryLimitMb: 256 } });
    expect(execSettingsOf(config, "a")).toEqual({ host: "sandbox", timeoutMs: 60_000, yieldMs: 0, sandbox: { network: false, memoryLimitMb: 256 } });
  });

  test("entries that name no tool are reported", () => {
    expect(unknownPolicyEntries([["group:fs", "wirte", "sessions_*"], ["exec"]], ["read", "write"])).toEqual(["wirte"]);
  });
});
