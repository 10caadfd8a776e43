/**
 * Memory embeddings through the compiled binary, with the fake tool-calling model and a fake
 * OpenAI-compatible `/v1/embeddings`: a fact the agent wrote is found by a `memory_search` that shares no word
 * with it (hybrid ranking); `openclaw memory status` shows the provider and counts; with the embeddings
 * server gone the same gateway keeps answering `memory_search` from BM25 and status shows the error; the API
 * key never reaches the gateway's output or log file.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { collectUntil, connectWebchat } from "../helpers/agent-gateway.ts";
import { ensureBinary, freePort, runBinaryAsync, startBinaryGateway, tempHome } from "../helpers/binary.ts";
import { type FakeEmbeddings, startFakeEmbeddings } from "../helpers/fake-embeddings.ts";
import { type FakeProvider, startFakeProvider } from "../helpers/fake-provider.ts";
import type { TestSocket } from "../helpers/ws.ts";
import { waitFor } from "../helpers/wait.ts";

const TOKEN = "memory-emb-e2e-token-0123456789abcdef012345";
const KEY = "sk-e2e-embeddings-secret-5f0a";
let model: FakeProvider;
let embeddings: FakeEmbeddings;
let home: string;
const procs: { kill(sig?: number | NodeJS.Signals): void }[] = [];

beforeAll(async () => {
  await ensureBinary();
  model = startFakeProvider();
  embeddings = startFakeEmbeddings({ expectKey: KEY });
  home = tempHome();
});
afterAll(() => {
  for (const p of procs) p.kill("SIGKILL");
  rmSync(home, { recursive: true, force: true });
  model.stop();
  embeddings.stop();
});

async function turn(web: TestSocket, sessionKey: string, message: string, id: string): Promise<void> {
  const ack = await web.request("chat.send", { sessionKey, message, idempotencyKey: id });
  expect(ack.ok).toBe(true);
  const end = (await collectUntil(web, (f) => f.event === "chat" && f.payload.runId === id && f.payload.state !== "delta", 20_000)).at(-1);
  expect(end.payload.state).toBe("final");
}

function toolResult(id: string): any {
  const last = model.requests.at(-1)?.body.messages ?? [];
  return JSON.parse(last.find((m: any) => m.role === "tool" && m.tool_call_id === id).content);
}

test("hybrid memory_search through the binary; the embeddings server going away leaves BM25 answers", async () => {
  const port = freePort();
  const workspace = join(home, "workspace");
  const logFile = join(home, "gateway.log");
  mkdirSync(join(home, ".openclaw"), { recursive: true });
  mkdirSync(join(workspace, "memory"), { recursive: true });
  writeFileSync(join(workspace, "memory", "2026-12-01.md"), "Bought green tea and oat milk.\n");
  const config = {
    gateway: { mode: "local", port, auth: { token: TOKEN } },
    logging: { file: logFile, level: "debug" },
    models: { providers: { local: { baseUrl: model.openaiBaseUrl, apiKey: "sk-e2e", api: "openai-completions", models: [{ id: "m1" }] } } },
    agents: {
      defaults: {
        model: "local/m1",
        workspace,
        memorySearch: { provider: "openai", model: "fake-embed", remote: { baseUrl: embeddings.baseUrl, apiKey: KEY } },
      },
    },
    tools: { profile: "coding" },
    browser: { enabled: false },
  };
  writeFileSync(join(home, ".openclaw", "openclaw.json"), JSON.stringify(config));
  const url = `ws://127.0.0.1:${port}`;
  const gw = await startBinaryGateway(["gateway"], { home });
  procs.push(gw.proc);
  const web = await connectWebchat(url, TOKEN);

  model.push({ toolCalls: [{ id: "w1", name: "write", args: { path: "MEMORY.md", content: "# Travel\nThe user prefers window seats on flights.\n" } }] }, { text: "Noted." });
  await turn(web, "agent:main:one", "Remember that I prefer window seats.", "run-1");
  const status = async () => {
    const { code, stdout, stderr } = await runBinaryAsync(["memory", "status", "--json"], { home });
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    return JSON.parse(stdout).agents[0].embeddings;
  };
  await waitFor(async () => {
    const e = await status();
    return e.total === 2 && e.embedded === 2;
  }, "both chunks embedded", 15_000);

  model.push({ toolCalls: [{ id: "s1", name: "memory_search", args: { query: "airplane seating preference" } }] }, { text: "Window." });
  await turn(web, "agent:main:two", "How do I like to fly?", "run-2");
  expect(toolResult("s1").results[0]).toMatchObject({ path: "MEMORY.md", startLine: 1, endLine: 2 });
  const text = await runBinaryAsync(["memory", "status"], { home });
  expect(text.stdout).toContain(`embeddings main: openai fake-embed at ${embeddings.baseUrl}: 2/2 chunks embedded, ready, hybrid search`);

  embeddings.stop();
  model.push({ toolCalls: [{ id: "s2", name: "memory_search", args: { query: "green tea" } }] }, { text: "Tea." });
  await turn(web, "agent:main:three", "What did I buy?", "run-3");
  expect(toolResult("s2").results[0]).toMatchObject({ path: "memory/2026-12-01.md" });
  expect(await status()).toMatchObject({ state: "error", fallback: true });
  web.close();

  gw.proc.kill("SIGTERM");
  expect(await gw.proc.exited).toBe(0);
  await gw.drained;
  const log = readFileSync(logFile, "utf8");
  expect(log).toContain("memory embeddings of");
  expect(`${gw.output()}\n${log}`).not.toContain(KEY);
});
