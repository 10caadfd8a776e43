/**
 * Agent runs through the compiled binary: `openclaw agent` streams the answer from a gateway whose
 * provider is the local fake; errors exit 1 with the gateway's message; a kill -9 mid-run loses no
 * acknowledged message and the session keeps working after a restart.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensureBinary, freePort, runBinaryAsync, startBinaryGateway, tempHome } from "../helpers/binary.ts";
import { collectUntil, connectWebchat } from "../helpers/agent-gateway.ts";
import { type FakeProvider, startFakeProvider } from "../helpers/fake-provider.ts";

const TOKEN = "agent-e2e-token-0123456789abcdef0123456789";
let fake: FakeProvider;
const homes: string[] = [];
const procs: { kill(sig?: number | NodeJS.Signals): void }[] = [];

beforeAll(async () => {
  await ensureBinary();
  fake = startFakeProvider();
});
afterAll(() => {
  for (const p of procs) p.kill("SIGKILL");
  for (const h of homes) rmSync(h, { recursive: true, force: true });
  fake.stop();
});

async function start(model = "local/m1") {
  const home = tempHome();
  homes.push(home);
  const port = freePort();
  mkdirSync(join(home, ".openclaw"), { recursive: true });
  const workspace = join(home, "workspace");
  mkdirSync(workspace);
  writeFileSync(join(workspace, "IDENTITY.md"), "Name: Testy");
  const config = {
    gateway: { mode: "local", port, auth: { token: TOKEN } },
    models: { providers: { local: { baseUrl: fake.openaiBaseUrl, apiKey: "sk-e2e", api: "openai-completions", models: [{ id: "m1" }] } } },
    agents: { defaults: { model, workspace } },
  };
  writeFileSync(join(home, ".openclaw", "openclaw.json"), JSON.stringify(config));
  const gw = await startBinaryGateway(["gateway"], { home });
  procs.push(gw.proc);
  return { home, port, gw, url: `ws://127.0.0.1:${port}` };
}

/** Runs the CLI without blocking this process (the fake provider lives here). */
const cli = (args: string[], home: string) => runBinaryAsync(args, { home });

describe("openclaw agent (compiled binary)", () => {
  test("prints the streamed answer; --json prints the final payload", async () => {
    const { home, gw } = await start();
    fake.push({ text: ["Hello", ", ", "world", "!"], delayMs: 10 });
    const r = await cli(["agent", "--message", "hi"], home);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("Hello, world!\n");
    const sent = fake.requests.at(-1)?.body;
    expect(sent.messages.at(-1)).toEqual({ role: "user", content: "hi" });
    expect(sent.messages[0].content).toContain("Name: Testy");
    expect(sent.messages[0].content).toContain("channel: cli");

    fake.push({ text: "as json" });
    const j = await cli(["agent", "-m", "again", "--json", "--thinking", "low"], home);
    expect(j.code).toBe(0);
    const final = JSON.parse(j.stdout);
    expect(final).toMatchObject({ status: "ok", summary: "completed", result: { payloads: [{ text: "as json" }], meta: { agentMeta: { provider: "local", model: "m1" } } } });
    gw.proc.kill("SIGTERM");
    expect(await gw.proc.exited).toBe(0);
  });

  test("errors exit 1 with the gateway's message: missing key, provider down, timeout", async () => {
    const { home, gw } = await start("anthropic/claude-x");
    const nokey = await cli(["agent", "--message", "hi"], home);
    expect(nokey.code).toBe(1);
    expect(nokey.stderr).toContain('No API key found for provider "anthropic"');
    gw.proc.kill("SIGTERM");
    await gw.proc.exited;

    const second = await start();
    fake.push({ status: 500, headers: { "retry-after": "0" } }, { status: 500, headers: { "retry-after": "0" } });
    const down = await cli(["agent", "--message", "hi"], second.home);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain("HTTP 500");
    fake.push({ hang: true, first: "slow" });
    const slow = await cli(["agent", "--message", "hi", "--timeout", "1"], second.home);
    expect(slow.code).toBe(1);
    expect(slow.stdout).toBe("slow\n");
    expect(slow.stderr).toContain("timed out after 1s");
    fake.push({ text: "still fine" });
    expect((await cli(["agent", "--message", "hi"], second.home)).stdout).toBe("still fine\n");
    second.gw.proc.kill("SIGTERM");
    await second.gw.proc.exited;
  });

  test("kill -9 mid-run: the acknowledged message survives, the session keeps working", async () => {
    const { home, gw, url } = await start();
    const web = await connectWebchat(url, TOKEN);
    fake.push({ hang: true, first: "I was saying" });
    const ack = await web.request("chat.send", { sessionKey: "main", message: "remember me", idempotencyKey: "crash-1" });
    expect(ack.payload.status).toBe("started");
    await web.nextMatching((f) => f.event === "agent" && f.payload.runId === "crash-1" && f.payload.stream === "assistant");
    gw.proc.kill("SIGKILL");
    await gw.proc.exited;
    web.close();

    const again = await startBinaryGateway(["gateway"], { home });
    procs.push(again.proc);
    const web2 = await connectWebchat(url, TOKEN);
    const history = (await web2.request("chat.history", { sessionKey: "main" })).payload.messages;
    expect(history[0]).toMatchObject({ role: "user", content: [{ type: "text", text: "remember me" }] });
    const retry = await web2.request("chat.send", { sessionKey: "main", message: "remember me", idempotencyKey: "crash-1" });
    expect(retry.payload).toEqual({ runId: "crash-1", status: "error" });
    fake.push({ text: "back again" });
    await web2.request("chat.send", { sessionKey: "main", message: "are you back?", idempotencyKey: "crash-2" });
    const end = (await collectUntil(web2, (f) => f.event === "chat" && f.payload.runId === "crash-2" && f.payload.state !== "delta")).at(-1);
    expect(end.payload).toMatchObject({ state: "final", message: { content: [{ type: "text", text: "back again" }] } });
    const list = (await web2.request("sessions.list", {})).payload.sessions;
    expect(list[0]).toMatchObject({ key: "agent:main:main", abortedLastRun: false });
    web2.close();
    again.proc.kill("SIGTERM");
    expect(await again.proc.exited).toBe(0);
  });
});
