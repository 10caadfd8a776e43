/**
 * agents.files.list / get / set over a real socket: the bootstrap and memory files of an agent's workspace,
 * nothing else; traversal, unknown names and agents, and symlinks out of the workspace refused.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkResult } from "../../../src/protocol/index.ts";
import { TEST_TOKEN } from "../../helpers/gateway.ts";
import { useCleanup } from "../../helpers/protocol.ts";
import { connectClient, type TestSocket } from "../../helpers/ws.ts";

const env = useCleanup();
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "openclaw-ws-"));
  dirs.push(d);
  return d;
}

async function setup() {
  const root = tempDir();
  const main = join(root, "main");
  const writer = join(root, "writer-space");
  mkdirSync(main);
  const gw = await env.gateway({
    config: {
      gateway: { mode: "local", auth: { token: TEST_TOKEN } },
      browser: { enabled: false },
      agents: { list: [{ id: "main", default: true, workspace: main }, { id: "Writer", workspace: writer }] },
    },
  });
  const { sock } = await connectClient(gw.url, gw.token);
  env.defer(() => sock.close());
  return { gw, sock, root, main, writer };
}

async function call(sock: TestSocket, method: string, params: Record<string, unknown>): Promise<any> {
  const res = await sock.request(method, params);
  expect(res.error).toBeUndefined();
  expect(checkResult(method, res.payload)).toEqual({ ok: true });
  return res.payload;
}

const NAMES = ["AGENTS.md", "SOUL.md", "TOOLS.md", "IDENTITY.md", "USER.md", "HEARTBEAT.md", "BOOTSTRAP.md", "MEMORY.md"];

describe("agents.files.list", () => {
  test("every bootstrap file plus memory, in order, with size and mtime for those that exist", async () => {
    const { sock, main } = await setup();
    writeFileSync(join(main, "SOUL.md"), "be kind\n");
    const res = await call(sock, "agents.files.list", { agentId: "main" });
    expect(res.agentId).toBe("main");
    expect(res.workspace).toBe(main);
    expect(res.files.map((f: { name: string }) => f.name)).toEqual(NAMES);
    const soul = res.files.find((f: { name: string }) => f.name === "SOUL.md");
    expect(soul).toEqual({ name: "SOUL.md", path: join(main, "SOUL.md"), missing: false, size: 8, updatedAtMs: expect.any(Number) });
    expect(res.files.find((f: { name: string }) => f.name === "AGENTS.md")).toEqual({ name: "AGENTS.md", path: join(main, "AGENTS.md"), missing: true });
  });

  test("memory.md is listed when it is the only memory file", async () => {
    const { sock, main } = await setup();
    writeFileSync(join(main, "memory.md"), "remember\n");
    const res = await call(sock, "agents.files.list", { agentId: "main" });
    expect(res.files.at(-1)).toMatchObject({ name: "memory.md", missing: false, size: 9 });
  });

  test("agent ids match case-insensitively and answer with the configured spelling; unknown ids are refused", async () => {
    const { sock, writer } = await setup();
    const res = await call(sock, "agents.files.list", { agentId: "writer" });
    expect(res).toMatchObject({ agentId: "Writer", workspace: writer });
    expect(res.files.every((f: { missing: boolean }) => f.missing)).toBe(true);
    expect((await sock.request("agents.files.list", { agentId: "ghost" })).error).toEqual({ code: "INVALID_REQUEST", message: "unknown agent id" });
  });
});

describe("agents.files.get / set", () => {
  test("get: content of an existing file; a missing one is marked missing without content", async () => {
    const { sock, main } = await setup();
    writeFileSync(join(main, "USER.md"), "# User\nName: Ada\n");
    const got = await call(sock, "agents.files.get", { agentId: "main", name: "USER.md" });
    expect(got.file).toMatchObject({ name: "USER.md", path: join(main, "USER.md"), missing: false, size: 17, content: "# User\nName: Ada\n" });
    const missing = await call(sock, "agents.files.get", { agentId: "main", name: "TOOLS.md" });
    expect(missing.file).toEqual({ name: "TOOLS.md", path: join(main, "TOOLS.md"), missing: true });
  });

  test("set: creates the workspace and the file (owner-only), replaces an existing one keeping its mode", async () => {
    const { sock, main, writer } = await setup();
    const res = await call(sock, "agents.files.set", { agentId: "Writer", name: "IDENTITY.md", content: "I am the writer.\n" });
    expect(res).toMatchObject({ ok: true, agentId: "Writer", workspace: writer, file: { name: "IDENTITY.md", missing: false, size: 17, content: "I am the writer.\n" } });
    expect(readFileSync(join(writer, "IDENTITY.md"), "utf8")).toBe("I am the writer.\n");
    expect(statSync(join(writer, "IDENTITY.md")).mode & 0o777).toBe(0o600);

    writeFileSync(join(main, "AGENTS.md"), "old");
    chmodSync(join(main, "AGENTS.md"), 0o644);
    await call(sock, "agents.files.set", { agentId: "main", name: "AGENTS.md", content: "" });
    expect(readFileSync(join(main, "AGENTS.md"), "utf8")).toBe("");
    expect(statSync(join(main, "AGENTS.md")).mode & 0o777).toBe(0o644);
    expect((await call(sock, "agents.files.get", { agentId: "main", name: "AGENTS.md" })).file).toMatchObject({ missing: false, size: 0, content: "" });
  });

  test("names outside the list, traversal and paths are refused; nothing is read or written", async () => {
    const { sock, root, main } = await setup();
    writeFileSync(join(root, "AGENTS.md"), "outside");
    const bad = ["../AGENTS.md", "sub/AGENTS.md", "/etc/passwd", "README.md", "agents.md", "AGENTS.md/..", "..", "MEMORY.md\u0000"];
    for (const name of bad) {
      for (const method of ["agents.files.get", "agents.files.set"]) {
        const res = await sock.request(method, { agentId: "main", name, ...(method === "agents.files.set" && { content: "pwned" }) });
        expect({ name, method, error: res.error }).toEqual({ name, method, error: { code: "INVALID_REQUEST", message: `unsupported file "${name.trim()}"` } });
      }
    }
    expect(readFileSync(join(root, "AGENTS.md"), "utf8")).toBe("outside");
    expect(existsSync(join(main, "sub"))).toBe(false);
    expect(existsSync(join(main, "README.md"))).toBe(false);
    expect((await sock.request("agents.files.set", { agentId: "ghost", name: "AGENTS.md", content: "x" })).error).toEqual({ code: "INVALID_REQUEST", message: "unknown agent id" });
  });

  test("a symlink out of the workspace is never written through; one inside is", async () => {
    const { sock, root, main } = await setup();
    const outside = join(root, "victim.txt");
    writeFileSync(outside, "precious");
    symlinkSync(outside, join(main, "TOOLS.md"));
    const res = await sock.request("agents.files.set", { agentId: "main", name: "TOOLS.md", content: "overwritten" });
    expect(res.error).toEqual({ code: "INVALID_REQUEST", message: 'refusing to write "TOOLS.md": it is a symlink that leaves the workspace' });
    expect(readFileSync(outside, "utf8")).toBe("precious");

    mkdirSync(join(main, "notes"));
    writeFileSync(join(main, "notes", "soul.txt"), "v1");
    symlinkSync(join(main, "notes", "soul.txt"), join(main, "SOUL.md"));
    await call(sock, "agents.files.set", { agentId: "main", name: "SOUL.md", content: "v2" });
    expect(readFileSync(join(main, "notes", "soul.txt"), "utf8")).toBe("v2");
  });

  test("a symlink out of the workspace is never read through; one inside is", async () => {
    const { sock, root, main } = await setup();
    const outside = join(root, "secret.txt");
    writeFileSync(outside, "api key: sk-live-123");
    symlinkSync(outside, join(main, "MEMORY.md"));
    const res = await sock.request("agents.files.get", { agentId: "main", name: "MEMORY.md" });
    expect(res.error).toEqual({ code: "INVALID_REQUEST", message: 'refusing to read "MEMORY.md": it is a symlink that leaves the workspace' });
    expect(JSON.stringify(res)).not.toContain("sk-live-123");

    mkdirSync(join(main, "notes"));
    writeFileSync(join(main, "notes", "user.txt"), "likes tea");
    symlinkSync(join(main, "notes", "user.txt"), join(main, "USER.md"));
    expect((await call(sock, "agents.files.get", { agentId: "main", name: "USER.md" })).file.content).toBe("likes tea");
  });

  test("a symlink out of the workspace is not described by the listing (no size or mtime of the file it points at)", async () => {
    const { sock, root, main } = await setup();
    const outside = join(root, "secret.txt");
    writeFileSync(outside, "api key: sk-live-123");
    symlinkSync(outside, join(main, "MEMORY.md"));
    symlinkSync(join(root, "nowhere.md"), join(main, "SOUL.md"));
    const res = await call(sock, "agents.files.list", { agentId: "main" });
    const entry = (n: string) => res.files.find((f: { name: string }) => f.name === n);
    expect(entry("MEMORY.md")).toEqual({ name: "MEMORY.md", path: join(main, "MEMORY.md"), missing: true });
    expect(entry("SOUL.md")).toEqual({ name: "SOUL.md", path: join(main, "SOUL.md"), missing: true });
    // Reading it says why instead of "missing".
    expect((await sock.request("agents.files.get", { agentId: "main", name: "SOUL.md" })).error).toEqual({ code: "INVALID_REQUEST", message: 'refusing to read "SOUL.md": it is a symlink to a missing file' });
  });

  test("admin only", async () => {
    const { gw } = await setup();
    const { sock } = await connectClient(gw.url, gw.token, { scopes: ["operator.read", "operator.write"] });
    env.defer(() => sock.close());
    for (const method of ["agents.files.list", "agents.files.get", "agents.files.set"]) {
      expect((await sock.request(method, { agentId: "main" })).error).toEqual({ code: "INVALID_REQUEST", message: "missing scope: operator.admin" });
    }
  });
});
