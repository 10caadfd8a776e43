import { describe, expect, test } from "bun:test";
import { pickProfile, resolveBrowserConfig } from "../../src/browser/config.ts";
import { BrowserApiError } from "../../src/browser/errors.ts";
import { derivePorts } from "../../src/config/paths.ts";
import { parseConfigText } from "../../src/config/load.ts";
import { ConfigError } from "../../src/errors.ts";

function validateConfig(config: unknown): { path: string; message: string }[] {
  try {
    parseConfigText(JSON.stringify(config), "openclaw.json", {});
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
}

const LINUX_ROOT = { platform: "linux" as const, uid: 0, hasDisplay: false };
const MAC_USER = { platform: "darwin" as const, uid: 501, hasDisplay: false };

describe("resolveBrowserConfig", () => {
  test("defaults: enabled, one openclaw profile, CDP range control+9 … control+108", () => {
    const { browserControl } = derivePorts(18789);
    const r = resolveBrowserConfig({}, browserControl, MAC_USER);
    expect(r.enabled).toBe(true);
    expect(r.controlPort).toBe(18791);
    expect(r.cdpRange).toEqual({ start: 18800, end: 18899 });
    expect(r.defaultProfile).toBe("openclaw");
    expect(r.profiles).toEqual({ openclaw: { name: "openclaw", color: "#FF4500", cdpUrl: undefined, driver: "openclaw" } });
    expect(r.headless).toBe(false);
    expect(r.noSandbox).toBe(false);
  });

  test("the dev profile's control port 19003 gives CDP 19012-19111", () => {
    const r = resolveBrowserConfig({}, derivePorts(19001).browserControl, MAC_USER);
    expect(r.cdpRange).toEqual({ start: 19012, end: 19111 });
  });

  test("Linux without a display runs headless; root runs without the sandbox; config wins", () => {
    expect(resolveBrowserConfig({}, 18791, LINUX_ROOT)).toMatchObject({ headless: true, noSandbox: true });
    expect(resolveBrowserConfig({ browser: { headless: false, noSandbox: false } }, 18791, LINUX_ROOT)).toMatchObject({ headless: false, noSandbox: false });
  });

  test("profiles, colors, remote cdpUrl, defaultProfile, range override", () => {
    const r = resolveBrowserConfig(
      { browser: { color: "00ff00", defaultProfile: "work", cdpPortRangeStart: 30000, profiles: { work: { cdpPort: 9333 }, remote: { cdpUrl: "http://10.0.0.5:9222", color: "#123abc" } } } },
      18791,
      MAC_USER,
    );
    expect(r.cdpRange).toEqual({ start: 30000, end: 30099 });
    expect(r.defaultProfile).toBe("work");
    expect(r.profiles.work).toMatchObject({ cdpPort: 9333, color: "#00FF00" });
    expect(r.profiles.remote).toMatchObject({ cdpUrl: "http://10.0.0.5:9222", color: "#123ABC" });
    expect(r.profiles.openclaw.color).toBe("#00FF00");
  });

  test("an unknown defaultProfile falls back to openclaw", () => {
    expect(resolveBrowserConfig({ browser: { defaultProfile: "nope" } }, 18791, MAC_USER).defaultProfile).toBe("openclaw");
  });
});

describe("pickProfile", () => {
  const r = resolveBrowserConfig({ browser: { profiles: { work: {} } } }, 18791, MAC_USER);
  test("default, named, unknown (404) and traversal (400)", () => {
    expect(pickProfile(r, null).name).toBe("openclaw");
    expect(pickProfile(r, "work").name).toBe("work");
    const unknown = (() => {
      try {
        pickProfile(r, "nope");
      } catch (e) {
        return e as BrowserApiError;
      }
    })();
    expect(unknown).toMatchObject({ status: 404, code: "PROFILE_NOT_FOUND" });
    expect(unknown?.message).toContain("known: openclaw, work");
    expect(() => pickProfile(r, "../../etc")).toThrow(/invalid profile name/);
  });
});

describe("browser config schema", () => {
  test("accepts the documented keys and upstream ones", () => {
    const ok = validateConfig({
      browser: {
        enabled: true,
        defaultProfile: "openclaw",
        executablePath: "/usr/bin/chromium",
        headless: true,
        noSandbox: true,
        attachOnly: false,
        color: "#FF4500",
        extraArgs: ["--lang=en"],
        evaluateEnabled: true,
        snapshotDefaults: { mode: "efficient" },
        profiles: { openclaw: { cdpPort: 18800, color: "#FF4500" }, work: { cdpUrl: "http://127.0.0.1:9222", driver: "openclaw" } },
      },
    });
    expect(ok).toEqual([]);
  });

  test("rejects typos, bad profile names, bad colors and ports", () => {
    const paths = (browser: unknown) => validateConfig({ browser }).map((i) => i.path);
    expect(paths({ headles: true }).length).toBeGreaterThan(0);
    expect(paths({ profiles: { "Bad Name": {} } }).length).toBeGreaterThan(0);
    expect(paths({ profiles: { "../x": {} } }).length).toBeGreaterThan(0);
    expect(paths({ color: "orange" }).length).toBeGreaterThan(0);
    expect(paths({ profiles: { work: { cdpPort: 70000 } } }).length).toBeGreaterThan(0);
    expect(paths({ profiles: { work: { cdpPrt: 9222 } } }).length).toBeGreaterThan(0);
  });
});
