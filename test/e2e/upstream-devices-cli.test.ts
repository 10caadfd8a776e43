/**
 * The upstream 2026.2.3 CLI against our compiled gateway: a node host connecting from a non-loopback address
 * asks to pair; `openclaw devices list` (upstream) shows the request and the paired devices without crashing
 * on the token list, and `openclaw devices approve <id>` (upstream) approves it.
 *
 * The node host is the upstream `openclaw node run` itself, connecting to this machine's first non-loopback
 * IPv4 address (the gateway binds `lan`), so the gateway sees a remote peer. On a machine without one, a
 * simulated node host (same client id and mode, signed device identity) connects through a proxy header.
 * Needs the reference install (~/.cache/openclaw-reference, see /work/shared/tools/reference-gateway.sh);
 * skipped when it is missing unless OPENCLAW_REQUIRE_REFERENCE is set, then it fails.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { networkInterfaces, homedir } from "node:os";
import { join } from "node:path";
import { ensureBinary, freePort, startBinaryGateway, tempHome } from "../helpers/binary.ts";
import { SimulatedNode } from "../helpers/node.ts";
import { connectClient } from "../helpers/ws.ts";

const REF_DIR = process.env.OPENCLAW_REFERENCE_DIR ?? join(homedir(), ".cache", "openclaw-reference");
const REF_BIN = join(REF_DIR, "node_modules", ".bin");
const REF_CLI = join(REF_BIN, "openclaw");
const HAVE_REFERENCE = existsSync(REF_CLI) && existsSync(join(REF_BIN, "node"));
const REQUIRED = Boolean(process.env.OPENCLAW_REQUIRE_REFERENCE);
const TOKEN = "upstream-cli-e2e-token-0123456789abcdef012";
const cleanups: (() => unknown)[] = [];

if (!HAVE_REFERENCE && !REQUIRED) {
  console.warn(`skipping the upstream CLI e2e: no reference install at ${REF_CLI} (install it with /work/shared/tools/reference-gateway.sh install; set OPENCLAW_REQUIRE_REFERENCE=1 to make this a failure)`);
}

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

/** The environment the upstream CLI runs in: its own HOME, its bundled Node first on PATH. */
function refEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: `${REF_BIN}:${process.env.PATH ?? "/usr/bin:/bin"}`, HOME: home, OPENCLAW_DISABLE_BONJOUR: "1", NO_COLOR: "1", ...extra };
}

async function refCli(home: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const p = Bun.spawn([REF_CLI, ...args], { env: refEnv(home), cwd: home, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, stdout, stderr };
}

test.skipIf(!HAVE_REFERENCE && !REQUIRED)("upstream `devices list` and `devices approve` against our binary, for a remote node host", async () => {
  expect({ referenceInstalled: HAVE_REFERENCE, at: REF_CLI }).toEqual({ referenceInstalled: true, at: REF_CLI });
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
    const host = Bun.spawn([REF_CLI, "node", "run", "--host", lanAddress as string, "--port", String(port), "--display-name", "remote-host"], {
      env: refEnv(nodeHome, { OPENCLAW_GATEWAY_TOKEN: TOKEN }),
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

  // 2. The upstream CLI, aimed at our gateway.
  const refHome = tempHome();
  cleanups.push(() => rmSync(refHome, { recursive: true, force: true }));
  mkdirSync(join(refHome, ".openclaw"), { recursive: true });
  writeFileSync(join(refHome, ".openclaw", "openclaw.json"), JSON.stringify({ gateway: { mode: "remote", remote: { url, token: TOKEN } } }));

  const listed = await refCli(refHome, "devices", "list", "--json");
  expect({ code: listed.code, stderr: listed.stderr.includes("tokens.map") }).toEqual({ code: 0, stderr: false });
  const json = JSON.parse(listed.stdout.slice(listed.stdout.indexOf("{")));
  expect(json.pending).toContainEqual(expect.objectContaining({ requestId: request.requestId, clientId: "node-host", role: "node" }));
  // The upstream CLI itself paired (loopback) and is listed with a token array.
  expect(json.paired.length).toBeGreaterThan(0);
  for (const d of json.paired) expect(Array.isArray(d.tokens)).toBe(true);

  const table = await refCli(refHome, "devices", "list");
  expect({ code: table.code, crashed: /tokens\.map is not a function/.test(table.stderr + table.stdout) }).toEqual({ code: 0, crashed: false });
  expect(table.stdout).toContain(request.requestId);

  const approved = await refCli(refHome, "devices", "approve", request.requestId);
  expect({ code: approved.code, unknown: /unknown requestId/.test(approved.stderr + approved.stdout) }).toEqual({ code: 0, unknown: false });
  expect(approved.stdout).toContain(request.deviceId);

  // 3. One source of truth: the request is gone from both lists and the node is paired (node role token).
  expect(await pendingNode()).toBeUndefined();
  expect((await admin.request("node.pair.list")).payload.pending).toEqual([]);
  const after = await refCli(refHome, "devices", "list", "--json");
  const paired = JSON.parse(after.stdout.slice(after.stdout.indexOf("{"))).paired.find((d: any) => d.deviceId === request.deviceId);
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
