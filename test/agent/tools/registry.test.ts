/**
 * The tool platform: argument validation before execute (errors name the field, never crash), output caps
 * with a truncation marker and previews, needs filtering, text + image results, the run context a tool
 * gets, and the model-facing schemas of the four original tools (unchanged by the move).
 */
import { describe, expect, test } from "bun:test";
import { Type as T } from "@sinclair/typebox";
import { bindTool, buildTools, capOutput, defineTool, explainTools, ToolArgumentsError } from "../../../src/agent/tools/index.ts";
import { ProcessRegistry } from "../../../src/agent/exec/index.ts";
import { createMemoryStore } from "../../../src/store/index.ts";

const run = { config: {}, agentId: "main", sessionKey: "agent:main:main", runId: "r1", workspace: "/tmp/ws", origin: { channel: "telegram", chat: "123", sender: "42", senderIsOwner: true } };
const signal = new AbortController().signal;

const echo = defineTool({
  name: "echo",
  description: "Echo.",
  needs: [],
  parameters: T.Object({ text: T.String(), times: T.Optional(T.Integer({ minimum: 1 })), mode: T.Optional(T.Unsafe<string>({ type: "string", enum: ["a", "b"] })) }, { additionalProperties: false }),
  async execute({ text, times }) {
    return text.repeat(times ?? 1);
  },
});

describe("validation", () => {
  test("bad calls are rejected before execute with the field named; good calls run", async () => {
    let ran = 0;
    const tool = bindTool(
      defineTool({ ...echo, async execute(p) { ran++; return p.text; } }),
      run,
      {},
    );
    const cases: [Record<string, unknown>, string][] = [
      [{}, 'missing required field "text"'],
      [{ text: 5 }, '"text" must be a string'],
      [{ text: "x", times: 1.5 }, '"times" must be an integer'],
      [{ text: "x", times: 0 }, '"times" must be >= 1'],
      [{ text: "x", extra: true }, 'unknown field "extra"'],
      [{ text: "x", mode: "c" }, 'unknown mode "c" (use a, b)'],
    ];
    for (const [args, msg] of cases) {
      const err = await tool.run(args, { signal }).catch((e) => e);
      expect({ args, err: err instanceof ToolArgumentsError, message: String(err.message) }).toEqual({ args, err: true, message: expect.stringContaining(msg) });
      expect(err.message.startsWith("invalid arguments for echo: ")).toBe(true);
    }
    expect(ran).toBe(0);
    expect((await tool.run({ text: "ok" }, { signal })).text).toBe("ok");
    expect(ran).toBe(1);
  });

  test("a throwing tool rejects (the model gets the message); an aborted signal stops before execute", async () => {
    const boom = bindTool(defineTool({ ...echo, async execute() { throw new Error("disk on fire"); } }), run, {});
    await expect(boom.run({ text: "x" }, { signal })).rejects.toThrow("disk on fire");
    const ac = new AbortController();
    ac.abort();
    await expect(bindTool(echo, run, {}).run({ text: "x" }, { signal: ac.signal })).rejects.toThrow("aborted");
  });
});

describe("caps", () => {
  test("long text is cut with a marker; the preview is short", async () => {
    const tool = bindTool(defineTool({ ...echo, caps: { maxChars: 10, previewChars: 4 } }), run, {});
    const out = await tool.run({ text: "abcdefghijklmnop" }, { signal });
    expect(out.truncated).toBe(true);
    expect(out.text).toBe("abcdefghij\n\n[output truncated: 10 of 16 characters shown]");
    expect(out.preview).toBe("abcd…");
    const short = await tool.run({ text: "abc" }, { signal });
    expect(short).toEqual({ text: "abc", truncated: false, preview: "abc" });
    expect(capOutput({ text: "x".repeat(70_000) }, 60_000).text).toContain("[output truncated: 60000 of 70000 characters shown]");
  });
});

describe("results and context", () => {
  test("text + images come back whole from run; execute gives text with an image note", async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47]).toString("base64");
    const tool = bindTool(
      defineTool({ name: "shot", description: "", needs: [], parameters: T.Object({}), async execute() { return { text: "a screenshot", images: [{ type: "image" as const, data: png, mimeType: "image/png" }] }; } }),
      run,
      {},
    );
    const out = await tool.run({}, { signal });
    expect(out.images).toEqual([{ type: "image", data: png, mimeType: "image/png" }]);
    expect(await tool.execute({}, { signal })).toBe("a screenshot\n[image image/png, 4 bytes]");
  });

  test("execute gets the run context, its ports only, the call id and the signal", async () => {
    let seen: any;
    const store = createMemoryStore();
    const tool = bindTool(
      defineTool({ name: "ctx", description: "", needs: ["store"], parameters: T.Object({}), async execute(_p, ctx) { seen = ctx; return "ok"; } }),
      run,
      { store, nodes: { list: () => [], invoke: async () => ({}) } },
    );
    const ac = new AbortController();
    await tool.run({}, { signal: ac.signal, toolCallId: "call_9" });
    expect(seen).toMatchObject({ runId: "r1", agentId: "main", sessionKey: "agent:main:main", workspace: "/tmp/ws", origin: { channel: "telegram", chat: "123", sender: "42", senderIsOwner: true }, toolCallId: "call_9" });
    expect(seen.signal).toBe(ac.signal);
    expect(Object.keys(seen.ports)).toEqual(["store"]);
    expect(() => bindTool(defineTool({ name: "n", description: "", needs: ["nodes"], parameters: T.Object({}), async execute() { return ""; } }), run, {})).toThrow("tool n needs nodes");
  });
});

describe("the registry", () => {
  const tools = (extra: Record<string, unknown> = {}, config: Record<string, unknown> = {}) =>
    buildTools({ config, store: createMemoryStore(), agentId: "main", sessionKey: "agent:main:main", ...extra }).map((t) => t.name);

  test("tools whose ports are missing are not offered", () => {
    const base = ["session_status", "agents_list"];
    expect(tools()).toEqual(["sessions_list", "sessions_history", "web_search", "web_fetch", ...base]);
    expect(tools({ nodes: { list: () => [], invoke: async () => ({}) } })).toEqual(["sessions_list", "sessions_history", "web_search", "web_fetch", "canvas", ...base]);
    expect(tools({ workspace: "/tmp/x" })).toEqual(["sessions_list", "sessions_history", "web_search", "web_fetch", "read", ...base]);
    // coding holds group:sessions (session_status) but not agents_list, as upstream's profile.
    expect(tools({ workspace: "/tmp/x" }, { tools: { profile: "coding" } })).toEqual(["sessions_list", "sessions_history", "read", "write", "edit", "apply_patch", "session_status"]);
    // The host ports bring message, cron and the session run tools.
    const ports = { channels: { configured: () => [], canonicalTarget: (_c: string, t: string) => t, send: async () => ({ channel: "telegram", to: "1" }) }, cron: {} as never, agentRuns: { start: () => ({ runId: "r", done: new Promise(() => {}) }), spawned: () => [] } };
    expect(tools({ ports }, { tools: { profile: "full" } })).toEqual(["sessions_list", "sessions_history", "web_search", "web_fetch", "message", "cron", "sessions_send", "sessions_spawn", "session_status", "agents_list"]);
    expect(tools({ ports }, { tools: { profile: "messaging" } })).toEqual(["sessions_list", "sessions_history", "message", "sessions_send", "session_status"]);
    expect(tools({ ports })).toEqual(["sessions_list", "sessions_history", "web_search", "web_fetch", ...base]);
  });

  test("http flags: only the read-only originals are HTTP-invokable; file tools are not", () => {
    const all = buildTools({ config: { tools: { profile: "full" } }, store: createMemoryStore(), agentId: "main", sessionKey: "s", workspace: "/tmp/x", nodes: { list: () => [], invoke: async () => ({}) } });
    expect(Object.fromEntries(all.map((t) => [t.name, t.http]))).toEqual({ sessions_list: true, sessions_history: true, web_search: true, web_fetch: true, canvas: true, nodes: false, read: false, write: false, edit: false, apply_patch: false, session_status: false, agents_list: false });
  });

  test("the original four keep their model-facing schemas", () => {
    const all = buildTools({ config: {}, store: createMemoryStore(), agentId: "main", sessionKey: "s", nodes: { list: () => [], invoke: async () => ({}) } });
    const by = Object.fromEntries(all.map((t) => [t.name, JSON.parse(JSON.stringify(t.parameters))]));
    expect(by.sessions_list).toEqual({
      type: "object",
      properties: { limit: { type: "integer", description: "At most this many (default 20, max 100)." }, activeMinutes: { type: "integer", description: "Only sessions active within this many minutes." } },
      additionalProperties: false,
    });
    expect(by.sessions_history).toEqual({
      type: "object",
      properties: { sessionKey: { type: "string", description: "Session key from sessions_list." }, limit: { type: "integer", description: "Number of messages (default 20, max 100)." } },
      required: ["sessionKey"],
      additionalProperties: false,
    });
    expect(by.web_fetch).toEqual({
      type: "object",
      properties: { url: { type: "string", description: "Absolute http or https URL." }, maxChars: { type: "integer", description: "Cut the text at this many characters (max 50000)." } },
      required: ["url"],
      additionalProperties: false,
    });
    expect(by.canvas.properties.action).toEqual({ type: "string", enum: ["present", "hide", "navigate", "a2ui_push", "a2ui_reset"], description: "What to do." });
    expect(by.canvas.properties.messages).toEqual({ type: "array", items: { type: "object" }, description: "a2ui_push: A2UI v0.8 message objects (instead of jsonl)." });
    expect(by.canvas.required).toEqual(["action"]);
    expect(by.canvas.additionalProperties).toBe(false);
  });

  test("explainTools lists every registered tool with its verdict, reason, group, http flag and ports", () => {
    const v = explainTools({ config: { agents: { list: [{ id: "main", tools: { profile: "coding", deny: ["edit"] } }] } }, store: createMemoryStore(), agentId: "main", sessionKey: "s", workspace: "/tmp/x" });
    const coding = 'allowed by profile "coding" (agents.list[0].tools.profile)';
    expect(v).toEqual([
      { name: "sessions_list", group: "sessions", included: true, reason: coding, http: true, needs: ["store"] },
      { name: "sessions_history", group: "sessions", included: true, reason: coding, http: true, needs: ["store"] },
      { name: "web_search", group: "web", included: false, reason: 'not in profile "coding" (agents.list[0].tools.profile)', http: true, needs: [] },
      { name: "web_fetch", group: "web", included: false, reason: 'not in profile "coding" (agents.list[0].tools.profile)', http: true, needs: [] },
      { name: "canvas", group: "ui", included: false, reason: "needs nodes, not available here", http: true, needs: ["nodes"] },
      { name: "browser", group: "ui", included: false, reason: "needs browser, not available here", http: false, needs: ["browser"] },
      { name: "image", included: false, reason: "needs vision, not available here", http: false, needs: ["vision"] },
      { name: "nodes", group: "nodes", included: false, reason: "needs nodes, not available here", http: false, needs: ["nodes"] },
      { name: "read", group: "fs", included: true, reason: coding, http: false, needs: ["workspace"] },
      { name: "write", group: "fs", included: true, reason: coding, http: false, needs: ["workspace"] },
      { name: "edit", group: "fs", included: false, reason: 'denied by agents.list[0].tools.deny ("edit")', http: false, needs: ["workspace"] },
      { name: "apply_patch", group: "fs", included: true, reason: coding, http: false, needs: ["workspace"] },
      { name: "exec", group: "runtime", included: false, reason: "needs exec, not available here", http: false, needs: ["exec", "workspace"] },
      { name: "process", group: "runtime", included: false, reason: "needs exec, not available here", http: false, needs: ["exec"] },
      { name: "message", group: "messaging", included: false, reason: "needs channels, not available here", http: false, needs: ["channels"] },
      { name: "cron", group: "automation", included: false, reason: "needs cron, not available here", http: false, needs: ["cron"] },
      { name: "sessions_send", group: "sessions", included: false, reason: "needs agentRuns, not available here", http: false, needs: ["store", "agentRuns"] },
      { name: "sessions_spawn", group: "sessions", included: false, reason: "needs agentRuns, not available here", http: false, needs: ["store", "agentRuns"] },
      { name: "session_status", group: "sessions", included: true, reason: coding, http: false, needs: ["store"] },
      { name: "agents_list", group: "sessions", included: false, reason: 'not in profile "coding" (agents.list[0].tools.profile)', http: false, needs: [] },
    ]);
  });

  test("exec and process: offered only with the exec port and a profile holding group:runtime; never over HTTP", () => {
    const exec = { processes: new ProcessRegistry() };
    const names = (config: Record<string, unknown>, ports: Record<string, unknown> = { exec }) =>
      buildTools({ config, store: createMemoryStore(), agentId: "main", sessionKey: "s", workspace: "/tmp/x", ports }).map((t) => t.name);
    expect(names({})).not.toContain("exec");
    expect(names({ tools: { profile: "minimal" } })).not.toContain("exec");
    expect(names({ tools: { profile: "messaging" } })).not.toContain("process");
    expect(names({ tools: { profile: "coding" } })).toEqual(expect.arrayContaining(["exec", "process"]));
    expect(names({ tools: { profile: "full" } })).toEqual(expect.arrayContaining(["exec", "process"]));
    expect(names({ tools: { alsoAllow: ["group:runtime"] } })).toEqual(expect.arrayContaining(["exec", "process"]));
    expect(names({ tools: { profile: "coding", deny: ["group:runtime"] } })).not.toContain("exec");
    expect(names({ tools: { profile: "full" } }, {})).not.toContain("exec");
    const bound = buildTools({ config: { tools: { profile: "full" } }, store: createMemoryStore(), agentId: "main", sessionKey: "s", workspace: "/tmp/x", ports: { exec } });
    expect(bound.filter((t) => t.group === "runtime").map((t) => [t.name, t.http])).toEqual([["exec", false], ["process", false]]);
  });
});
