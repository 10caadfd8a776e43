/**
 * The control service driving a real headless Chromium: start a profile, open a loopback page, snapshot
 * it, click a button by ref and see the page change, screenshot, stop; crash recovery; CDP ports that
 * survive a restart of the service and differ between profiles.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BrowserApiError, createBrowserClient } from "../../src/browser/index.ts";
import { skipWithoutBrowser, startTestControl, startTestPage, type TestControl, TOKEN } from "../helpers/browser.ts";
import { waitFor } from "../helpers/wait.ts";

const SKIP = skipWithoutBrowser();
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

describe.skipIf(SKIP)("browser control e2e (headless chromium)", () => {
  let t: TestControl;
  let page: ReturnType<typeof startTestPage>;
  const client = () => createBrowserClient({ baseUrl: t.control.url, token: TOKEN });

  beforeAll(async () => {
    page = startTestPage();
    t = await startTestControl({ profiles: { work: { color: "#00AA00" } } });
  });
  afterAll(async () => {
    await t?.stop();
    page?.stop();
  });

  test("start, open, snapshot, click by ref, type, screenshot, stop", async () => {
    const b = client();
    const before = await b.status();
    expect(before).toMatchObject({ profile: "openclaw", running: false, crashed: false, launches: 0, color: "#FF4500" });
    expect(before.userDataDir).toBe(join(t.stateDir, "browser", "openclaw", "user-data"));

    const started = await b.start();
    expect(started).toMatchObject({ ok: true, running: true, attached: false, launches: 1 });
    expect(started.pid).toBeGreaterThan(0);
    expect(existsSync(join(t.stateDir, "browser", "openclaw", "user-data", "Default", "Preferences"))).toBe(true);

    const tab = await b.openTab(page.url);
    expect(tab.targetId).toMatch(/^[A-F0-9]+$/);
    const tabs = await b.tabs();
    expect(tabs.running).toBe(true);
    expect(tabs.tabs.map((x) => x.targetId)).toContain(tab.targetId);

    const snap = await b.snapshot({ targetId: tab.targetId });
    expect(snap.url).toBe(page.url);
    expect(snap.title).toBe("Test page");
    expect(snap.snapshot).toContain('heading "Hello"');
    const button = Object.entries(snap.refs).find(([, r]) => r.role === "button" && r.name === "Press me")?.[0];
    const box = Object.entries(snap.refs).find(([, r]) => r.role === "textbox" && r.name === "Name")?.[0];
    const select = Object.entries(snap.refs).find(([, r]) => r.role === "combobox")?.[0];
    expect(button).toBeDefined();
    expect(box).toBeDefined();

    await b.act({ kind: "type", ref: box as string, text: "Ada" });
    await b.act({ kind: "select", ref: select as string, values: ["blue"] });
    const clicked = await b.act({ kind: "click", ref: button as string });
    expect(clicked).toMatchObject({ ok: true, targetId: tab.targetId });
    await b.act({ kind: "wait", text: "Clicked Ada" });
    const after = await b.snapshot();
    expect(after.snapshot).toContain('heading "Clicked Ada"');
    expect(after.snapshot).toMatch(/option "blue" \[selected\]/);

    const png = await b.screenshot();
    expect([...png.slice(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(png.length).toBeGreaterThan(1000);

    const nav = await b.navigate(`${page.url}second`);
    expect(nav.title).toBe("Second");
    // The new document has none of the old elements: the old ref is refused with a clear error.
    const stale = await b.act({ kind: "click", ref: button as string }).catch((e) => e);
    expect(stale).toBeInstanceOf(BrowserApiError);
    expect(stale).toMatchObject({ status: 404, code: "REF_NOT_FOUND" });

    await b.focusTab(tab.targetId);
    await b.closeTab(tab.targetId);
    expect((await b.tabs()).tabs.map((x) => x.targetId)).not.toContain(tab.targetId);

    expect(await b.stop()).toMatchObject({ ok: true, stopped: true });
    expect(await b.status()).toMatchObject({ running: false, crashed: false, pid: null });
  }, 60_000);

  test("bad refs, unknown tabs and a stopped browser get clear errors", async () => {
    const b = client();
    await b.openTab(page.url);
    const noSnapshot = await b.act({ kind: "click", ref: "e2" }).catch((e) => e);
    expect(noSnapshot).toMatchObject({ status: 404, code: "REF_NOT_FOUND" });
    expect(noSnapshot.message).toContain("GET /snapshot first");
    await b.snapshot();
    expect(await b.act({ kind: "click", ref: "e9999" }).catch((e) => e)).toMatchObject({ status: 404, code: "REF_NOT_FOUND" });
    expect(await b.act({ kind: "click", ref: "../etc" }).catch((e) => e)).toMatchObject({ status: 400, code: "BAD_REQUEST" });
    expect(await b.snapshot({ targetId: "0123456789ABCDEF0123456789ABCDEF" }).catch((e) => e)).toMatchObject({ status: 404, code: "TAB_NOT_FOUND" });
    expect(await b.navigate("file:///etc/passwd").catch((e) => e)).toMatchObject({ status: 400, code: "BAD_REQUEST" });
    await b.stop();
    const focus = await b.focusTab("0123456789ABCDEF0123456789ABCDEF").catch((e) => e);
    expect(focus).toMatchObject({ status: 409, code: "BROWSER_NOT_RUNNING" });
    expect(focus.message).toContain("browser not running");
  }, 60_000);

  test("a crashed browser is reported in status and relaunched on the next call", async () => {
    const b = client();
    const first = await b.start();
    process.kill(first.pid as number, "SIGKILL");
    const status = await waitFor(async () => {
      const s = await b.status();
      return s.crashed ? s : undefined;
    }, "status to report the crash");
    expect(status).toMatchObject({ running: false, crashed: true, pid: null });
    // Driven over a pipe, the browser is not this process's child: its exit is seen, its signal is not.
    expect(status.lastExit).not.toBeNull();
    expect(t.logs.some((l) => l.includes("exited unexpectedly"))).toBe(true);

    const tab = await b.openTab(page.url);
    expect(tab.url).toBe(page.url);
    const again = await b.status();
    expect(again).toMatchObject({ running: true, crashed: false, launches: first.launches + 1 });
    expect(again.pid).not.toBe(first.pid);
    await b.stop();
  }, 60_000);

  test("the CDP port is persisted per profile, survives a restart, and two profiles differ", async () => {
    const b = client();
    const main = await b.status();
    const work = await b.status("work");
    expect(work.color).toBe("#00AA00");
    expect(work.cdpPort).not.toBe(main.cdpPort);
    const start = (t.config.browser?.cdpPortRangeStart as number) ?? 0;
    for (const p of [main.cdpPort, work.cdpPort]) {
      expect(p).toBeGreaterThanOrEqual(start);
      expect(p).toBeLessThanOrEqual(start + 99);
    }
    const persisted = JSON.parse(readFileSync(join(t.stateDir, "browser", "profiles.json"), "utf8"));
    expect(persisted.profiles.openclaw.cdpPort).toBe(main.cdpPort);
    expect(persisted.profiles.work.cdpPort).toBe(work.cdpPort);

    const w = await b.start("work");
    expect(w.cdpPort).toBe(work.cdpPort);
    const wt = await b.openTab(page.url, "work");
    expect((await b.tabs("work")).tabs.map((x) => x.targetId)).toContain(wt.targetId);
    expect((await b.tabs()).running).toBe(false);

    // Restart the service: it stops the browsers it launched, and the ports stay.
    await t.restart();
    const b2 = client();
    expect((await b2.status()).cdpPort).toBe(main.cdpPort);
    const w2 = await b2.status("work");
    expect(w2).toMatchObject({ cdpPort: work.cdpPort, running: false });
    expect((await b2.start("work")).cdpPort).toBe(work.cdpPort);
    await b2.stop("work");
  }, 60_000);
});
