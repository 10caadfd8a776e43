/**
 * Memory through the compiled binary with the fake tool-calling model: in one session the model writes a
 * fact to MEMORY.md with `write`; in another session its `memory_search` finds it (path, lines, snippet);
 * after a gateway restart a third session still finds it, and `openclaw memory search` sees it too.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { collectUntil, connectWebchat } from "../helpers/agent-gateway.ts";
import { ensureBinary, freePort, runBinaryAsync, startBinaryGateway, tempHome } from "../helpers/binary.ts";
import { type FakeProvider, startFakeProvider } from "../helpers/fake-provider.ts";
import type { TestSocket } from "../helpers/ws.ts";

const TOKEN = "memory-e2e-token-0123456789abcdef01234567";
let fake: FakeProvider;
let home: string;
const procs: { kill(sig?: number | NodeJS.Signals): void }[] = [];

beforeAll(async () => {
  await ensureBinary();
  fake = startFakeProvider();
  home = tempHome();
});
afterAll(() => {
  for (const p of procs) p.kill("SIGKILL");
  rmSync(home, { recursive: true, force: true });
  fake.stop();
});

/** Sends one message and waits for the run's final chat event. */
async function turn(web: TestSocket, sessionKey: string, message: string, id: string): Promise<any> {
  const ack = await web.request("chat.send", { sessionKey, message, idempotencyKey: id });
  expect(ack.ok).toBe(true);
  const end = (await collectUntil(web, (f) => f.event === "chat" && f.payload.runId === id && f.payload.state !== "delta", 20_000)).at(-1);
  expect(end.payload.state).toBe("final");
  return end.payload;
}

/** The tool results the model got in the last request, by call id. */
function toolResults(): Record<string, string> {
  const last = fake.requests.at(-1)?.body.messages ?? [];
  return Object.fromEntries(last.filter((m: any) => m.role === "tool").map((m: any) => [m.tool_call_id, m.content]));
}

test("a fact written in one session is found by memory_search in another, and after a restart", async () => {
  const port = freePort();
  const workspace = join(home, "workspace");
  mkdirSync(join(home, ".openclaw"), { recursive: true });
  mkdirSync(workspace);
  const config = {
    gateway: { mode: "local", port, auth: { token: TOKEN } },
    models: { providers: { local: { baseUrl: fake.openaiBaseUrl, apiKey: "sk-e2e", api: "openai-completions", models: [{ id: "m1" }] } } },
    agents: { defaults: { model: "local/m1", workspace } },
    tools: { profile: "coding" },
    browser: { enabled: false },
  };
  writeFileSync(join(home, ".openclaw", "openclaw.json"), JSON.stringify(config));
  const url = `ws://127.0.0.1:${port}`;
  let gw = await startBinaryGateway(["gateway"], { home });
  procs.push(gw.proc);

  // Session 1: "remember that I prefer window seats" → write MEMORY.md.
  let web = await connectWebchat(url, TOKEN);
  fake.push({ toolCalls: [{ id: "w1", name: "write", args: { path: "MEMORY.md", content: "# Preferences\n\n- Prefers window seats on flights.\n" } }] }, { text: "Noted." });
  await turn(web, "agent:main:one", "Remember that I prefer window seats.", "run-1");
  expect(readFileSync(join(workspace, "MEMORY.md"), "utf8")).toContain("window seats");
  const first = fake.requests.at(-2)!.body;
  expect(first.tools.map((t: any) => t.function.name)).toEqual(expect.arrayContaining(["memory_search", "memory_get", "write"]));
  expect(first.messages[0].content).toContain("## Memory");
  expect(first.messages[0].content).toContain("durable facts to MEMORY.md");

  // Session 2: a different session asks; the model searches.
  fake.push({ toolCalls: [{ id: "s1", name: "memory_search", args: { query: "window seat*" } }] }, { text: "You prefer window seats." });
  await turn(web, "agent:main:two", "Where do I like to sit?", "run-2");
  const found = JSON.parse(toolResults().s1!);
  expect(found.results[0]).toMatchObject({ path: "MEMORY.md", startLine: 3, endLine: 3, snippet: "- Prefers window seats on flights." });
  web.close();

  // Restart: the index is in the state DB; a third session still finds the fact.
  gw.proc.kill("SIGTERM");
  expect(await gw.proc.exited).toBe(0);
  gw = await startBinaryGateway(["gateway"], { home });
  procs.push(gw.proc);
  web = await connectWebchat(url, TOKEN);
  fake.push({ toolCalls: [{ id: "s2", name: "memory_search", args: { query: "seats" } }, { id: "g2", name: "memory_get", args: { path: "MEMORY.md", from: 3, lines: 1 } }] }, { text: "Window." });
  await turn(web, "agent:main:three", "Remind me of my seat preference.", "run-3");
  const after = toolResults();
  expect(JSON.parse(after.s2!).results[0]).toMatchObject({ path: "MEMORY.md", startLine: 3 });
  expect(JSON.parse(after.g2!)).toMatchObject({ path: "MEMORY.md", from: 3, to: 3, text: "- Prefers window seats on flights." });
  web.close();

  const { code, stdout, stderr } = await runBinaryAsync(["memory", "search", "window", "--json"], { home });
  expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
  expect(JSON.parse(stdout).results[0]).toMatchObject({ path: "MEMORY.md", startLine: 3 });
  gw.proc.kill("SIGTERM");
  expect(await gw.proc.exited).toBe(0);
});
