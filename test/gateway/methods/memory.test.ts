/**
 * memory.search / memory.status / memory.reindex over a real socket: results of the agent's workspace only,
 * the watcher keeping the index current, unknown agents and bad queries refused with INVALID_REQUEST, and
 * the scopes (search and status need operator.read, reindex admin).
 */
import { afterEach, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkResult } from "../../../src/protocol/index.ts";
import { TEST_TOKEN } from "../../helpers/gateway.ts";
import { useCleanup } from "../../helpers/protocol.ts";
import { waitFor } from "../../helpers/wait.ts";
import { connectClient, type TestSocket } from "../../helpers/ws.ts";

const env = useCleanup();
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function setup() {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "openclaw-memws-")));
  dirs.push(root);
  const main = join(root, "main");
  const other = join(root, "other");
  mkdirSync(join(main, "memory"), { recursive: true });
  mkdirSync(other);
  writeFileSync(join(main, "MEMORY.md"), "# Prefs\nThe user prefers window seats.\n");
  writeFileSync(join(other, "MEMORY.md"), "The other agent knows about window cleaning.\n");
  const gw = await env.gateway({
    config: {
      gateway: { mode: "local", auth: { token: TEST_TOKEN } },
      browser: { enabled: false },
      agents: { list: [{ id: "main", default: true, workspace: main }, { id: "other", workspace: other }] },
    },
  });
  const { sock } = await connectClient(gw.url, gw.token);
  env.defer(() => sock.close());
  return { gw, sock, main, other };
}

async function call(sock: TestSocket, method: string, params: Record<string, unknown>): Promise<any> {
  const res = await sock.request(method, params);
  expect(res.error).toBeUndefined();
  expect(checkResult(method, res.payload)).toEqual({ ok: true });
  return res.payload;
}

test("search answers from the default agent's workspace, or the named one's", async () => {
  const { sock } = await setup();
  const res = await call(sock, "memory.search", { query: "window" });
  expect(res.agentId).toBe("main");
  expect(res.results).toEqual([{ path: "MEMORY.md", startLine: 1, endLine: 2, snippet: "# Prefs\nThe user prefers window seats.", score: expect.any(Number) }]);
  const other = await call(sock, "memory.search", { query: "window", agentId: "other", maxResults: 5 });
  expect(other.results.map((r: { snippet: string }) => r.snippet)).toEqual(["The other agent knows about window cleaning."]);
});

test("the watcher keeps the index current between calls; status reports files, chunks and watching", async () => {
  const { gw, sock, main } = await setup();
  const status = await call(sock, "memory.status", {});
  expect(status.agents.map((a: { agentId: string; files: number; exists: boolean; watching: boolean }) => [a.agentId, a.files, a.exists, a.watching])).toEqual([
    ["main", 1, true, true],
    ["other", 1, true, true],
  ]);
  writeFileSync(join(main, "memory", "2026-12-07.md"), "Dentist appointment moved to Friday.\n");
  // Indexed by the watcher, with no call in between: the state DB holds the chunk.
  const db = gw.handle.ctx.memory.index;
  await waitFor(() => db.totals(realpathSync(main)).files === 2, "the watcher indexed the new file");
  const res = await call(sock, "memory.search", { query: "dentist friday" });
  expect(res.results[0]).toMatchObject({ path: "memory/2026-12-07.md", startLine: 1, endLine: 1 });
});

test("reindex (admin) reports what changed; full reads everything again", async () => {
  const { sock, main } = await setup();
  writeFileSync(join(main, "memory", "a.md"), "alpha\n");
  const one = await call(sock, "memory.reindex", { agentId: "main" });
  expect(one.agents).toHaveLength(1);
  expect(one.agents[0]).toMatchObject({ agentId: "main", files: 2, chunks: 2 });
  const full = await call(sock, "memory.reindex", { agentId: "main", full: true });
  expect(full.agents[0]).toMatchObject({ added: 2, updated: 0, removed: 0, files: 2 });
  const all = await call(sock, "memory.reindex", {});
  expect(all.agents.map((a: { agentId: string }) => a.agentId)).toEqual(["main", "other"]);
});

test("bad input: unknown agent, queries without words, unknown fields", async () => {
  const { sock } = await setup();
  expect((await sock.request("memory.search", { query: "x", agentId: "ghost" })).error).toEqual({ code: "INVALID_REQUEST", message: 'unknown agent id "ghost" (configured: main, other)' });
  for (const query of ['"', "*", "NEAR( ^"]) {
    const res = await sock.request("memory.search", { query });
    if (query === "NEAR( ^") {
      expect(res.ok).toBe(true);
      continue;
    }
    expect(res.error.code).toBe("INVALID_REQUEST");
    expect(res.error.message).toContain("no words to search for");
  }
  expect((await sock.request("memory.search", { query: "" })).error.code).toBe("INVALID_REQUEST");
  expect((await sock.request("memory.search", {})).error.message).toContain("query");
  expect((await sock.request("memory.status", { agent: "main" })).error.code).toBe("INVALID_REQUEST");
});

test("scopes: search and status need operator.read; reindex needs operator.admin", async () => {
  const { gw } = await setup();
  const { sock: reader } = await connectClient(gw.url, gw.token, { scopes: ["operator.read"] });
  env.defer(() => reader.close());
  expect((await reader.request("memory.search", { query: "window" })).ok).toBe(true);
  expect((await reader.request("memory.status", {})).ok).toBe(true);
  expect((await reader.request("memory.reindex", {})).error).toEqual({ code: "INVALID_REQUEST", message: "missing scope: operator.admin" });
  const { sock: writer } = await connectClient(gw.url, gw.token, { scopes: ["operator.write"] });
  env.defer(() => writer.close());
  expect((await writer.request("memory.reindex", {})).error).toEqual({ code: "INVALID_REQUEST", message: "missing scope: operator.admin" });
  const { sock: approver } = await connectClient(gw.url, gw.token, { scopes: ["operator.approvals"] });
  env.defer(() => approver.close());
  expect((await approver.request("memory.search", { query: "window" })).error.code).toBe("INVALID_REQUEST");
});
