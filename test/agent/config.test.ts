/**
 * Pure agent config logic: session keys and aliases, reset rules, model refs/fallbacks/keys, workspace and
 * system prompt, and the lanes' ordering.
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Lanes } from "../../src/agent/lanes.ts";
import { modelChain, resolveModel } from "../../src/agent/models.ts";
import { canonicalSessionKey, resolveSession, sessionKind } from "../../src/agent/session-keys.ts";
import { isSessionStale, lastDailyBoundary, parseResetCommand, resetPolicyOf } from "../../src/agent/session-reset.ts";
import { buildSystemPrompt, loadBootstrapFiles, resolveWorkspace } from "../../src/agent/workspace.ts";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { createMemoryStore } from "../../src/store/index.ts";

describe("session keys", () => {
  const cfg: OpenClawConfig = { agents: { list: [{ id: "dev", default: true }, { id: "ops" }] } };
  test("aliases resolve against the default agent", () => {
    expect(canonicalSessionKey(cfg, "main")).toBe("agent:dev:main");
    expect(canonicalSessionKey({ session: { mainKey: "home" } }, "main")).toBe("agent:main:home");
    expect(canonicalSessionKey(cfg, "work")).toBe("agent:dev:work");
    expect(canonicalSessionKey(cfg, "agent:ops:x")).toBe("agent:ops:x");
    expect(canonicalSessionKey(cfg, "hook:abc")).toBe("hook:abc");
  });
  test("resolution order: key > session id > to (dmScope) > agent main", () => {
    const store = createMemoryStore();
    store.setSession("agent:dev:old", { sessionId: "sid-1", updatedAt: 1 });
    expect(resolveSession(cfg, { sessionKey: "agent:ops:main", agentId: "dev" }).key).toBe("agent:ops:main");
    expect(resolveSession(cfg, { sessionId: "sid-1" }, store)).toEqual({ key: "agent:dev:old", agentId: "dev" });
    expect(resolveSession(cfg, { sessionId: "sid-new" }, store)).toEqual({ key: "agent:dev:explicit:sid-new", agentId: "dev", requestedSessionId: "sid-new" });
    expect(resolveSession(cfg, { to: "+15551234567" }).key).toBe("agent:dev:main");
    expect(resolveSession({ ...cfg, session: { dmScope: "per-peer" } }, { to: "+15551234567" }).key).toBe("agent:dev:dm:+15551234567");
    expect(resolveSession({ ...cfg, session: { dmScope: "per-channel-peer" } }, { to: "42", channel: "telegram" }).key).toBe("agent:dev:telegram:dm:42");
    expect(resolveSession(cfg, { agentId: "ops" }).key).toBe("agent:ops:main");
    expect(() => resolveSession(cfg, { agentId: "ghost" })).toThrow('unknown agent id "ghost"');
    expect(sessionKind("agent:dev:whatsapp:group:1")).toBe("group");
    expect(sessionKind("agent:dev:main")).toBe("direct");
  });
});

describe("session reset", () => {
  test("daily at 04:00 local by default, idle window, off", () => {
    const at = (h: number, d = 10) => new Date(2026, 0, d, h, 0, 0).getTime();
    const daily = resetPolicyOf({});
    expect(daily).toEqual({ mode: "daily", atHour: 4, idleMinutes: 0 });
    expect(lastDailyBoundary(at(3), 4)).toBe(at(4, 9));
    expect(lastDailyBoundary(at(5), 4)).toBe(at(4));
    expect(isSessionStale({ updatedAt: at(3) }, at(5), daily)).toBe(true);
    expect(isSessionStale({ updatedAt: at(4) }, at(23), daily)).toBe(false);
    const idle = resetPolicyOf({ session: { reset: { mode: "idle", idleMinutes: 30 } } });
    expect(isSessionStale({ updatedAt: at(3) }, at(3) + 29 * 60_000, idle)).toBe(false);
    expect(isSessionStale({ updatedAt: at(3) }, at(3) + 31 * 60_000, idle)).toBe(true);
    expect(isSessionStale({ updatedAt: 0 }, Date.now(), resetPolicyOf({ session: { reset: { mode: "off" } } }))).toBe(false);
    expect(resetPolicyOf({ session: { reset: { atHour: 7 } } }).atHour).toBe(7);
  });
  test("/new and /reset", () => {
    expect(parseResetCommand("/new")).toEqual({ reset: true, rest: "" });
    expect(parseResetCommand("  /RESET  hello\nthere")).toEqual({ reset: true, rest: "hello\nthere" });
    expect(parseResetCommand("/newer")).toEqual({ reset: false, rest: "/newer" });
    expect(parseResetCommand("say /new")).toEqual({ reset: false, rest: "say /new" });
  });
});

describe("models", () => {
  const cfg: OpenClawConfig = {
    models: { providers: { local: { baseUrl: "http://127.0.0.1:1/v1/", apiKey: "k", api: "openai-completions", models: [{ id: "m", contextWindow: 100, maxTokens: 10 }] }, weird: { baseUrl: "http://x", apiKey: "k", api: "google-generative-ai" } } },
    agents: { defaults: { model: { primary: "local/m", fallbacks: ["openai/gpt-x", "local/m"] } }, list: [{ id: "a", model: "anthropic/claude" }, { id: "b", model: { fallbacks: ["local/m"] } }] },
  };
  test("chain: override > agent > defaults; fallbacks deduped", () => {
    expect(modelChain(cfg, "main")).toEqual(["local/m", "openai/gpt-x"]);
    expect(modelChain(cfg, "a")).toEqual(["anthropic/claude", "openai/gpt-x", "local/m"]);
    expect(modelChain(cfg, "b")).toEqual(["local/m"]);
    expect(modelChain(cfg, "main", "openai/o")).toEqual(["openai/o", "openai/gpt-x", "local/m"]);
    expect(modelChain({}, "main")).toEqual(["anthropic/claude-opus-4-5"]);
  });
  test("resolution: config key > env; clear errors", () => {
    expect(resolveModel(cfg, "local/m", {})).toMatchObject({ api: "openai-completions", baseUrl: "http://127.0.0.1:1/v1", apiKey: "k", contextWindow: 100, maxTokens: 10 });
    expect(resolveModel(cfg, "openai/gpt-x", { OPENAI_API_KEY: "sk-o" })).toMatchObject({ api: "openai-responses", baseUrl: "https://api.openai.com/v1", apiKey: "sk-o" });
    expect(resolveModel(cfg, "anthropic/claude", { ANTHROPIC_API_KEY: "sk-a" })).toMatchObject({ api: "anthropic-messages", apiKey: "sk-a" });
    expect(() => resolveModel(cfg, "openai/gpt-x", {})).toThrow('No API key found for provider "openai". Set OPENAI_API_KEY');
    expect(() => resolveModel(cfg, "anthropic/claude", { ANTHROPIC_API_KEY: " " })).toThrow('No API key found for provider "anthropic"');
    expect(() => resolveModel(cfg, "nowhere/x", {})).toThrow('Unknown model provider "nowhere"');
    expect(() => resolveModel(cfg, "weird/x", {})).toThrow('uses api "google-generative-ai"');
    expect(() => resolveModel(cfg, "noslash", {})).toThrow("expected provider/model");
    expect(() => resolveModel({ models: { mode: "replace", providers: { local: {} } } }, "openai/x", { OPENAI_API_KEY: "k" })).toThrow("Unknown model provider");
  });
});

describe("workspace", () => {
  test("paths: agent > defaults > ~/.openclaw/workspace[-<agent>]", () => {
    const env = { HOME: "/home/u" };
    expect(resolveWorkspace({}, "main", true, env)).toBe("/home/u/.openclaw/workspace");
    expect(resolveWorkspace({}, "ops", false, env)).toBe("/home/u/.openclaw/workspace-ops");
    expect(resolveWorkspace({ agents: { defaults: { workspace: "~/ws" } } }, "main", true, env)).toBe("/home/u/ws");
    expect(resolveWorkspace({ agents: { defaults: { workspace: "~/ws" }, list: [{ id: "ops", workspace: "/srv/ops" }] } }, "ops", false, env)).toBe("/srv/ops");
  });
  test("bootstrap files capped at 20 000 chars; prompt carries time, channel, missing files", () => {
    const dir = mkdtempSync(join(tmpdir(), "openclaw-wsp-"));
    writeFileSync(join(dir, "USER.md"), "The user is Ada.");
    writeFileSync(join(dir, "TOOLS.md"), "t".repeat(30_000));
    writeFileSync(join(dir, "HEARTBEAT.md"), "beat");
    const files = loadBootstrapFiles(dir);
    expect(files.map((f) => f.name)).toEqual(["AGENTS.md", "SOUL.md", "TOOLS.md", "IDENTITY.md", "USER.md", "HEARTBEAT.md"]);
    const tools = files.find((f) => f.name === "TOOLS.md");
    expect(tools?.truncated).toBe(true);
    expect(tools?.content?.length).toBeLessThanOrEqual(20_100);
    const prompt = buildSystemPrompt({ agentId: "main", agentName: "Clawd", workspace: dir, files, sessionKey: "agent:main:main", channel: "webchat", toolNames: ["web_fetch"], now: new Date(Date.UTC(2026, 0, 2, 3, 4)) });
    expect(prompt).toContain("You are Clawd");
    expect(prompt).toContain("## USER.md\n\nThe user is Ada.");
    expect(prompt).toContain("Missing workspace files: AGENTS.md, SOUL.md, IDENTITY.md");
    expect(prompt).toContain("UTC 2026-01-02T03:04:00.000Z");
    expect(prompt).toContain("channel: webchat");
    expect(prompt).toContain("Available tools: web_fetch");
    expect(prompt).not.toContain("## Memory");
    expect(prompt).not.toContain("MEMORY.md");
  });

  test("the memory section appears only with the memory tools, and names write/edit only when the run has them", () => {
    const prompt = (toolNames: string[]) => buildSystemPrompt({ agentId: "main", workspace: "/ws", files: [], sessionKey: "agent:main:main", channel: "webchat", toolNames, now: new Date(0) });
    expect(prompt(["read", "write", "edit"])).not.toContain("## Memory");
    const readOnly = prompt(["read", "memory_search", "memory_get"]);
    expect(readOnly).toContain("## Memory");
    expect(readOnly).toContain("run memory_search and read the lines you need with memory_get");
    expect(readOnly).not.toContain("write it down");
    const coding = prompt(["read", "write", "edit", "memory_search", "memory_get"]);
    expect(coding).toContain("write it down with write/edit: durable facts to MEMORY.md, day notes to memory/YYYY-MM-DD.md");
    expect(prompt(["memory_get", "edit"])).toContain("write it down with edit:");
    expect(prompt(["memory_get", "edit"])).not.toContain("run memory_search");
  });
});

describe("lanes", () => {
  test("one session runs in order, others run beside it up to the cap", async () => {
    const lanes = new Lanes(() => 2);
    const log: string[] = [];
    let running = 0;
    let peak = 0;
    const task = (name: string, ms: number) => async () => {
      running += 1;
      peak = Math.max(peak, running);
      log.push(`start ${name}`);
      await Bun.sleep(ms);
      log.push(`end ${name}`);
      running -= 1;
      return name;
    };
    const results = await Promise.all([lanes.run("a", task("a1", 30)), lanes.run("a", task("a2", 5)), lanes.run("b", task("b1", 5)), lanes.run("c", task("c1", 5)), lanes.run("a", task("a3", 1))]);
    expect(results).toEqual(["a1", "a2", "b1", "c1", "a3"]);
    expect(peak).toBe(2);
    const order = log.filter((l) => l.includes(" a"));
    expect(order).toEqual(["start a1", "end a1", "start a2", "end a2", "start a3", "end a3"]);
    await expect(lanes.run("a", async () => Promise.reject(new Error("x")))).rejects.toThrow("x");
    expect(await lanes.run("a", async () => "after failure")).toBe("after failure");
    expect(lanes.active).toBe(0);
    expect(lanes.pending).toBe(0);
  });
});
