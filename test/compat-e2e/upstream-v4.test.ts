/**
 * The upstream 2026.9.6 clients (protocol v4) against our compiled binary (issue 22): its CLI (`gateway call
 * health`, `health`, `status`, `nodes list`, `devices list`, `logs`) and its node host, which connects at v4,
 * is paired by an operator with our CLI, and runs `system.which` for our `node.invoke`. Every client goes
 * through a recording forwarder, so the test sees the version each connect negotiated.
 */
import { afterAll, beforeAll, describe, expect } from "bun:test";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensureBinary, freePort, runBinary, startBinaryGateway, tempHome } from "../helpers/binary.ts";
import { parseCliJson, runUpstreamCli } from "../helpers/upstream.ts";
import { type RecordingProxy, referenceV4ForSuite, startRecordingProxy, startUpstreamNodeHost } from "../helpers/upstream-v4.ts";
import { waitFor } from "../helpers/wait.ts";
import { connectClient, type TestSocket } from "../helpers/ws.ts";

const { ref, run } = referenceV4ForSuite("upstream 2026.9.6 clients e2e");
const TOKEN = "v4-e2e-token-0123456789abcdef0123456789";

let home: string;
let gateway: Awaited<ReturnType<typeof startBinaryGateway>> | undefined;
let url: string;
let proxy: RecordingProxy;
let admin: TestSocket;

beforeAll(async () => {
  if (!ref) return;
  await ensureBinary();
  home = tempHome();
  const port = freePort();
  mkdirSync(join(home, ".openclaw"), { recursive: true });
  writeFileSync(
    join(home, ".openclaw", "openclaw.json"),
    JSON.stringify({ gateway: { mode: "local", port, auth: { token: TOKEN } }, logging: { file: join(home, "logs", "openclaw.log") } }),
  );
  gateway = await startBinaryGateway(["gateway"], { home, timeoutMs: 20_000 });
  url = `ws://127.0.0.1:${port}`;
  proxy = startRecordingProxy(url);
  ({ sock: admin } = await connectClient(url, TOKEN, { scopes: ["operator.admin"] }));
}, 60_000);

afterAll(async () => {
  admin?.close();
  proxy?.stop();
  gateway?.proc.kill("SIGTERM");
  await gateway?.proc.exited;
  if (home) rmSync(home, { recursive: true, force: true });
});

/** The 9.6 CLI, pointed at the recording forwarder in front of our gateway. */
const cli = (args: string[]) => runUpstreamCli(ref!, { url: `ws://127.0.0.1:${proxy.port}`, token: TOKEN }, args, { timeoutMs: 90_000 });

/** Connect requests and their answers seen since `from` (index into proxy.frames). */
function handshakesSince(p: RecordingProxy, from: number): { connect: any; hello: any }[] {
  const frames = p.frames.slice(from);
  return frames
    .filter((f) => f.dir === "in" && f.frame?.method === "connect")
    .map((f) => ({ connect: f.frame.params, hello: frames.find((o) => o.dir === "out" && o.frame?.type === "res" && o.frame.id === f.frame.id)?.frame }));
}

describe("the 2026.9.6 CLI against our gateway", () => {
  const COMMANDS: [args: string[], check: (stdout: string) => void][] = [
    [["gateway", "call", "health", "--json"], (out) => expect(parseCliJson(out)).toMatchObject({ ok: true, defaultAgentId: "main" })],
    [["health"], (out) => expect(out).toContain("Agents: main (default)")],
    [["status"], (out) => expect(out).toMatch(/Gateway\s+│ remote · ws:\/\/127\.0\.0\.1:\d+ .*reachable/)],
    [["nodes", "list"], (out) => expect(out).toContain("Pending: 0 · Paired: 0")],
    [["devices", "list"], (out) => expect(out).toContain("No device pairing entries.")],
    [["logs", "--limit", "20"], (out) => expect(out).toContain("client connected")],
  ];
  for (const [args, check] of COMMANDS) {
    run(`openclaw ${args.join(" ")}: exits 0, every socket negotiated v4`, async () => {
      const from = proxy.frames.length;
      const r = await cli(args);
      expect({ code: r.code, stderr: r.stderr.split("\n").filter((l) => /error|failed|mismatch/i.test(l)) }).toEqual({ code: 0, stderr: [] });
      check(r.stdout);
      const shakes = handshakesSince(proxy, from);
      expect(shakes.length).toBeGreaterThanOrEqual(1);
      for (const { connect, hello } of shakes) {
        expect(connect.maxProtocol).toBe(4);
        expect(hello).toMatchObject({ ok: true, payload: { type: "hello-ok", protocol: 4 } });
        expect(hello.payload.auth.scopes).toBeArray();
      }
      // No call of theirs hit a method we do not have.
      const unknown = proxy.frames.slice(from).filter((f) => f.dir === "out" && /unknown method/.test(f.frame?.error?.message ?? ""));
      expect(unknown).toEqual([]);
    }, 120_000);
  }
});

describe("the 2026.9.6 node host against our gateway", () => {
  run("connects at v4 (payload v3 signature), waits for pairing, is approved with our CLI, runs system.which", async () => {
    // Behind a forwarder that says the peer is remote, so the device is not auto-approved as a local one.
    const remote = startRecordingProxy(url, { "x-forwarded-for": "203.0.113.50" });
    const node = startUpstreamNodeHost(ref!, { host: "127.0.0.1", port: remote.port, token: TOKEN, displayName: "v4-e2e-node" });
    try {
      const requested = await admin.nextMatching((f) => f.event === "node.pair.requested" || f.event === "device.pair.requested", 90_000);
      // The event can overtake the refusal on its way through the forwarder.
      const first = await waitFor(() => handshakesSince(remote, 0).find((h) => h.hello), "the first connect's answer", 10_000);
      expect(first.connect).toMatchObject({ minProtocol: 4, maxProtocol: 4, role: "node", client: { id: "node-host", mode: "node" } });
      expect(first.hello.error).toMatchObject({ code: "NOT_PAIRED", details: { code: "PAIRING_REQUIRED", requestId: requested.payload.requestId } });

      const approve = runBinary(["nodes", "approve", requested.payload.requestId, "--url", url, "--token", TOKEN], { home });
      expect({ code: approve.code, stderr: approve.stderr }).toEqual({ code: 0, stderr: "" });

      const listed = await waitFor(
        async () => {
          const res = await admin.request("node.list", {});
          return res.payload.nodes.find((n: any) => n.displayName === "v4-e2e-node" && n.connected);
        },
        "the node host connected after approval",
        { timeoutMs: 150_000, intervalMs: 250 },
      );
      const hello = handshakesSince(remote, 0).find((h) => h.hello?.ok)!.hello.payload;
      expect(hello.protocol).toBe(4);
      expect(hello.auth).toMatchObject({ role: "node", scopes: [] });
      await waitFor(() => node.output().includes("node host gateway connected"), "the node host's connected line", { timeoutMs: 30_000, intervalMs: 100 });

      const res = await admin.request("node.invoke", { nodeId: listed.nodeId, command: "system.which", params: { bins: ["sh", "no-such-binary-v4e2e"] }, idempotencyKey: "which-1" });
      expect(res.ok).toBe(true);
      expect(res.payload.payload.bins.sh).toMatch(/\/sh$/);
      expect(res.payload.payload.bins["no-such-binary-v4e2e"]).toBeUndefined();
    } finally {
      await node.stop();
      remote.stop();
    }
  }, 300_000);
});
