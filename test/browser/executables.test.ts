import { describe, expect, test } from "bun:test";
import { browserCandidates, detectBrowserExecutable } from "../../src/browser/executables.ts";

describe("detectBrowserExecutable", () => {
  test("browser.executablePath wins, whatever is installed", () => {
    expect(detectBrowserExecutable("/opt/brave.com/brave/brave", { which: () => "/usr/bin/chromium" })).toEqual({ kind: "brave", path: "/opt/brave.com/brave/brave" });
  });

  test("Linux: Chrome before Chromium before Brave before Edge, via PATH or fixed paths", () => {
    const installed = (names: string[]) => ({ platform: "linux" as const, which: (n: string) => (names.includes(n) ? `/usr/bin/${n}` : null), exists: (p: string) => names.includes(p) });
    expect(detectBrowserExecutable(undefined, installed(["chromium", "google-chrome"]))).toEqual({ kind: "chrome", path: "/usr/bin/google-chrome" });
    expect(detectBrowserExecutable(undefined, installed(["chromium-browser", "brave-browser"]))).toEqual({ kind: "chromium", path: "/usr/bin/chromium-browser" });
    expect(detectBrowserExecutable(undefined, installed(["/opt/microsoft/msedge/msedge"]))).toEqual({ kind: "edge", path: "/opt/microsoft/msedge/msedge" });
    expect(detectBrowserExecutable(undefined, installed([]))).toBeNull();
  });

  test("macOS: app bundles in /Applications and ~/Applications", () => {
    const env = { HOME: "/Users/ada" };
    const brave = "/Users/ada/Applications/Brave Browser.app/Contents/MacOS/Brave Browser";
    expect(detectBrowserExecutable(undefined, { platform: "darwin", env, exists: (p) => p === brave })).toEqual({ kind: "brave", path: brave });
    expect(browserCandidates("darwin", env)[0].path).toBe("/Applications/Google Chrome.app/Contents/MacOS/Google Chrome");
  });

  test("Windows: Program Files, Program Files (x86) and LocalAppData", () => {
    const env = { LOCALAPPDATA: "C:\\Users\\ada\\AppData\\Local", PROGRAMFILES: "C:\\Program Files", "PROGRAMFILES(X86)": "C:\\Program Files (x86)" };
    const edge = "C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe";
    expect(detectBrowserExecutable(undefined, { platform: "win32", env, exists: (p) => p === edge })).toEqual({ kind: "edge", path: edge });
    expect(browserCandidates("win32", env).map((c) => c.path)).toContain("C:\\Users\\ada\\AppData\\Local\\Google\\Chrome\\Application\\chrome.exe");
  });
});
