/**
 * The upstream 2026.2.3 CLI against our compiled gateway: a node host connecting from a non-loopback address
 * asks to pair; `openclaw devices list` (upstream) shows the request and the paired devices without crashing
 * on the token list, and `openclaw devices approve <id>` (upstream) approves it.
 *
 * The node host is the upstream `openclaw node run` itself, connecting to this machine's first non-loopback
 * IPv4 address (the gateway binds `lan`), so the gateway sees a remote peer. On a machine without one, a
 * simulated node host (same client id and mode, signed device identity) connects through a proxy header.
 * Needs the reference install (test/helpers/upstream.ts): skipped when it is missing unless
 * OPENCLAW_REQUIRE_REFERENCE is set, then it fails.
 */
import { afterAll, beforeAll, expect } from "bun:test";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { ensureBinary, freePort, startBinaryGateway, tempHome } from "../helpers/binary.ts";
import { SimulatedNode } from "../helpers/node.ts";
import { type ReferenceInstall, parseCliJson, referenceForSuite, runUpstreamCli } from "../helpers/upstream.ts";
import { connectClient } from "../helpers/ws.ts";

const reference = referenceForSuite("upstream devices CLI e2e");
const TOKEN = "upstream-cli-e2e-token-0123456789abcdef012";
const cleanups: (() => unknown)[] = [];

beforeAll(async () => {
  await ensureBinary();
});
afterAll(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** This machine's first non-internal IPv4 address, or undefined. */
function externalIPv4(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === "IPv4" && !a.internal && !a.address.startsWith("169.254.")) return a.address;
  }
  return undefined;
}

reference.run("upstream `devices list` and `devices approve` against our binary, for a remote node host", async () => {
  const ref = reference.ref as ReferenceInstall;
  const home = tempHome();
  cleanups.push(() => rmSync(home, { recursive: true, force: true }));
  const port = freePort();
  const lanAddress = externalIPv4();
  mkdirSync(join(home, ".openclaw"), { recursive: true });
  writeFileSync(join(home, ".openclaw", "openclaw.json"), JSON.stringify({ gateway: { mode: "local", port, ...(lanAddress && { bind: "lan" }), auth: { token: TOKEN } } }));
  const gw = await startBinaryGateway(["gateway"], { home });
  cleanups.push(async () => {
    gw.proc.kill("SIGTERM");
    await gw.proc.exited;
  });
  const url = `ws://127.0.0.1:${port}`;
  const { sock: admin } = await connectClient(url, TOKEN);
  cleanups.push(() => admin.close());

  // 1. A remote node host asks to pair.
  const nodeHome = tempHome();
  cleanups.push(() => rmSync(nodeHome, { recursive: true, force: true }));
  let stopNode: () => Promise<void> = async () => {};
  let expectedIp: string | undefined;
  const startHost = () => {
    const host = Bun.spawn([join(ref.bin, "openclaw"), "node", "run", "--host", lanAddress as string, "--port", String(port), "--display-name", "remote-host"], {
      env: { PATH: `${ref.bin}:${process.env.PATH ?? "/usr/bin:/bin"}`, HOME: nodeHome, TMPDIR: tmpdir(), OPENCLAW_DISABLE_BONJOUR: "1", NO_COLOR: "1", OPENCLAW_GATEWAY_TOKEN: TOKEN },
      cwd: nodeHome,
      stdout: "ignore",
      stderr: "ignore",
    });
    stopNode = async () => {
      host.kill("SIGTERM");
      await host.exited;
    };
  };
  if (lanAddress) {
    startHost();
    expectedIp = lanAddress;
  } else {
    console.warn("no non-loopback IPv4 address on this machine: the node host is simulated through X-Forwarded-For");
    const sim = await SimulatedNode.connect(url, { token: TOKEN, remoteIp: "198.51.100.40", displayName: "remote-host", commands: ["system.run", "system.which"], caps: ["system"] });
    stopNode = async () => sim.close();
  }
  cleanups.push(() => stopNode());
  const hostDone = () => stopNode();
  const pendingNode = async () => (await admin.request("device.pair.list")).payload.pending.find((p: any) => p.clientId === "node-host");
  let request: any;
  // Upstream clients look for it in device.pair.*: wait for its device.pair.requested broadcast.
  for (const deadline = Date.now() + 60_000; !request && Date.now() < deadline; ) {
    const ev = await admin.nextMatching((f) => f.event === "device.pair.requested", Math.max(1, deadline - Date.now())).catch(() => undefined);
    if (ev?.payload.clientId === "node-host") request = ev.payload;
  }
  expect({ nodeHostRequestInDevicePairing: request !== undefined }).toEqual({ nodeHostRequestInDevicePairing: true });
  expect(typeof request.remoteIp).toBe("string");
  if (lanAddress) expect(request.remoteIp).toBe(expectedIp);
  expect(request).toMatchObject({ clientId: "node-host", clientMode: "node", role: "node" });
  expect(await pendingNode()).toMatchObject({ requestId: request.requestId });

  // 2. The upstream CLI, aimed at our gateway (each run in a fresh HOME: it pairs itself over loopback).
  const refCli = (...args: string[]) => runUpstreamCli(ref, { url, token: TOKEN }, args);

  const listed = await refCli("devices", "list", "--json");
  expect({ code: listed.code, stderr: listed.stderr.includes("tokens.map") }).toEqual({ code: 0, stderr: false });
  const json = parseCliJson(listed.stdout);
  expect(json.pending).toContainEqual(expect.objectContaining({ requestId: request.requestId, clientId: "node-host", role: "node" }));
  // The upstream CLI itself paired (loopback) and is listed with a token array.
  expect(json.paired.length).toBeGreaterThan(0);
  for (const d of json.paired) expect(Array.isArray(d.tokens)).toBe(true);

  const table = await refCli("devices", "list");
  expect({ code: table.code, crashed: /tokens\.map is not a function/.test(table.stderr + table.stdout) }).toEqual({ code: 0, crashed: false });
  expect(table.stdout).toContain(request.requestId);

  const approved = await refCli("devices", "approve", request.requestId);
  expect({ code: approved.code, unknown: /unknown requestId/.test(approved.stderr + approved.stdout) }).toEqual({ code: 0, unknown: false });
  expect(approved.stdout).toContain(request.deviceId);

  // 3. One source of truth: the request is gone from both lists and the node is paired (node role token).
  expect(await pendingNode()).toBeUndefined();
  expect((await admin.request("node.pair.list")).payload.pending).toEqual([]);
  const after = await refCli("devices", "list", "--json");
  const paired = parseCliJson(after.stdout).paired.find((d: any) => d.deviceId === request.deviceId);
  expect(paired).toMatchObject({ role: "node", tokens: [expect.objectContaining({ role: "node" })] });

  // 4. The real node host, run again as a user would after approving, is accepted.
  if (lanAddress) {
    await hostDone();
    startHost();
    const isConnected = async () => ((await admin.request("node.list")).payload.nodes as any[]).some((n) => n.nodeId === request.deviceId && n.connected);
    // Each (re)connect is announced in a presence broadcast; check after each one.
    for (const deadline = Date.now() + 90_000; !(await isConnected()); ) {
      await admin.nextMatching((f) => f.event === "presence", Math.max(1, deadline - Date.now()));
    }
    expect(await isConnected()).toBe(true);
  }
}, 180_000);
