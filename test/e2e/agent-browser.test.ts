/**
 * The agent drives the browser through the compiled binary: a gateway whose model is the local fake (it
 * streams tool_calls) and whose browser is Debian's chromium, headless. One browser launch: `browser open`
 * loads a local page (allowed by `browser.allowPrivate: true`, a file-only key), `snapshot` shows its button
 * with a ref, `act` clicks it, a second snapshot shows the changed text, and `screenshot` reaches the model
 * as an image part of the next request. A second gateway without `browser.allowPrivate` refuses the same
 * loopback page to the agent (before any browser is launched).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomRangeStart, skipWithoutBrowser } from "../helpers/browser.ts";
import { ensureBinary, freePort, runBinaryAsync, startBinaryGateway, tempHome } from "../helpers/binary.ts";
import { type FakeProvider, type FakeRequest, startFakeProvider } from "../helpers/fake-provider.ts";

const SKIP = skipWithoutBrowser();
const TOKEN = "agent-browser-e2e-token-0123456789abcdef";

/** Runs the CLI without blocking this process (the fake provider and the page live here). */
const cli = (home: string, args: string[]) => runBinaryAsync(args, { home });

/** The text of the tool result for `callId` in the requests the fake received. */
function toolResult(requests: FakeRequest[], callId: string): string {
  for (const r of requests) {
    const m = (r.body.messages as any[]).find((x) => x.role === "tool" && x.tool_call_id === callId);
    if (m) return typeof m.content === "string" ? m.content : JSON.stringify(m.content);
  }
  throw new Error(`no tool result for ${callId}`);
}

async function startGateway(fake: FakeProvider, browser: Record<string, unknown>) {
  const home = tempHome();
  mkdirSync(join(home, ".openclaw"), { recursive: true });
  const workspace = join(home, "workspace");
  mkdirSync(workspace);
  const config = {
    gateway: { mode: "local", port: freePort(), auth: { token: TOKEN } },
    models: { providers: { local: { baseUrl: fake.openaiBaseUrl, apiKey: "sk-e2e", api: "openai-completions", models: [{ id: "m1" }] } } },
    agents: { defaults: { model: "local/m1", workspace } },
    tools: { profile: "full" },
    browser: { headless: true, noSandbox: true, cdpPortRangeStart: randomRangeStart(), ...browser },
  };
  writeFileSync(join(home, ".openclaw", "openclaw.json"), JSON.stringify(config));
  const gw = await startBinaryGateway(["gateway"], { home });
  return { home, gw };
}

describe.skipIf(SKIP)("agent browser tool (binary, chromium)", () => {
  let fake: FakeProvider;
  let page: ReturnType<typeof Bun.serve>;
  const gateways: Awaited<ReturnType<typeof startGateway>>[] = [];

  beforeAll(async () => {
    await ensureBinary();
    fake = startFakeProvider();
    page = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: () =>
        new Response(`<!doctype html><html><head><title>Counter</title></head><body><h1 id="status">Not clicked yet</h1><button onclick="document.getElementById('status').textContent='The button was clicked'">Click me</button></body></html>`, {
          headers: { "content-type": "text/html" },
        }),
    });
  });
  afterAll(async () => {
    for (const g of gateways) {
      g.gw.proc.kill("SIGTERM");
      await g.gw.proc.exited;
      rmSync(g.home, { recursive: true, force: true });
    }
    page?.stop(true);
    fake?.stop();
  });

  test("open, snapshot, act (click), snapshot, screenshot: the image reaches the model", async () => {
    const g = await startGateway(fake, { allowPrivate: true });
    gateways.push(g);
    const url = `http://127.0.0.1:${page.port}/`;

    // Run 1: open the page and look at it.
    let from = fake.requests.length;
    fake.push(
      { toolCalls: [{ id: "open1", name: "browser", args: { action: "open", targetUrl: url } }] },
      { toolCalls: [{ id: "snap1", name: "browser", args: { action: "snapshot" } }] },
      { text: "I see a button." },
    );
    const r1 = await cli(g.home, ["agent", "--message", "open my page"]);
    expect(r1.stderr).toBe("");
    expect(r1.stdout).toBe("I see a button.\n");
    // The browser tool was offered with upstream's actions.
    const offered = fake.requests[from]!.body.tools.find((t: any) => t.function.name === "browser");
    expect(offered.function.parameters.properties.action.enum).toEqual(["status", "start", "stop", "tabs", "open", "focus", "close", "navigate", "snapshot", "screenshot", "act"]);
    expect(toolResult(fake.requests.slice(from), "open1")).toMatch(/^opened tab [A-F0-9]+: Counter http:\/\/127\.0\.0\.1:\d+\/$/);
    const snap1 = toolResult(fake.requests.slice(from), "snap1");
    expect(snap1).toContain('heading "Not clicked yet"');
    const ref = /button "Click me" \[ref=(e\d+)\]/.exec(snap1)?.[1];
    expect(ref).toBeDefined();

    // Run 2: click by ref, look again, take a screenshot.
    from = fake.requests.length;
    fake.push(
      { toolCalls: [{ id: "act1", name: "browser", args: { action: "act", request: { kind: "click", ref } } }] },
      { toolCalls: [{ id: "snap2", name: "browser", args: { action: "snapshot" } }] },
      { toolCalls: [{ id: "shot1", name: "browser", args: { action: "screenshot" } }] },
      { text: "Clicked; the page says so." },
    );
    const r2 = await cli(g.home, ["agent", "--message", "click the button and show me"]);
    expect(r2.stderr).toBe("");
    expect(r2.stdout).toBe("Clicked; the page says so.\n");
    const after = fake.requests.slice(from);
    expect(toolResult(after, "act1")).toStartWith("click done on tab ");
    expect(toolResult(after, "snap2")).toContain('heading "The button was clicked"');
    expect(toolResult(after, "shot1")).toMatch(/^screenshot \(png, \d+ bytes\)/);
    // Chat completions carry tool images in a user message after the tool results: the last request has it.
    const last = after.at(-1)!.body.messages as any[];
    const images = last.flatMap((m) => (m.role === "user" && Array.isArray(m.content) ? m.content : [])).filter((p: any) => p.type === "image_url");
    expect(images).toHaveLength(1);
    const dataUrl = images[0].image_url.url as string;
    expect(dataUrl).toStartWith("data:image/png;base64,");
    const png = Buffer.from(dataUrl.slice("data:image/png;base64,".length), "base64");
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.byteLength).toBeGreaterThan(1000);
    // One launch for the whole conversation, still running.
    const status = JSON.parse((await cli(g.home, ["browser", "status", "--json"])).stdout);
    expect(status).toMatchObject({ running: true, launches: 1 });
  }, 120_000);

  test("without browser.allowPrivate the agent's loopback URL is refused", async () => {
    const g = await startGateway(fake, {});
    gateways.push(g);
    const from = fake.requests.length;
    fake.push({ toolCalls: [{ id: "open2", name: "browser", args: { action: "open", targetUrl: `http://127.0.0.1:${page.port}/` } }] }, { text: "Refused." });
    const r = await cli(g.home, ["agent", "--message", "open my page"]);
    expect(r.stdout).toBe("Refused.\n");
    const result = toolResult(fake.requests.slice(from), "open2");
    expect(result).toContain(`browser open: refused http://127.0.0.1:${page.port}/`);
    expect(result).toContain("(PRIVATE_ADDRESS)");
    const status = JSON.parse((await cli(g.home, ["browser", "status", "--json"])).stdout);
    expect(status).toMatchObject({ running: false, launches: 0 });
  }, 60_000);
});
