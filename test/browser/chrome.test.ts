import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildLaunchArgs, decorateProfile } from "../../src/browser/chrome.ts";

describe("buildLaunchArgs", () => {
  const base = { extraArgs: [] as string[] };
  // Driven over a pipe (issue 17 §5): no DevTools port flag; Playwright adds the pipe and the profile dir.
  test("no DevTools port, quiet background services", () => {
    const args = buildLaunchArgs({ ...base, headless: false, noSandbox: false });
    expect(args.some((a) => a.startsWith("--remote-debugging-port") || a.startsWith("--remote-debugging-address"))).toBe(false);
    for (const flag of ["--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic"]) expect(args).toContain(flag);
    expect(args).not.toContain("--headless");
    expect(args).not.toContain("--no-sandbox");
  });
  test("headless, no-sandbox and extra args", () => {
    const args = buildLaunchArgs({ ...base, headless: true, noSandbox: true, extraArgs: ["--lang=de"] });
    expect(args).toContain("--disable-gpu");
    expect(args).toContain("--no-sandbox");
    expect(args).toContain("--lang=de");
  });
  test("with the egress proxy: its flags, loopback not bypassed, extra proxy flags dropped", () => {
    const extraArgs = ["--lang=de", "--no-proxy-server", "--proxy-server=http://other:3128", "--proxy-pac-url=data:x", "--proxy-bypass-list=*", "--proxy-auto-detect"];
    const args = buildLaunchArgs({ ...base, headless: true, noSandbox: true, extraArgs, proxyServer: "http://127.0.0.1:4567" });
    expect(args.filter((a) => /proxy/.test(a))).toEqual(["--proxy-server=http://127.0.0.1:4567", "--proxy-bypass-list=<-loopback>"]);
    expect(args).toContain("--lang=de");
  });
});

describe("decorateProfile", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "openclaw-decorate-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test("names and colors the profile, marks a clean exit, keeps other prefs", () => {
    decorateProfile(dir, "work", "#FF4500");
    const prefs = JSON.parse(readFileSync(join(dir, "Default", "Preferences"), "utf8"));
    expect(prefs.profile.name).toBe("work");
    expect(prefs.exited_cleanly).toBe(true);
    // 0xFFFF4500 as a signed 32-bit int
    expect(prefs.browser.theme.user_color2).toBe(-47872);
    const state = JSON.parse(readFileSync(join(dir, "Local State"), "utf8"));
    expect(state.profile.info_cache.Default.name).toBe("work");
    writeFileSync(join(dir, "Default", "Preferences"), JSON.stringify({ ...prefs, custom: 1, exited_cleanly: false }));
    decorateProfile(dir, "work", "#FF4500");
    const again = JSON.parse(readFileSync(join(dir, "Default", "Preferences"), "utf8"));
    expect(again).toMatchObject({ custom: 1, exited_cleanly: true });
  });
});
