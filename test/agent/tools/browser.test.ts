/**
 * The `browser` tool: its arguments map onto the control API (upstream's `request` form and the flat form),
 * screenshots come back as images, errors carry the service's code; and through the gateway's adapter and
 * a real control service, the agent is an unprivileged caller: a loopback URL is refused unless
 * `browser.allowPrivate` is set (the refusal needs no browser launch).
 */
import { afterAll, describe, expect, test } from "bun:test";
import { bindTool } from "../../../src/agent/tools/define.ts";
import { browserTool } from "../../../src/agent/tools/browser.ts";
import type { ToolBrowser } from "../../../src/agent/tools/types.ts";
import { BrowserApiError } from "../../../src/browser/index.ts";
import { toToolBrowser } from "../../../src/gateway/browser-bridge/index.ts";
import { startTestControl, type TestControl, TOKEN } from "../../helpers/browser.ts";

const run = { config: {}, agentId: "main", sessionKey: "agent:main:main" };
const signal = new AbortController().signal;

function recordingPort(): { port: ToolBrowser; calls: [string, unknown[]][] } {
  const calls: [string, unknown[]][] = [];
  const rec = (name: string, answer: unknown) => async (...a: unknown[]) => {
    calls.push([name, a]);
    if (answer instanceof Error) throw answer;
    return answer as never;
  };
  const port: ToolBrowser = {
    status: rec("status", { profile: "openclaw", profiles: ["openclaw"], running: false, pid: null, browser: "chromium", headless: true, enabled: true, crashed: false }),
    start: rec("start", { profile: "openclaw", profiles: ["openclaw"], running: true, pid: 7, browser: "chromium", headless: true, enabled: true, crashed: false }),
    stop: rec("stop", { ok: true, stopped: true, profile: "openclaw" }),
    tabs: rec("tabs", { running: true, tabs: [{ targetId: "T1", title: "Home", url: "https://example.com/", type: "page" }] }),
    openTab: rec("openTab", { targetId: "T1", title: "Home", url: "https://example.com/", type: "page" }),
    focusTab: rec("focusTab", { ok: true, targetId: "T1" }),
    closeTab: rec("closeTab", { ok: true, targetId: "T1" }),
    navigate: rec("navigate", { ok: true, targetId: "T1", url: "https://example.com/b", title: "B" }),
    snapshot: rec("snapshot", { ok: true, format: "ai", targetId: "T1", url: "https://example.com/", title: "Home", snapshot: '- button "Go" [ref=e1]', refs: { e1: { role: "button", name: "Go" } }, truncated: false }),
    act: rec("act", { ok: true, targetId: "T1", url: "https://example.com/" }),
    screenshot: rec("screenshot", new Uint8Array([0x89, 0x50, 0x4e, 0x47])),
  };
  return { port, calls };
}

describe("browser tool → port", () => {
  test("each action calls the matching control API call with its arguments", async () => {
    const { port, calls } = recordingPort();
    const tool = bindTool(browserTool, run, { browser: port });
    expect(tool.http).toBe(false);
    const call = (args: Record<string, unknown>) => tool.run(args, { signal });
    expect((await call({ action: "status" })).text).toContain("running: no");
    expect((await call({ action: "open", targetUrl: "https://example.com/", profile: "work" })).text).toBe("opened tab T1: Home https://example.com/");
    await call({ action: "navigate", url: "https://example.com/b", targetId: "T1" });
    const snap = await call({ action: "snapshot" });
    expect(snap.text).toContain('button "Go" [ref=e1]');
    await call({ action: "act", request: { kind: "click", ref: "e1" } });
    await call({ action: "act", kind: "type", ref: "e2", text: "hi", submit: true, targetId: "T1" });
    const shot = await call({ action: "screenshot", fullPage: true });
    expect(shot.images).toEqual([{ type: "image", data: Buffer.from([0x89, 0x50, 0x4e, 0x47]).toString("base64"), mimeType: "image/png" }]);
    expect((await call({ action: "tabs" })).text).toBe("T1  Home  https://example.com/");
    await call({ action: "close", targetId: "T1" });
    expect(calls).toEqual([
      ["status", [undefined]],
      ["openTab", ["https://example.com/", "work"]],
      ["navigate", ["https://example.com/b", { targetId: "T1" }]],
      ["snapshot", [{ maxChars: 20_000 }]],
      ["act", [{ kind: "click", ref: "e1" }, undefined]],
      ["act", [{ kind: "type", ref: "e2", text: "hi", submit: true, targetId: "T1" }, undefined]],
      ["screenshot", [{ fullPage: true, type: "png" }]],
      ["tabs", [undefined]],
      ["closeTab", ["T1", undefined]],
    ]);
  });

  test("missing arguments and service refusals come back as errors naming the field or the code", async () => {
    const { port } = recordingPort();
    port.act = async () => {
      throw new BrowserApiError(404, "REF_NOT_FOUND", 'unknown ref "e9"');
    };
    const tool = bindTool(browserTool, run, { browser: port });
    await expect(tool.run({ action: "open" }, { signal })).rejects.toThrow("open needs targetUrl");
    await expect(tool.run({ action: "focus" }, { signal })).rejects.toThrow("focus needs targetId");
    await expect(tool.run({ action: "act", ref: "e1" }, { signal })).rejects.toThrow("act needs kind");
    await expect(tool.run({ action: "act", kind: "click", ref: "e9" }, { signal })).rejects.toThrow('browser act: unknown ref "e9" (REF_NOT_FOUND)');
    await expect(tool.run({ action: "dance" }, { signal })).rejects.toThrow('unknown action "dance"');
    await expect(tool.run({ action: "act", request: { kind: "fly" } }, { signal })).rejects.toThrow("request.kind");
  });
});

describe("browser tool through the gateway adapter and a real control service", () => {
  let t: TestControl | undefined;
  afterAll(async () => {
    await t?.stop();
  });

  test("the agent may not open loopback pages unless browser.allowPrivate is set; nothing is launched for the refusal", async () => {
    t = await startTestControl();
    const port = toToolBrowser({ control: () => t?.control, secret: () => TOKEN });
    const tool = bindTool(browserTool, run, { browser: port });
    const err = await tool.run({ action: "open", targetUrl: "http://127.0.0.1:9/secret" }, { signal }).then(() => new Error("resolved"), (e: Error) => e);
    expect(err.message).toContain("browser open: refused http://127.0.0.1:9/secret");
    expect(err.message).toContain("(PRIVATE_ADDRESS)");
    const nav = await tool.run({ action: "navigate", targetUrl: "http://localhost:9/" }, { signal }).then(() => new Error("resolved"), (e: Error) => e);
    expect(nav.message).toContain("(PRIVATE_ADDRESS)");
    const status = await tool.run({ action: "status" }, { signal });
    expect(status.text).toContain("running: no");

    // The allowed case (browser.allowPrivate: true, a loopback page) is the e2e test in test/e2e/agent-browser.test.ts.
  });

  test("no control service: a clear error", async () => {
    const tool = bindTool(browserTool, run, { browser: toToolBrowser({ control: () => undefined, secret: () => TOKEN }) });
    await expect(tool.run({ action: "status" }, { signal })).rejects.toThrow("browser control is not running");
  });
});
