/**
 * The file tools through the agent runtime, with the fake OpenAI-compatible provider streaming real
 * `tool_calls`: the model writes then reads a file and the workspace changes; a bad call and a symlink
 * escape come back to the model as tool errors; an image file reaches the model; without a profile the
 * model is not offered the writing tools at all.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AgentRuntime, type RunRequest } from "../../src/agent/index.ts";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { Logger } from "../../src/logging/logger.ts";
import { createMemoryStore } from "../../src/store/index.ts";
import { type FakeProvider, startFakeProvider } from "../helpers/fake-provider.ts";

let fake: FakeProvider;
let base: string;
let ws: string;
beforeAll(() => {
  fake = startFakeProvider();
  base = realpathSync(mkdtempSync(join(tmpdir(), "openclaw-tools-run-")));
  ws = join(base, "ws");
  mkdirSync(join(base, "outside"), { recursive: true });
  mkdirSync(ws);
  writeFileSync(join(base, "outside", "id_rsa"), "PRIVATE KEY");
  symlinkSync(join(base, "outside"), join(ws, "link"));
});
afterAll(() => {
  fake.stop();
  rmSync(base, { recursive: true, force: true });
});

function setup(tools: Record<string, unknown> | undefined, primary = "local/m1") {
  const cfg = {
    models: {
      providers: {
        local: { baseUrl: fake.openaiBaseUrl, apiKey: "sk-local", api: "openai-completions", models: [{ id: "m1", contextWindow: 32000 }] },
        claude: { baseUrl: fake.anthropicBaseUrl, apiKey: "sk-ant", api: "anthropic-messages", models: [{ id: "c1", maxTokens: 1000 }] },
      },
    },
    agents: { defaults: { workspace: ws, model: { primary } } },
    ...(tools && { tools }),
  } as OpenClawConfig;
  const events: { event: string; payload: any }[] = [];
  const store = createMemoryStore();
  const runtime = new AgentRuntime({ store, config: () => cfg, emit: (event, payload) => events.push({ event, payload }), logger: new Logger("test", { write: () => {} }), env: {}, chatThrottleMs: 0 });
  return { runtime, events, store };
}

let n = 0;
async function runTurn(runtime: AgentRuntime, sessionKey: string) {
  const req: RunRequest = { runId: `tools-${++n}`, kind: "agent", sessionKey, agentId: "main", message: "please", timeoutMs: 30_000, channel: "test" };
  const r = runtime.submit(req);
  if (r.status !== "accepted") throw new Error(r.status);
  return r.done;
}

/** The tool messages the model was sent back, by call id. */
function toolMessages(): Record<string, any> {
  const last = fake.requests.at(-1)?.body.messages ?? [];
  return Object.fromEntries(last.filter((m: any) => m.role === "tool").map((m: any) => [m.tool_call_id, m.content]));
}

describe("file tools in a run", () => {
  test("the model writes, then reads a file; the workspace changes and the result reaches the model", async () => {
    const { runtime, events, store } = setup({ profile: "coding" });
    fake.push(
      { toolCalls: [{ id: "w1", name: "write", args: { path: "notes/todo.md", content: "buy milk\nbuy eggs\n" } }] },
      { toolCalls: [{ id: "r1", name: "read", args: { path: "notes/todo.md" } }] },
      { text: "Your list has two items." },
    );
    const final = await runTurn(runtime, "agent:main:files");
    expect(final.ok).toBe(true);
    expect(readFileSync(join(ws, "notes/todo.md"), "utf8")).toBe("buy milk\nbuy eggs\n");
    const offered = fake.requests.at(-1)?.body.tools.map((t: any) => t.function.name);
    expect(offered).toEqual(expect.arrayContaining(["read", "write", "edit", "apply_patch"]));
    expect(toolMessages()).toMatchObject({ w1: "Wrote 18 bytes to notes/todo.md", r1: "1\tbuy milk\n2\tbuy eggs" });
    const tool = events.filter((e) => e.event === "agent" && e.payload.stream === "tool").map((e) => e.payload.data);
    expect(tool.map((d) => `${d.phase}:${d.name}`)).toEqual(["start:write", "result:write", "start:read", "result:read"]);
    expect(tool[3]).toMatchObject({ isError: false, preview: "1\tbuy milk\n2\tbuy eggs" });
    const msgs = store.readMessages(store.getSession("agent:main:files")?.sessionId as string);
    expect(msgs.filter((m) => m.role === "toolResult").map((m) => (m as any).toolName)).toEqual(["write", "read"]);
  });

  test("a bad call and a symlink escape come back as tool errors; the run goes on", async () => {
    const { runtime } = setup({ profile: "coding" });
    fake.push(
      { toolCalls: [{ id: "b1", name: "write", args: { path: "x.txt" } }, { id: "b2", name: "read", args: { path: "link/id_rsa" } }, { id: "b3", name: "edit", args: { path: "notes/todo.md", oldText: "buy", newText: "get" } }] },
      { text: "Sorry." },
    );
    const final = await runTurn(runtime, "agent:main:errors");
    expect(final.ok).toBe(true);
    const back = toolMessages();
    expect(back.b1).toContain('invalid arguments for write: missing required field "content"');
    expect(back.b2).toContain("link/id_rsa: resolves outside the workspace");
    expect(back.b2).not.toContain("PRIVATE KEY");
    expect(back.b3).toContain("oldText occurs 2 times");
    expect(readFileSync(join(ws, "notes/todo.md"), "utf8")).toBe("buy milk\nbuy eggs\n");
  });

  test("an image file read by the model is sent to it as an image", async () => {
    const { runtime } = setup({ profile: "coding" });
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(16, 7)]);
    writeFileSync(join(ws, "chart.png"), png);
    fake.push({ toolCalls: [{ id: "i1", name: "read", args: { path: "chart.png" } }] }, { text: "A chart." });
    const final = await runTurn(runtime, "agent:main:image");
    expect(final.ok).toBe(true);
    // Chat-completions tool messages take text only: the image follows in a user message, once.
    const [call, tool, user] = fake.requests.at(-1)!.body.messages.slice(-3);
    expect(call.tool_calls[0].function.name).toBe("read");
    expect(tool).toEqual({ role: "tool", tool_call_id: "i1", content: "chart.png: image/png image, 24 bytes\n[1 image attached in the next message]" });
    expect(user.role).toBe("user");
    expect(JSON.stringify(user.content)).toContain(`data:image/png;base64,${png.toString("base64")}`);
    expect(JSON.stringify(fake.requests.at(-1)?.body.messages).split(png.toString("base64")).length).toBe(2);
    // The next turn replays the stored result the same way.
    fake.push({ text: "Still a chart." });
    await runTurn(runtime, "agent:main:image");
    const replay = fake.requests.at(-1)?.body.messages;
    expect(JSON.stringify(replay).split(png.toString("base64")).length).toBe(2);
    expect(replay.findIndex((m: any) => m.role === "tool") + 1).toBe(replay.findIndex((m: any) => m.role === "user" && JSON.stringify(m.content).includes("base64")));
  });

  test("over the Anthropic API the image goes inside the tool result", async () => {
    const { runtime } = setup({ profile: "coding" }, "claude/c1");
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(16, 9)]);
    writeFileSync(join(ws, "chart2.png"), png);
    fake.push({ toolCalls: [{ id: "toolu_1", name: "read", args: { path: "chart2.png" } }] }, { text: "A chart." });
    expect((await runTurn(runtime, "agent:main:image2")).ok).toBe(true);
    const last = fake.requests.at(-1)?.body.messages.at(-1);
    const result = last.content.find((b: any) => b.type === "tool_result");
    expect(result.tool_use_id).toBe("toolu_1");
    expect(result.content).toEqual(expect.arrayContaining([expect.objectContaining({ type: "image", source: expect.objectContaining({ data: png.toString("base64") }) })]));
  });

  test("without a profile the model is offered read but none of the writing tools", async () => {
    const { runtime } = setup(undefined);
    fake.push({ text: "ok" });
    await runTurn(runtime, "agent:main:default");
    const offered = fake.requests.at(-1)?.body.tools.map((t: any) => t.function.name);
    expect(offered).toContain("read");
    for (const name of ["write", "edit", "apply_patch"]) expect(offered).not.toContain(name);
  });
});
