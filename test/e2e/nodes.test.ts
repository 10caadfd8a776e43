/**
 * Nodes end to end through the compiled binary: the gateway runs as `dist/openclaw gateway`, a simulated
 * node (WebSocket + Ed25519) connects as if remote, and an operator drives everything with
 * `openclaw nodes …` and `openclaw devices …`. Pairing, listing and invoking survive a gateway restart.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BINARY, binaryEnv, ensureBinary, freePort, startBinaryGateway, tempHome } from "../helpers/binary.ts";
import { HOLD, SimulatedNode, type NodeConnectOptions } from "../helpers/node.ts";
import { newIdentity } from "../helpers/protocol.ts";

const TOKEN = "nodes-e2e-token-0123456789abcdef0123456789ab";
const cleanups: (() => unknown)[] = [];

beforeAll(async () => {
  await ensureBinary();
});
afterAll(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** Runs the CLI without blocking the event loop (the simulated node lives in this process). */
async function cli(home: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const p = Bun.spawn([BINARY, ...args], { env: binaryEnv(home), cwd: home, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, stdout, stderr };
}

async function cliJson(home: string, ...args: string[]): Promise<any> {
  const r = await cli(home, ...args, "--json");
  if (r.code !== 0) throw new Error(`openclaw ${args.join(" ")} failed (${r.code}): ${r.stderr}${r.stdout}`);
  return JSON.parse(r.stdout);
}

test("pair a remote node, list it, invoke it, revoke it: all through the binary and the CLI", async () => {
  const home = tempHome();
  cleanups.push(() => rmSync(home, { recursive: true, force: true }));
  const port = freePort();
  mkdirSync(join(home, ".openclaw"), { recursive: true });
  writeFileSync(join(home, ".openclaw", "openclaw.json"), JSON.stringify({ gateway: { mode: "local", port, auth: { token: TOKEN }, nodes: { allowCommands: ["test.*"] } } }));
  const start = () => startBinaryGateway(["gateway"], { home });
  let gw = await start();
  cleanups.push(() => gw.proc.kill("SIGKILL"));
  const url = `ws://127.0.0.1:${port}`;

  const identity = newIdentity();
  const base: NodeConnectOptions = {
    identity,
    remoteIp: "198.51.100.23",
    displayName: "build-box",
    caps: ["system"],
    commands: ["test.echo", "system.notify", "camera.snap"],
    handlers: { "test.echo": (params) => ({ echoed: params, host: "build-box" }), "system.notify": () => HOLD },
  };
  const nodes: SimulatedNode[] = [];
  cleanups.push(() => nodes.forEach((n) => n.close()));
  const connect = async (token: string) => {
    const n = await SimulatedNode.connect(url, { ...base, token });
    nodes.push(n);
    return n;
  };

  // 1. The node asks; the gateway says pairing required and the CLI sees the request.
  const first = await connect(TOKEN);
  expect(first.error?.code).toBe("NOT_PAIRED");
  const requestId = first.error!.details.requestId as string;
  const pending = await cliJson(home, "nodes", "pending");
  expect(pending).toEqual([expect.objectContaining({ requestId, nodeId: identity.deviceId, displayName: "build-box", remoteIp: "127.0.0.1" })]);
  const table = await cli(home, "nodes", "pending");
  expect(table.stdout).toContain(requestId);

  // 2. Approve through the CLI; the node connects with the token it was issued, no shared secret.
  const approved = await cliJson(home, "nodes", "approve", requestId);
  const nodeToken = approved.node.token as string;
  expect(approved.node.nodeId).toBe(identity.deviceId);
  const node = await connect(nodeToken);
  expect(node.error).toBeUndefined();
  expect(node.hello.auth.deviceToken).toBe(nodeToken);

  // 3. List and describe, by id prefix and by name.
  const listed = await cliJson(home, "nodes", "list");
  expect(listed.pending).toEqual([]);
  expect(listed.nodes).toEqual([expect.objectContaining({ nodeId: identity.deviceId, connected: true, paired: true, commands: ["test.echo", "system.notify"], caps: ["system"] })]);
  const text = await cli(home, "nodes", "list");
  expect(text.stdout).toContain("build-box");
  expect(text.stdout).toContain("paired, connected");
  expect((await cliJson(home, "nodes", "describe", "--node", identity.deviceId.slice(0, 8))).displayName).toBe("build-box");

  // 4. Invoke through the CLI: a result, a timeout, a refused command.
  const invoked = await cliJson(home, "nodes", "invoke", "--node", "build-box", "--command", "test.echo", "--params", '{"n":42}');
  expect(invoked).toEqual({ ok: true, nodeId: identity.deviceId, command: "test.echo", payload: { echoed: { n: 42 }, host: "build-box" } });
  const plain = await cli(home, "nodes", "invoke", "--node", "build-box", "--command", "test.echo", "--params", "{}");
  expect(JSON.parse(plain.stdout)).toEqual({ echoed: {}, host: "build-box" });
  const slow = await cli(home, "nodes", "invoke", "--node", "build-box", "--command", "system.notify", "--invoke-timeout", "300");
  expect(slow.code).toBe(1);
  expect(slow.stderr).toContain("node invoke timed out after 300 ms (system.notify) (UNAVAILABLE)");
  const refused = await cli(home, "nodes", "invoke", "--node", "build-box", "--command", "camera.snap");
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain("node command not allowed: camera.snap (INVALID_REQUEST)");
  const ghost = await cli(home, "nodes", "describe", "--node", "nobody");
  expect(ghost.code).toBe(1);
  expect(ghost.stderr).toContain('Unknown node "nobody".');

  // 5. Pairing and the node's record survive a restart (state dir on disk).
  gw.proc.kill("SIGTERM");
  expect(await gw.proc.exited).toBe(0);
  await node.closed;
  gw = await start();
  const offline = await cliJson(home, "nodes", "list");
  expect(offline.nodes).toEqual([expect.objectContaining({ nodeId: identity.deviceId, paired: true, connected: false, displayName: "build-box" })]);
  const back = await connect(nodeToken);
  expect(back.error).toBeUndefined();
  expect((await cliJson(home, "nodes", "invoke", "--node", "build-box", "--command", "test.echo")).payload.host).toBe("build-box");

  // 6. Revoke through `openclaw devices`: the live node is cut off and its token refused.
  const devices = await cliJson(home, "devices", "list");
  // The node, and the CLI itself: it reaches a local gateway as its own (auto-approved) device.
  expect(devices.paired).toHaveLength(2);
  expect(devices.paired).toContainEqual(expect.objectContaining({ deviceId: identity.deviceId, roles: ["node"], tokens: [expect.objectContaining({ role: "node" })] }));
  expect(devices.paired).toContainEqual(expect.objectContaining({ clientId: "cli", roles: ["operator"] }));
  await cliJson(home, "devices", "revoke", "--device", identity.deviceId, "--role", "node");
  expect(await back.closed).toEqual({ code: 1008, reason: "device token revoked" });
  const after = await connect(nodeToken);
  expect(after.error?.message).toStartWith("unauthorized:");
  const unreachable = await cli(home, "nodes", "invoke", "--node", identity.deviceId, "--command", "test.echo");
  expect(unreachable.stderr).toContain(`node not connected: ${identity.deviceId} (UNAVAILABLE)`);

  gw.proc.kill("SIGTERM");
  expect(await gw.proc.exited).toBe(0);
}, 60_000);

test("the binary serves the embedded A2UI page on a node's capability URL and pushes A2UI from the CLI", async () => {
  const home = tempHome();
  cleanups.push(() => rmSync(home, { recursive: true, force: true }));
  const port = freePort();
  mkdirSync(join(home, ".openclaw"), { recursive: true });
  writeFileSync(join(home, ".openclaw", "openclaw.json"), JSON.stringify({ gateway: { mode: "local", port, auth: { token: TOKEN } } }));
  const gw = await startBinaryGateway(["gateway"], { home });
  cleanups.push(() => gw.proc.kill("SIGKILL"));
  const received: string[] = [];
  const node = await SimulatedNode.connect(`ws://127.0.0.1:${port}`, {
    token: TOKEN,
    identity: null,
    instanceId: "wall-display",
    commands: ["canvas.a2ui.pushJSONL"],
    handlers: { "canvas.a2ui.pushJSONL": (params) => void received.push((params as { jsonl: string }).jsonl) },
  });
  cleanups.push(() => node.close());
  const scoped = node.hello.canvasHostUrl as string;
  expect(scoped).toStartWith(`http://127.0.0.1:${port}/__openclaw__/cap/`);

  const page = await fetch(`${scoped}/__openclaw__/a2ui/`);
  expect(page.status).toBe(200);
  expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
  expect(await page.text()).toContain("<openclaw-a2ui-host>");
  const bundle = await fetch(`${scoped}/__openclaw__/a2ui/a2ui.bundle.js`);
  expect(bundle.headers.get("content-type")).toContain("javascript");
  expect(await bundle.text()).toContain("openclawA2UI");
  expect((await fetch(`http://127.0.0.1:${port}/__openclaw__/a2ui/`)).status).toBe(401);

  const pushed = await cli(home, "nodes", "canvas", "a2ui", "push", "--node", "wall-display", "--text", "Hello from the binary");
  expect(pushed.code).toBe(0);
  expect(received).toHaveLength(1);
  expect(received[0]).toContain("Hello from the binary");
  const bad = join(home, "bad.jsonl");
  writeFileSync(bad, '{"beginRendering":{"surfaceId":"main"}}\n');
  const refused = await cli(home, "nodes", "canvas", "a2ui", "push", "--node", "wall-display", "--jsonl", bad);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain("line 1");
  expect(received).toHaveLength(1);
});
