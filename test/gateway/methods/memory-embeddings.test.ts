/**
 * The gateway with `agents.defaults.memorySearch` pointing at a fake OpenAI-compatible embeddings endpoint:
 * memory.search ranks a paraphrased fact first, memory.status reports provider, model and embedded/total
 * chunks, a per-agent override switches embeddings off, the provider going away leaves BM25 answers and an
 * error in status while the gateway keeps serving, and the API key never shows in config.get, status or the log.
 */
import { afterEach, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OpenClawConfig } from "../../../src/config/schema.ts";
import { checkResult } from "../../../src/protocol/index.ts";
import { startFakeEmbeddings } from "../../helpers/fake-embeddings.ts";
import { TEST_TOKEN } from "../../helpers/gateway.ts";
import { useCleanup } from "../../helpers/protocol.ts";
import { waitFor } from "../../helpers/wait.ts";
import { connectClient, type TestSocket } from "../../helpers/ws.ts";

const env = useCleanup();
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const KEY = "sk-gateway-embeddings-secret-93b2";

async function call(sock: TestSocket, method: string, params: Record<string, unknown> = {}): Promise<any> {
  const res = await sock.request(method, params);
  expect(res.error).toBeUndefined();
  if (method.startsWith("memory.")) expect(checkResult(method, res.payload)).toEqual({ ok: true });
  return res.payload;
}

async function setup() {
  const fake = startFakeEmbeddings({ expectKey: KEY });
  env.defer(() => fake.stop());
  const root = realpathSync(mkdtempSync(join(tmpdir(), "openclaw-mememb-")));
  dirs.push(root);
  const main = join(root, "main");
  const plain = join(root, "plain");
  mkdirSync(join(main, "memory"), { recursive: true });
  mkdirSync(plain);
  writeFileSync(join(main, "MEMORY.md"), "# Travel\nThe user prefers window seats on flights.\n");
  writeFileSync(join(main, "memory", "2026-12-01.md"), "Bought green tea and oat milk.\n");
  writeFileSync(join(plain, "MEMORY.md"), "Window cleaner comes on Mondays.\n");
  const config: OpenClawConfig = {
    gateway: { mode: "local", auth: { token: TEST_TOKEN } },
    browser: { enabled: false },
    agents: {
      defaults: {
        memorySearch: { provider: "openai", model: "fake-embed", remote: { baseUrl: fake.baseUrl, apiKey: KEY } },
      },
      list: [
        { id: "main", default: true, workspace: main },
        { id: "plain", workspace: plain, memorySearch: { enabled: false } },
      ],
    },
  };
  const gw = await env.gateway({ config });
  // config.get reads the file: the same config, as a user would have written it.
  writeFileSync(join(gw.stateDir, "openclaw.json"), JSON.stringify(config, null, 2));
  const { sock } = await connectClient(gw.url, gw.token);
  env.defer(() => sock.close());
  return { gw, sock, fake };
}

test("hybrid search through the gateway; status reports the provider per agent; the key stays secret", async () => {
  const { gw, sock, fake } = await setup();
  const status = await waitFor(async () => {
    const s = await call(sock, "memory.status", { agentId: "main" });
    const e = s.agents[0].embeddings;
    return e.total === 2 && e.embedded === 2 ? e : undefined;
  }, "main's chunks embedded");
  expect(status).toEqual({
    provider: "openai",
    model: "fake-embed",
    endpoint: fake.baseUrl,
    state: "ready",
    hybrid: true,
    embedded: 2,
    total: 2,
    fallback: false,
  });
  const plain = await call(sock, "memory.status", { agentId: "plain" });
  expect(plain.agents[0].embeddings).toEqual({ provider: "none", state: "off", hybrid: false, fallback: false });
  expect(fake.inputs().some((t) => t.includes("Window cleaner"))).toBe(false);

  const res = await call(sock, "memory.search", { query: "airplane seating preference" });
  expect(res.results[0]).toMatchObject({ path: "MEMORY.md", startLine: 1, endLine: 2 });

  const config = await call(sock, "config.get");
  expect(JSON.stringify(config)).not.toContain(KEY);
  expect(config.valid).toBe(true);
  expect(config.parsed.agents.defaults.memorySearch.remote).toEqual({
    baseUrl: fake.baseUrl,
    apiKey: "__OPENCLAW_REDACTED__",
  });
  expect(JSON.stringify(await call(sock, "memory.status"))).not.toContain(KEY);
  expect(gw.logs.join("\n")).not.toContain(KEY);
});

test("the provider going away: BM25 answers, an error in status, one warning, the gateway keeps serving", async () => {
  const { gw, sock, fake } = await setup();
  await waitFor(
    async () => (await call(sock, "memory.status", { agentId: "main" })).agents[0].embeddings.state === "ready",
    "main ready",
  );
  fake.stop();
  const res = await call(sock, "memory.search", { query: "green tea" });
  expect(res.results[0]).toMatchObject({ path: "memory/2026-12-01.md" });
  const e = (await call(sock, "memory.status", { agentId: "main" })).agents[0].embeddings;
  expect(e).toMatchObject({ provider: "openai", state: "error", fallback: true, embedded: 2, total: 2 });
  expect(e.lastError).toContain(`embeddings request to ${fake.baseUrl} failed`);
  expect((await call(sock, "memory.search", { query: "green tea" })).results[0]).toMatchObject({
    path: "memory/2026-12-01.md",
  });
  expect(gw.logs.filter((l) => l.includes("memory embeddings"))).toHaveLength(1);
  expect(gw.logs.join("\n")).not.toContain(KEY);
  expect((await sock.request("health", {})).ok).toBe(true);
});
